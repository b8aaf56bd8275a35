/* The version of techidx: the one place it is written (the Makefile reads
 * it from here). */
#ifndef TECHIDX_VERSION_H
#define TECHIDX_VERSION_H

#include "techidx/api.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TIX_VERSION_MAJOR 0
#define TIX_VERSION_MINOR 1
#define TIX_VERSION_PATCH 0

#define TIX_VERSION_STRINGIFY_(x) #x
#define TIX_VERSION_STRINGIFY(x) TIX_VERSION_STRINGIFY_(x)
/* "MAJOR.MINOR.PATCH" */
#define TIX_VERSION_STRING                                                                         \
    TIX_VERSION_STRINGIFY(TIX_VERSION_MAJOR)                                                       \
    "." TIX_VERSION_STRINGIFY(TIX_VERSION_MINOR) "." TIX_VERSION_STRINGIFY(TIX_VERSION_PATCH)
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if */
#define TIX_VERSION_NUMBER (TIX_VERSION_MAJOR * 10000 + TIX_VERSION_MINOR * 100 + TIX_VERSION_PATCH)

/* The version of the library linked at run time, TIX_VERSION_STRING when
 * it was built (static string). */
TIX_API const char *tix_version(void);

#ifdef __cplusplus
}
#endif
#endif
