"""techidx: the technology trading index, from Python.

A thin layer over libtechidx.so.1 (ctypes, the standard library only):

    >>> import techidx
    >>> r = techidx.run(["contracts.csv.gz"], period="month", method="fisher")
    >>> r.index[0]["value_index"], r.counts["rejected"]

    >>> parts = [techidx.cube([f], period="month") for f in files]
    >>> whole = techidx.merge(parts)
    >>> whole.save("all.tic"); techidx.load("all.tic").index(method="walsh")

Keywords are the long option names of `techidx run`, `cube`, `merge` and
`index` with '_' for '-' (techidx.options("run") lists them, from the
library's option table). An unknown keyword raises TypeError (with a
suggestion when one is near); a value the command line would refuse raises
ValueError with the command line's sentence, options named as keywords
("min_contracts takes a positive whole number, not '0'"). Values: flags
True/False; counts int; reals float; dates datetime.date or 'YYYY-MM-DD';
enums and texts str; `map` a str, a list of 'COLUMN=HEADER' or a dict;
None means the default.

Outputs are booleans: cells=True, contributions=True, rejects=True give
the table back in the Result (or the Cube, for rejects). `output`,
`format` and `quiet` are the command line's and not taken: everything
comes back in the returned object and the library never prints.
`strict=True` raises techidx.Error when any row was rejected, as
`techidx run --strict` fails (the counts are on the exception), and so
does max_reject_rate=R when more than R of the rows read were rejected.

Failures of the library raise techidx.Error with the message the command
line prints after "techidx: " ("cut.csv.gz: truncated gzip stream ...",
"data.csv:12: ...").

Tables are lists of dicts with the CSV's columns (see _tables: money as
decimal.Decimal, exact; indices float; counts int; empty fields None).
Result.csv(table) gives the library's CSV text itself, the bytes the
command line writes.
"""

import ctypes
import os

from . import _lib, _options, _tables
from ._lib import lib

__all__ = ["run", "cube", "load", "merge", "options", "Result", "Cube", "Error", "Keyword"]

__version__ = _lib.text(lib.tix_version())

options = _options.options
Keyword = _options.Keyword


class Error(Exception):
    """A failure of the library: the message the command line prints after
    "techidx: ". file and line say where, when known; status is the
    library's tix_status; counts the row accounting when it is known."""

    def __init__(self, message, file=None, line=None, status=None, counts=None):
        Exception.__init__(self, message)
        self.message = message
        self.file = file
        self.line = line
        self.status = status
        self.counts = counts


def _fs(path):
    return os.fsencode(path)


def _paths(files):
    if isinstance(files, (str, bytes, os.PathLike)):
        files = [files]
    out = [os.fsdecode(f) for f in files]
    if not out:
        raise ValueError("no input files")
    return out


def _counts(c):
    return {
        "read": c.read, "accepted": c.accepted, "rejected": c.rejected,
        "inputs": c.inputs, "bytes": c.bytes,
        "by_reason": {_lib.REASONS[r]: c.by_reason[r]
                      for r in range(1, _lib.REASON_COUNT) if c.by_reason[r]},
    }


def _repeats(cfg, files):
    """Refuses an input given twice, as the command line does (unless
    allow_repeats): by its name, then by the file it names."""
    if cfg.asked.get("allow_repeats"):
        return
    seen = {}
    for f in files:
        if f == "-":
            if "-" in seen:
                raise ValueError("'-' (stdin) is given twice: it can be read once")
            seen["-"] = f
            continue
        try:
            st = os.stat(f)
            ident = (st.st_dev, st.st_ino)
        except OSError:
            ident = ("name", f)
        if f in seen.values() and ident in seen:
            raise ValueError(_options.render(
                "the input '%s' is given twice (`allow-repeats` if it is to count twice)" % f))
        if ident in seen:
            raise ValueError(_options.render(
                "'%s' and '%s' are the same input (`allow-repeats` if it is to count twice)"
                % (seen[ident], f)))
        seen[ident] = f


