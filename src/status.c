#include "techidx/status.h"

const char *tix_strerror(tix_status s)
{
    switch (s) {
    case TIX_OK:
        return "success";
    case TIX_E_NOMEM:
        return "out of memory";
    case TIX_E_IO:
        return "input/output error";
    case TIX_E_GZIP:
        return "corrupt or truncated gzip data";
    case TIX_E_HEADER:
        return "bad header row";
    case TIX_E_OVERFLOW:
        return "exact sum overflow";
    case TIX_E_INVALID:
        return "invalid argument";
    case TIX_E_NODATA:
        return "no data";
    case TIX_E_LIMIT:
        return "resource limit exceeded";
    case TIX_E_CSV:
        return "CSV parser error";
    case TIX_E_FORMAT:
        return "not a valid techidx file";
    }
    return "unknown status";
}
