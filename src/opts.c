/* The defaults of the library's option structs, all in one place: the
 * header of each struct writes them down, and these fill them in. */
#include <string.h>

#include "techidx/cube.h"
#include "techidx/engine.h"
#include "techidx/index.h"
#include "techidx/reader.h"

void tix_reader_opts_init(tix_reader_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_record_bytes = TIX_READER_MAX_RECORD_BYTES;
    o->max_fields = TIX_READER_MAX_FIELDS;
    o->delimiter = ',';
}

void tix_cube_opts_init(tix_cube_opts *o)
{
    memset(o, 0, sizeof *o);
    o->period = TIX_PERIOD_WEEK;
    o->cell_stats = 0;
    o->max_cells = TIX_CUBE_MAX_CELLS;
    o->max_pairs = TIX_CUBE_MAX_PAIRS;
    o->budget = NULL;
}

void tix_engine_opts_init(tix_engine_opts *o)
{
    memset(o, 0, sizeof *o);
    o->period = TIX_PERIOD_WEEK;
    o->by = "sector";
    o->measure = TIX_MEASURE_TECH_AMOUNT;
    o->max_record_bytes = TIX_READER_MAX_RECORD_BYTES;
    o->max_fields = TIX_READER_MAX_FIELDS;
    o->max_cells = TIX_CUBE_MAX_CELLS;
    o->max_pairs = TIX_CUBE_MAX_PAIRS;
    o->max_memory = TIX_ENGINE_MAX_MEMORY;
    o->threads = 1;
    o->inflate = TIX_INFLATE_AUTO;
    o->date_format = NULL;
    o->amount_unit = TIX_AMOUNT_YUAN;
    o->delimiter = ',';
    o->encoding = TIX_ENCODING_UTF8;
}

void tix_index_opts_init(tix_index_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = TIX_METHOD_FISHER;
    o->chain = TIX_CHAIN_CHAINED;
    o->min_contracts = 1;
    o->window = 0;
    o->splice = TIX_SPLICE_MEAN;
}