class _Ingest(object):
    """An engine that read the files, with the rejects kept when asked."""

    def __init__(self, cfg, files, keep_rejects):
        self.engine = ctypes.c_void_p()
        self.rejects = _lib.Membuf() if keep_rejects else None
        self._cb = _lib.REJECT_FN(self._reject) if keep_rejects else _lib.REJECT_FN()
        if keep_rejects:
            self._check_nomem(lib.tix_write_rejects_header_fn(_lib.membuf_write,
                                                             ctypes.byref(self.rejects)))
        st = lib.tix_engine_new(ctypes.byref(self.engine), cfg.engine(), self._cb, None)
        if st != _lib.TIX_OK:
            self.close()
            raise Error(_lib.text(lib.tix_strerror(st)), status=st)
        try:
            for f in files:
                st = lib.tix_engine_add_file(self.engine, _fs(f))
                if st != _lib.TIX_OK:
                    e = lib.tix_engine_error(self.engine).contents
                    where = _lib.text(e.input) or None
                    msg = _options.render(e.message)
                    text = ("%s:%d: %s" % (where, e.line, msg) if where and e.line
                            else "%s: %s" % (where, msg) if where else msg)
                    raise Error(text, file=where, line=e.line or None, status=st,
                                counts=_counts(lib.tix_engine_counts(self.engine).contents))
        except BaseException:
            self.close()
            raise
        self.counts = _counts(lib.tix_engine_counts(self.engine).contents)

    def _reject(self, ctx, rej):
        return lib.tix_write_reject_fn(_lib.membuf_write, ctypes.byref(self.rejects), rej)

    @staticmethod
    def _check_nomem(st):
        if st != _lib.TIX_OK:
            raise MemoryError("techidx: out of memory")

    def cube(self):
        return lib.tix_engine_cube(self.engine)

    def take_rejects(self):
        if self.rejects is None:
            return None
        data, self.rejects = self.rejects.take(), None
        return _tables.rejects(data)

    def close(self):
        if self.rejects is not None:
            lib.tix_membuf_free(ctypes.byref(self.rejects))
            self.rejects = None
        if self.engine:
            lib.tix_engine_free(self.engine)
            self.engine = ctypes.c_void_p()


def _write(writer, *args):
    buf = _lib.Membuf()
    st = writer(_lib.membuf_write, ctypes.byref(buf), *args)
    data = buf.take()
    if st != _lib.TIX_OK:
        raise Error(_lib.text(lib.tix_strerror(st)), status=st)
    return data


