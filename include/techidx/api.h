/* TIX_API marks the functions of the library's API: the only symbols the
 * shared library exports (it is built with -fvisibility=hidden). */
#ifndef TECHIDX_API_H
#define TECHIDX_API_H

#if defined(__GNUC__) || defined(__clang__)
#define TIX_API __attribute__((visibility("default")))
#else
#define TIX_API
#endif

#endif
