/* The standard descriptors of a process that may have been started with
 * some of them closed (`techidx run ... >&-`). A closed 0, 1 or 2 would be
 * handed to the next file opened, and whatever the program prints there
 * would land inside that file (the index text in --cells, the summary in
 * --rejects). */
#ifndef TECHIDX_CLI_STDFDS_H
#define TECHIDX_CLI_STDFDS_H

/* Opens /dev/null onto each of 0 (read-only), 1 and 2 (write-only) that is
 * closed; open ones are left alone. Call first thing in main, before any
 * file is opened. Returns 0, or -1 with errno set when /dev/null cannot be
 * opened (the process should then exit: it cannot print why safely). */
int stdfds_ensure(void);

#endif
