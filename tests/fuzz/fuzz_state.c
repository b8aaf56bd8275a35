/* Fuzz target for state.json (src/cli/state.c): any bytes given to
 * state_parse are either refused with a message, or read into a state
 * that dumps to text that parses again to the very same text, and whose
 * invariants hold (counts that add up, dates in order, nothing listed
 * twice). Built by `make fuzz` and replayed over the corpus by `make
 * check`; the corpus starts from states that publish wrote. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/state.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    state s, t;
    char err[512];
    memset(&s, 0, sizeof s);
    if (state_parse(&s, (const char *)data, size, err, sizeof err) != 0) {
        FZ_CHECK(err[0] != '\0', "a refusal says why");
        FZ_CHECK(s.ninputs == 0 && s.nreleases == 0 && s.noptions == 0, "refused: s is empty");
        return 0;
    }
    for (size_t i = 0; i < s.ninputs; i++) {
        const state_input *in = &s.inputs[i];
        FZ_CHECK(in->counts.read == in->counts.accepted + in->counts.rejected, "read = a + r");
        uint64_t sum = 0;
        for (int r = 0; r < TIX_REASON_COUNT; r++)
            sum += in->counts.by_reason[r];
        FZ_CHECK(sum == in->counts.rejected, "reasons sum to rejected");
        FZ_CHECK(in->first_day > in->last_day ? in->counts.accepted == 0 : in->counts.accepted > 0,
                 "dates when rows were accepted");
        FZ_CHECK(sha256_is_hex(in->sha256) && sha256_is_hex(in->part_sha256), "hex digests");
        for (size_t k = 0; k < i; k++)
            FZ_CHECK(strcmp(in->sha256, s.inputs[k].sha256) != 0, "an input listed once");
    }
    for (size_t i = 0; i < s.nreleases; i++)
        FZ_CHECK(strchr(s.releases[i], '/') == NULL && strchr(s.releases[i], '.') == NULL,
                 "a release label is no path");
    char *a = state_dump(&s);
    FZ_CHECK(a != NULL, "dumping a state that was read");
    memset(&t, 0, sizeof t);
    FZ_CHECK(state_parse(&t, a, strlen(a), err, sizeof err) == 0, "a dumped state reads back");
    char *b = state_dump(&t);
    FZ_CHECK(b != NULL && strcmp(a, b) == 0, "dump, read, dump: the same text");
    free(a);
    free(b);
    state_close(&s);
    state_close(&t);
    return 0;
}
