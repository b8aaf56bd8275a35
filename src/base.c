/* The memory buffer of base.h. (tix_measure_name and _parse are in
 * engine.c.) */
#include "techidx/base.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

tix_status tix_membuf_write(void *ctx, const void *buf, size_t len)
{
    tix_membuf *m = ctx;
    if (len >= SIZE_MAX / 2 - m->len)
        return TIX_E_NOMEM;
    if (m->len + len + 1 > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < m->len + len + 1)
            cap *= 2;
        char *data = realloc(m->data, cap);
        if (!data)
            return TIX_E_NOMEM;
        m->data = data;
        m->cap = cap;
    }
    if (len)
        memcpy(m->data + m->len, buf, len);
    m->len += len;
    m->data[m->len] = '\0';
    return TIX_OK;
}

void tix_membuf_free(tix_membuf *m)
{
    if (!m)
        return;
    free(m->data);
    m->data = NULL;
    m->len = m->cap = 0;
}
