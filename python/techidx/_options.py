"""Keywords from the library's option table (options.h).

Nothing here names an option or an allowed value: the keywords of each
function, their kinds and their values come from tix_options() when the
package is imported, and values are checked, and refused with the CLI's
sentences, by tix_config_set and tix_config_finish.
"""

import collections
import ctypes
import datetime
import os

from . import _lib
from ._lib import lib

# Command-line concerns with no meaning for a function that returns its
# results: where the index is written (`output`), in which format
# (`format`, with the presentation options `lang`, `labels` and `bom`),
# and the summary on stderr (`quiet`). The library never
# prints, and every table comes back in the Result.
CLI_ONLY = frozenset(["output", "format", "quiet", "lang", "labels", "bom"])

Keyword = collections.namedtuple(
    "Keyword", "name option kind values metavar min max help group")
Keyword.__doc__ = """One keyword argument: its Python name (the option's long
name with '_' for '-'), the option's name in the table, its kind ('flag',
'enum', 'count', 'real', 'date', 'text', 'output' (True to get the table
back), 'list'), the allowed values of an enum, the bounds of a count or a
real (None: none), and the help text of `techidx COMMAND --help`."""

# What each function takes: the command whose options it accepts, and the
# groups it keeps of them (None: all). Cube.index takes the options of
# `techidx index` that say how the index is computed and what it gives;
# the limits and allow_repeats of reading parts go to load and merge.
FUNCTIONS = {
    "run": ("run", None),
    "cube": ("cube", None),
    "merge": ("merge", None),
    "load": ("merge", None),
    "index": ("index", (_lib.GROUP_INDEX, _lib.GROUP_OUTPUT)),
}


def render(msg):
    """A library message with `option-name` shown as the keyword option_name."""
    if isinstance(msg, str):
        msg = msg.encode("utf-8", "surrogateescape")
    out = ctypes.create_string_buffer(len(msg) + 256)
    lib.tix_config_message(msg, b"", b"_", out, len(out))
    return _lib.text(out.value)


def keyword_of(name):
    return name.replace("-", "_")


def _table():
    n = ctypes.c_size_t()
    opts = lib.tix_options(ctypes.byref(n))
    return [opts[i] for i in range(n.value)]


def _keywords(function):
    cmd_name, groups = FUNCTIONS[function]
    cmd = _lib.CMD[cmd_name]
    out = collections.OrderedDict()
    for o in _table():
        name = _lib.text(o.name)
        if not (o.commands & cmd) or name in CLI_ONLY:
            continue
        if groups is not None and o.group not in groups:
            continue
        ptr = lib.tix_option_find(o.name, cmd)
        values = []
        while o.kind == _lib.OPT_ENUM:
            v = lib.tix_option_value(ptr, len(values))
            if v is None:
                break
            values.append(_lib.text(v))
        bounded = o.kind in (_lib.OPT_COUNT, _lib.OPT_REAL)
        out[keyword_of(name)] = (Keyword(
            keyword_of(name), name, _lib.KIND_NAMES[o.kind], tuple(values),
            _lib.text(o.metavar), o.min if bounded else None,
            o.max if bounded and o.max < 1e18 else None, _lib.text(o.help), o.group), ptr)
    return out


KEYWORDS = {f: _keywords(f) for f in FUNCTIONS}


def options(function="run"):
    """The keywords techidx.run (function "run"), cube, merge, load or
    Cube.index ("index") takes: a dict of keyword name -> Keyword."""
    if function not in KEYWORDS:
        raise ValueError("function must be %s, not %r" % (", ".join(sorted(KEYWORDS)), function))
    return collections.OrderedDict((k, v[0]) for k, v in KEYWORDS[function].items())


