/* sangloc.h — the whole public API of libsangloc, one header per module. */
#ifndef SANGLOC_H
#define SANGLOC_H

#include "sangloc/status.h"
#include "sangloc/buf.h"
#include "sangloc/hit.h"
#include "sangloc/text.h"
#include "sangloc/detect.h"
#include "sangloc/matcher.h"
#include "sangloc/model.h"
#include "sangloc/metrics.h"
#include "sangloc/bank.h"
#include "sangloc/policy.h"
#include "sangloc/engine.h"
#include "sangloc/reload.h"
#include "sangloc/record.h"
#include "sangloc/batch.h"
#include "sangloc/audit.h"
#include "sangloc/store.h"

#endif
