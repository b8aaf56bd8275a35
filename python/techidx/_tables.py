"""The library's CSV tables as lists of dicts.

Values are converted from the text the library writes (the text the
command line writes too), so that equal text gives equal values: empty
fields are None; whole numbers int; money, which the writers print from
integer cents with exactly two decimals, decimal.Decimal (exact); the
other decimals (indices, six decimals; contributions, ten) float. The
columns that name a row, those before the first statistic (season,
period, group and the cells' columns: "01", "W53", "440300"), stay str,
whatever they look like.
"""

import csv
import decimal
import io
import re

_WHOLE = re.compile(r"-?[0-9]+\Z")
_MONEY = re.compile(r"-?[0-9]+\.[0-9]{2}\Z")
_REAL = re.compile(r"-?[0-9]+\.[0-9]+\Z")
_FIRST_STATISTICS = ("contracts", "value_pp")


def value(s):
    if s == "":
        return None
    if _WHOLE.match(s):
        return int(s)
    if _MONEY.match(s):
        return decimal.Decimal(s)
    if _REAL.match(s):
        return float(s)
    return s


def decode(data):
    return data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data


def rows(data):
    """A CSV table (bytes or str) as a list of dicts, converted."""
    r = csv.reader(io.StringIO(decode(data), newline=""))
    header = next(r, None)
    if header is None:
        return []
    keys = next((i for i, c in enumerate(header) if c in _FIRST_STATISTICS), 0)
    return [{c: f if i < keys else value(f) for i, (c, f) in enumerate(zip(header, rec))}
            for rec in r]


def rejects(data):
    """The rejects table: file, line (int), reason and record as written."""
    r = csv.reader(io.StringIO(decode(data), newline=""))
    header = next(r, None)
    out = []
    for rec in r:
        d = dict(zip(header, rec))
        d["line"] = int(d["line"])
        out.append(d)
    return out