def _strict(cfg, counts):
    """`strict` and `max_reject_rate`, as the command line checks them."""
    n, read = counts["rejected"], counts["read"]
    if cfg.asked.get("strict") and n > 0:
        raise Error(_options.render("`strict`: %d row%s rejected; no index computed"
                                    % (n, "" if n == 1 else "s")), counts=counts)
    rate = cfg.asked.get("max_reject_rate")
    if rate is not None and read > 0 and float(n) / float(read) > float(rate):
        h = (n * 20000 + read) // (2 * read)  # hundredths of a percent, rounded
        raise Error(_options.render("`max-reject-rate` %s: %d of %d rows rejected (%d.%02d%%); "
                                    "no index computed" % (rate, n, read, h // 100, h % 100)),
                    counts=counts)


def _index(cube_ptr, index_opts, cfg, counts, inputs, rejects=None):
    """Finalizes the cube, computes the index and writes the tables asked."""
    st = lib.tix_cube_finalize(cube_ptr)
    if st != _lib.TIX_OK:
        raise Error(_lib.text(lib.tix_strerror(st)), status=st)
    ix = ctypes.c_void_p()
    err = ctypes.create_string_buffer(512)
    st = lib.tix_index_compute(cube_ptr, index_opts, ctypes.byref(ix), err, len(err))
    if st != _lib.TIX_OK:
        raise Error(_options.render(err.value), status=st, counts=counts)
    try:
        tables = {"index": _write(lib.tix_write_index_csv_fn, ix)}
        if cfg.asked.get("cells"):
            tables["cells"] = _write(lib.tix_write_cells_csv_fn, cube_ptr, ix)
        if cfg.asked.get("contributions"):
            tables["contributions"] = _write(lib.tix_write_contributions_csv_fn, cube_ptr, ix)
        if cfg.asked.get("groups"):
            groups = ctypes.c_void_p()
            st = lib.tix_groups_compute(cube_ptr, cfg.asked["group"].encode("utf-8"), index_opts,
                                        None, ctypes.byref(groups), err, len(err))
            if st != _lib.TIX_OK:
                raise Error(_options.render(err.value), status=st, counts=counts)
            try:
                tables["groups"] = _write(lib.tix_write_groups_csv_fn, groups)
            finally:
                lib.tix_groups_free(groups)
    finally:
        lib.tix_index_free(ix)
    return Result(tables, counts, inputs, rejects)


class Result(object):
    """What run and Cube.index give back.

    index          one dict per period (the CSV's columns)
    cells          the per period x cell table, when cells=True (else None)
    contributions  each cell's contribution, when contributions=True
    groups         the sub-indices of group=COL, when groups=True
    counts         {'read', 'accepted', 'rejected', 'inputs', 'bytes',
                    'by_reason': {reason: rows}} (nonzero reasons only)
    rejects        the rejected rows (file, line, reason, record) when
                   rejects=True (run only)
    inputs         the inputs' names, sorted
    """

    def __init__(self, tables, counts, inputs, rejects=None):
        self._csv = tables
        self.counts = counts
        self.inputs = sorted(inputs)
        self.rejects = rejects
        self.index = _tables.rows(tables["index"])
        self.cells = _tables.rows(tables["cells"]) if "cells" in tables else None
        self.contributions = (_tables.rows(tables["contributions"])
                              if "contributions" in tables else None)
        self.groups = _tables.rows(tables["groups"]) if "groups" in tables else None

    def csv(self, table="index"):
        """The library's CSV text of a table ("index", "cells",
        "contributions", "groups"): the bytes techidx writes, as str."""
        if table not in self._csv:
            raise KeyError("no %s table in this result (ask for it: %s=True)" % (table, table))
        return _tables.decode(self._csv[table])

    def to_pandas(self, table="index"):
        """A pandas DataFrame of a table ("index", "cells", "contributions",
        "rejects"). Money columns become float64 there (the Result keeps
        them exact as Decimal)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("Result.to_pandas() needs pandas (Debian: apt-get install "
                              "python3-pandas)")
        rows = getattr(self, table, None) if table in ("index", "cells", "contributions",
                                                        "groups", "rejects") else None
        if rows is None:
            raise KeyError("no %s table in this result" % table)
        import decimal
        data = [{k: float(v) if isinstance(v, decimal.Decimal) else v for k, v in r.items()}
                for r in rows]
        columns = list(rows[0].keys()) if rows else None
        return pandas.DataFrame(data, columns=columns)

    def __repr__(self):
        return "<techidx.Result: %d periods, %d rows read, %d rejected>" % (
            len(self.index), self.counts["read"], self.counts["rejected"])


def run(files, **options):
    """The index of the files (paths, plain or gzip), as `techidx run`
    computes it. Keywords: techidx.options("run"). Returns a Result."""
    files = _paths(files)
    with _options.Config("run", options) as cfg:
        _repeats(cfg, files)
        ing = _Ingest(cfg, files, bool(cfg.asked.get("rejects")))
        try:
            rejects = ing.take_rejects()
            _strict(cfg, ing.counts)
            return _index(ing.cube(), cfg.index(), cfg, ing.counts, files, rejects)
        finally:
            ing.close()


def _parts_error(handle, verb):
    f = lib.tix_parts_error(handle).contents
    msg = _options.render(f.message)
    name = (_lib.text(lib.tix_parts_name(handle, f.part)) if f.part != _lib.PARTS_NONE
            else None)
    if name is not None and f.other != _lib.PARTS_NONE:
        other = _lib.text(lib.tix_parts_name(handle, f.other))
        text = "%s: cannot %s with %s: %s" % (name, verb, other, msg)
    else:
        text = "%s: %s" % (name, msg) if name is not None else msg
    return Error(text, file=name, status=f.status)


def _combine(opts_cfg, adds, verb):
    """A Cube from the parts that adds(handle) adds."""
    handle = ctypes.c_void_p()
    po = opts_cfg.parts_opts()
    st = lib.tix_parts_new(ctypes.byref(handle), ctypes.byref(po))
    if st != _lib.TIX_OK:
        raise MemoryError("techidx: out of memory")
    try:
        if adds(handle) != _lib.TIX_OK or lib.tix_parts_finish(handle) != _lib.TIX_OK:
            raise _parts_error(handle, verb)
    except BaseException:
        lib.tix_parts_free(handle)
        raise
    return Cube(handle)


class Cube(object):
    """Aggregates per (period, cell), as a .tic file holds them: made by
    techidx.cube, techidx.load or techidx.merge. Owns C memory: close() it,
    or use it in a `with` block (it is also freed when collected).

    period, by, measure  how rows were aggregated (by: the cells' columns)
    characteristics      the columns kept beside them for the time dummy
                         (cube's hedonic; by default contract_type and
                         seller_type where not in by)
    counts               the row accounting of its inputs (as Result.counts)
    inputs               the inputs' names, sorted
    rejects              the rejected rows, when cube(..., rejects=True)
    """

    def __init__(self, handle, rejects=None):
        self._handle = handle
        self.rejects = rejects
        meta = lib.tix_parts_meta(handle).contents
        self.period = _lib.text(lib.tix_period_kind_name(meta.period))
        columns = _lib.text(meta.by).split(",")
        # the cells' columns; those beyond are the time dummy's characteristics
        self.by = ",".join(columns[:meta.cell_dims or len(columns)])
        self.characteristics = columns[len(self.by.split(",")):]
        self.measure = _lib.text(lib.tix_measure_name(meta.measure))
        self.counts = _counts(meta.counts)
        self.inputs = [_lib.text(meta.names[i]) for i in range(meta.nnames)]
        self._stats = meta.stats
        self._period_kind = meta.period

    def _live(self):
        if not self._handle:
            raise ValueError("this techidx.Cube is closed")
        return self._handle

    def tobytes(self):
        """The .tic file's bytes."""
        h = self._live()
        cube = lib.tix_parts_cube(h)
        st = lib.tix_cube_finalize(cube)
        if st != _lib.TIX_OK:
            raise Error(_lib.text(lib.tix_strerror(st)), status=st)
        return _write(lib.tix_tic_write_fn, cube, lib.tix_parts_meta(h))

    def save(self, path):
        """Writes the cube to a .tic file (complete or not at all), which
        `techidx merge` and `techidx index` read too."""
        data = self.tobytes()
        path = os.fspath(path)
        tmp = "%s.tmp-%d" % (path, os.getpid())
        try:
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def index(self, **options):
        """The index of the cube, as `techidx index` computes it: the same
        as run() on the cube's inputs. Keywords: techidx.options("index")."""
        h = self._live()
        with _options.Config("index", options) as cfg:
            need = (_lib.CUBE_STATS_SUMS if cfg.asked.get("winsorize")
                    else _lib.CUBE_STATS if cfg.asked.get("cells") else 0)
            if (self._stats & 3) < need:  # bit 4, the logs, is checked by the library
                raise Error(_options.render(
                    "`%s` needs statistics the parts do not keep (made with cube `no-stats`)"
                    % ("winsorize" if need == _lib.CUBE_STATS_SUMS else "cells")))
            ix_opts = cfg.index()
            base = cfg.asked.get("base")
            if base is not None:
                ordinal = ctypes.c_int32()
                if lib.tix_period_parse(self._period_kind, base.encode(),
                                        ctypes.byref(ordinal)) != _lib.TIX_OK:
                    raise ValueError(_options.render(
                        "`base` '%s' is not a %s label of these parts" % (base, self.period)))
                ix_opts.contents.base = ordinal.value
            _strict(cfg, self.counts)
            return _index(lib.tix_parts_cube(h), ix_opts, cfg, self.counts, self.inputs)

    def close(self):
        if getattr(self, "_handle", None):
            lib.tix_parts_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def __repr__(self):
        return "<techidx.Cube: %s by %s, %d inputs, %d rows accepted%s>" % (
            self.period, self.by, len(self.inputs), self.counts["accepted"],
            "" if self._handle else ", closed")


def cube(files, **options):
    """The aggregates of the files, as `techidx cube` saves them. Keywords:
    techidx.options("cube"); rejects=True keeps Cube.rejects."""
    files = _paths(files)
    with _options.Config("cube", options) as cfg:
        _repeats(cfg, files)
        ing = _Ingest(cfg, files, bool(cfg.asked.get("rejects")))
        try:
            rejects = ing.take_rejects()
            c = ing.cube()
            names = (ctypes.c_char_p * len(files))(*[_fs(f) for f in files])
            meta = _lib.TicMeta()
            lib.tix_parts_describe(ctypes.byref(meta), cfg.engine(), c,
                                   lib.tix_engine_counts(ing.engine), names, len(files))
            st = lib.tix_cube_finalize(c)
            if st != _lib.TIX_OK:
                raise Error(_lib.text(lib.tix_strerror(st)), status=st)
            data = _write(lib.tix_tic_write_fn, c, ctypes.byref(meta))
        finally:
            ing.close()
    with _options.Config("merge", {}) as mcfg:
        name = "cube of %s" % ", ".join(files)
        made = _combine(mcfg, lambda h: lib.tix_parts_add_mem(h, _fs(name), data, len(data)),
                        "merge")
    made.rejects = rejects
    return made


def load(path, **options):
    """A Cube from a .tic file (techidx cube's or Cube.save's). Keywords:
    the limits of techidx.options("load")."""
    path = os.fsdecode(os.fspath(path))
    with _options.Config("load", options) as cfg:
        return _combine(cfg, lambda h: lib.tix_parts_add_file(h, _fs(path)), "load")


def merge(cubes, **options):
    """One Cube holding all of cubes, as `techidx merge` makes it: the same
    whatever their order. Cubes must aggregate rows the same way, and must
    not count the same input twice (unless allow_repeats=True). In messages
    the cubes are named cubes[0], cubes[1], ... Keywords:
    techidx.options("merge")."""
    cubes = list(cubes)
    if not cubes:
        raise ValueError("merge needs at least one cube")
    for c in cubes:
        if not isinstance(c, Cube):
            raise TypeError("merge takes techidx.Cube objects, not %r" % (c,))
    blobs = [c.tobytes() for c in cubes]

    def adds(h):
        for i, b in enumerate(blobs):
            st = lib.tix_parts_add_mem(h, ("cubes[%d]" % i).encode(), b, len(b))
            if st != _lib.TIX_OK:
                return st
        return _lib.TIX_OK

    with _options.Config("merge", options) as cfg:
        return _combine(cfg, adds, "merge")
