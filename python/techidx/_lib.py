"""Finding libtechidx.so.1 and declaring, with ctypes, the functions used.

The library is looked for, in order: the file named by the environment
variable TECHIDX_LIB; beside this package (an installed copy may ship it
there); the build/ directory of the checkout the package sits in
(python/techidx -> build/); then the system loader (libtechidx.so.1, as
`make install` puts it). The structures below mirror the public headers
of SONAME libtechidx.so.1: a layout change there bumps the SONAME, and
this module loads that SONAME only.
"""

import ctypes
import ctypes.util
import os

SONAME = "libtechidx.so.1"

_here = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("TECHIDX_LIB")
    if env:
        yield env
        return
    yield os.path.join(_here, SONAME)
    yield os.path.join(os.path.dirname(os.path.dirname(_here)), "build", SONAME)
    yield SONAME
    found = ctypes.util.find_library("techidx")
    if found:
        yield found


def _load():
    errors = []
    for name in _candidates():
        if os.sep in name and not os.path.exists(name):
            errors.append("%s: no such file" % name)
            continue
        try:
            return ctypes.CDLL(name), name
        except OSError as e:
            errors.append(str(e))
    raise ImportError("techidx: cannot load %s (set TECHIDX_LIB to its path): %s"
                      % (SONAME, "; ".join(errors)))


lib, path = _load()

# ---- constants of the headers ------------------------------------------------
TIX_OK = 0
TIX_E_NOMEM = 1
TIX_E_INVALID = 6

CMD = {"run": 1 << 0, "cube": 1 << 1, "merge": 1 << 2, "index": 1 << 3,
       "publish": 1 << 4, "init": 1 << 5, "chart": 1 << 6, "gen": 1 << 7}

(GROUP_NONE, GROUP_AGGREGATE, GROUP_INDEX, GROUP_OUTPUT, GROUP_READ) = range(5)
(OPT_FLAG, OPT_ENUM, OPT_COUNT, OPT_REAL, OPT_DATE, OPT_TEXT, OPT_OUTPUT,
 OPT_LIST) = range(8)
KIND_NAMES = ("flag", "enum", "count", "real", "date", "text", "output", "list")

CUBE_STATS = 1
CUBE_STATS_SUMS = 2
PARTS_NONE = ctypes.c_size_t(-1).value

REASON_COUNT = 14  # TIX_REASON_COUNT of record.h

# ---- structures ---------------------------------------------------------------
c_size = ctypes.c_size_t
c_u64 = ctypes.c_uint64
c_i32 = ctypes.c_int32
c_int = ctypes.c_int
c_p = ctypes.c_void_p
c_str = ctypes.c_char_p


class Option(ctypes.Structure):
    _fields_ = [("name", c_str), ("short_name", ctypes.c_char), ("commands", ctypes.c_uint),
                ("group", c_int), ("kind", c_int), ("metavar", c_str),
                ("min", ctypes.c_double), ("max", ctypes.c_double), ("expect", c_str),
                ("bad", c_str), ("help", c_str), ("section", c_int), ("id", c_int),
                ("open", c_int)]


class Counts(ctypes.Structure):
    _fields_ = [("read", c_u64), ("accepted", c_u64), ("rejected", c_u64),
                ("by_reason", c_u64 * REASON_COUNT), ("bytes", c_u64), ("inputs", c_u64)]


class EngineError(ctypes.Structure):
    _fields_ = [("status", c_int), ("input", c_str), ("line", c_u64),
                ("message", ctypes.c_char * 512)]


class Reject(ctypes.Structure):
    _fields_ = [("input", c_str), ("line", c_u64), ("reason", c_int), ("raw", c_p),
                ("raw_len", c_size)]


class TicMeta(ctypes.Structure):
    _fields_ = [("period", c_int), ("stats", c_int), ("by", ctypes.c_char * 264),
                ("measure", c_int), ("has_range", c_int), ("from_day", c_i32), ("to_day", c_i32),
                ("counts", Counts), ("names", ctypes.POINTER(c_str)), ("nnames", c_size),
                ("replicates", c_size), ("cell_dims", c_size)]


class IndexOpts(ctypes.Structure):
    _fields_ = [("method", c_int), ("has_base", c_int), ("base", c_i32), ("chain", c_int),
                ("min_contracts", c_u64), ("window", c_size), ("splice", c_int),
                ("winsorize", ctypes.c_double), ("winsor_window", c_size),
                ("has_until", c_int), ("until", c_i32), ("year_over_year", c_int),
                ("hedonic", c_str), ("kennedy", c_int), ("ci_level", ctypes.c_double),
                ("ci", c_int), ("provisional", c_size), ("threads", ctypes.c_uint)]


class Membuf(ctypes.Structure):
    _fields_ = [("data", c_p), ("len", c_size), ("cap", c_size)]

    def take(self):
        """The bytes written, and the buffer freed."""
        try:
            return ctypes.string_at(self.data, self.len) if self.data else b""
        finally:
            lib.tix_membuf_free(ctypes.byref(self))


class PartsOpts(ctypes.Structure):
    _fields_ = [("max_cells", c_size), ("max_pairs", c_size), ("max_memory", c_size),
                ("allow_repeats", c_int)]


