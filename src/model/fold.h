/* model/fold.h — diacritic folding of code points (internal). */
#ifndef SL_MODEL_FOLD_H
#define SL_MODEL_FOLD_H

#include <stdint.h>

/* The lowercase base letter of an accented Latin letter ("ệ" -> 'e', "Đ" -> 'd'), ASCII letters
 * lowercased, anything else unchanged. */
uint32_t sl__fold_cp(uint32_t cp);

#endif