class Config(object):
    """A tix_config set from keywords, freed by close()."""

    def __init__(self, function, kwargs):
        self.function = function
        self.cmd = _lib.CMD[FUNCTIONS[function][0]]
        self.asked = {}
        self._err = ctypes.create_string_buffer(1024)
        self.ptr = lib.tix_config_new()
        if not self.ptr:
            raise MemoryError("techidx: out of memory")
        try:
            for key, value in kwargs.items():
                self._set(key, value)
            self._check(lib.tix_config_finish(self.ptr, self.cmd, self._err, len(self._err)))
        except BaseException:
            self.close()
            raise

    def _check(self, st):
        if st == _lib.TIX_OK:
            return
        msg = render(self._err.value)
        if st == _lib.TIX_E_NOMEM:
            raise MemoryError(msg)
        raise ValueError(msg)

    def _unknown(self, key):
        where = "techidx.%s()" % ("Cube.index" if self.function == "index" else self.function)
        msg = "%s got an unexpected keyword argument %r" % (where, key)
        name = key.replace("_", "-")
        if name in CLI_ONLY and lib.tix_option_find(name.encode(), self.cmd):
            return TypeError(msg + ": it is a command-line option; the results come back "
                             "in the returned object")
        found = lib.tix_option_find(name.encode(), 0xFFFFFFFF)
        if found and self.function == "index" and found.contents.commands & self.cmd:
            return TypeError(msg + ": it concerns reading parts; give it to techidx.load or "
                             "techidx.merge")
        if found:
            cmds = [_lib.text(lib.tix_command_name(bit)) for bit in
                    (_lib.CMD[c] for c in ("run", "cube", "merge", "index"))
                    if found.contents.commands & bit]
            if cmds:
                return TypeError(msg + " (an option of techidx %s)" % ", ".join(cmds))
        hint = lib.tix_option_suggest(name.encode(), self.cmd)
        if hint and keyword_of(_lib.text(hint)) in KEYWORDS[self.function]:
            return TypeError(msg + "; did you mean %r?" % keyword_of(_lib.text(hint)))
        return TypeError(msg)

    def _set(self, key, value):
        entry = KEYWORDS[self.function].get(key)
        if entry is None:
            raise self._unknown(key)
        kw, ptr = entry
        if value is None:
            return
        texts = _texts(kw, value)
        if texts is None:
            return
        for t in texts:
            v = None if t is None else t.encode("utf-8", "surrogateescape")
            self._check(lib.tix_config_set(self.ptr, self.cmd, ptr, v, self._err, len(self._err)))
        self.asked[key] = value

    def engine(self):
        return lib.tix_config_engine(self.ptr)

    def index(self):
        return lib.tix_config_index(self.ptr)

    def parts_opts(self):
        po = _lib.PartsOpts()
        lib.tix_parts_opts_from_config(ctypes.byref(po), self.ptr)
        return po

    def close(self):
        if self.ptr:
            lib.tix_config_free(self.ptr)
            self.ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _texts(kw, value):
    """The texts tix_config_set takes for value: a list (None for a flag),
    or None when nothing is to be set."""
    k = kw.kind
    if k in ("flag", "output"):
        if not isinstance(value, bool):
            raise TypeError("%s takes True or False, not %r" % (kw.name, value))
        if not value:
            return None
        # An output wanted back: a name the config keeps, so that its checks
        # (and the statistics `cells` needs) see it asked for.
        return [None] if k == "flag" else ["<python %s>" % kw.name]
    if k == "count":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError("%s takes an int, not %r" % (kw.name, value))
        return [str(value)]
    if k == "real":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError("%s takes a number, not %r" % (kw.name, value))
        return [repr(value) if isinstance(value, float) else str(value)]
    if k == "date":
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return [value.isoformat()]
        if not isinstance(value, str):
            raise TypeError("%s takes a datetime.date or 'YYYY-MM-DD', not %r" % (kw.name, value))
        return [value]
    if k == "list":
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            items = ["%s=%s" % (a, b) for a, b in value.items()]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            raise TypeError("%s takes a str, a list of str or a dict, not %r" % (kw.name, value))
        for it in items:
            if not isinstance(it, str):
                raise TypeError("%s takes str items, not %r" % (kw.name, it))
        return items
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError("%s takes a str, not %r" % (kw.name, value))
    return [value]
