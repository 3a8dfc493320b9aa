/* Placeholder so that a layer with no sources yet still forms a library. */
typedef int sl_empty_translation_unit;
