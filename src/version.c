#include "techidx/version.h"

const char *tix_version(void) { return TIX_VERSION_STRING; }