class PartsFailure(ctypes.Structure):
    _fields_ = [("status", c_int), ("part", c_size), ("other", c_size),
                ("message", ctypes.c_char * 4608)]


REJECT_FN = ctypes.CFUNCTYPE(c_int, c_p, ctypes.POINTER(Reject))

P = ctypes.POINTER


def _proto(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)


for _name, _res, _args in [
    ("tix_version", c_str, ()),
    ("tix_strerror", c_str, (c_int,)),
    ("tix_reason_name", c_str, (c_int,)),
    ("tix_column_name", c_str, (c_int,)),
    ("tix_measure_name", c_str, (c_int,)),
    ("tix_period_kind_name", c_str, (c_int,)),
    ("tix_period_parse", c_int, (c_int, c_str, P(c_i32))),
    ("tix_command_name", c_str, (ctypes.c_uint,)),
    ("tix_options", P(Option), (P(c_size),)),
    ("tix_option_find", P(Option), (c_str, ctypes.c_uint)),
    ("tix_option_value", c_str, (P(Option), c_size)),
    ("tix_option_suggest", c_str, (c_str, ctypes.c_uint)),
    ("tix_config_new", c_p, ()),
    ("tix_config_free", None, (c_p,)),
    ("tix_config_set", c_int, (c_p, ctypes.c_uint, P(Option), c_str, ctypes.c_char_p, c_size)),
    ("tix_config_finish", c_int, (c_p, ctypes.c_uint, ctypes.c_char_p, c_size)),
    ("tix_config_engine", c_p, (c_p,)),
    ("tix_config_index", P(IndexOpts), (c_p,)),
    ("tix_config_message", c_str, (c_str, c_str, ctypes.c_char, ctypes.c_char_p, c_size)),
    ("tix_engine_new", c_int, (P(c_p), c_p, REJECT_FN, c_p)),
    ("tix_engine_add_file", c_int, (c_p, c_str)),
    ("tix_engine_cube", c_p, (c_p,)),
    ("tix_engine_counts", P(Counts), (c_p,)),
    ("tix_engine_error", P(EngineError), (c_p,)),
    ("tix_engine_free", None, (c_p,)),
    ("tix_cube_finalize", c_int, (c_p,)),
    ("tix_cube_stats_kind", c_int, (c_p,)),
    ("tix_index_compute", c_int, (c_p, P(IndexOpts), P(c_p), ctypes.c_char_p, c_size)),
    ("tix_index_free", None, (c_p,)),
    ("tix_membuf_free", None, (P(Membuf),)),
    ("tix_write_index_csv_fn", c_int, (c_p, P(Membuf), c_p)),
    ("tix_write_cells_csv_fn", c_int, (c_p, P(Membuf), c_p, c_p)),
    ("tix_groups_compute", c_int, (c_p, ctypes.c_char_p, P(IndexOpts), c_p, P(c_p), ctypes.c_char_p,
                                   c_size)),
    ("tix_groups_free", None, (c_p,)),
    ("tix_write_groups_csv_fn", c_int, (c_p, P(Membuf), c_p)),
    ("tix_write_contributions_csv_fn", c_int, (c_p, P(Membuf), c_p, c_p)),
    ("tix_write_rejects_header_fn", c_int, (c_p, P(Membuf))),
    ("tix_write_reject_fn", c_int, (c_p, P(Membuf), P(Reject))),
    ("tix_tic_write_fn", c_int, (c_p, P(Membuf), c_p, P(TicMeta))),
    ("tix_parts_describe", None, (P(TicMeta), c_p, c_p, P(Counts), P(c_str), c_size)),
    ("tix_parts_opts_from_config", None, (P(PartsOpts), c_p)),
    ("tix_parts_new", c_int, (P(c_p), P(PartsOpts))),
    ("tix_parts_add_file", c_int, (c_p, c_str)),
    ("tix_parts_add_mem", c_int, (c_p, c_str, c_str, c_size)),
    ("tix_parts_finish", c_int, (c_p,)),
    ("tix_parts_cube", c_p, (c_p,)),
    ("tix_parts_meta", P(TicMeta), (c_p,)),
    ("tix_parts_count", c_size, (c_p,)),
    ("tix_parts_name", c_str, (c_p, c_size)),
    ("tix_parts_error", P(PartsFailure), (c_p,)),
    ("tix_parts_free", None, (c_p,)),
]:
    _proto(_name, _res, *_args)

# The writers' byte callback: the library's own, which appends to a Membuf.
membuf_write = ctypes.cast(lib.tix_membuf_write, c_p)


def text(b):
    """A C string as str (bytes that are not UTF-8 kept as surrogates)."""
    return b.decode("utf-8", "surrogateescape") if b is not None else None


def reason_names():
    names = [text(lib.tix_reason_name(r)) for r in range(REASON_COUNT + 1)]
    if names[REASON_COUNT] != "?" or "?" in names[:REASON_COUNT]:
        raise ImportError("techidx: %s has other reject reasons than this package (%d)"
                          % (path, REASON_COUNT))
    return names[:REASON_COUNT]


REASONS = reason_names()
