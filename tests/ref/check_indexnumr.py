#!/usr/bin/env python3
"""techidx against IndexNumR 0.6.0 (tests/ref/indexnumr/README.md).

    python3 tests/ref/check_indexnumr.py path/to/techidx [COLUMN-GLOB ...]

For every column of dev_expected.csv (or those matching a glob), runs
`techidx run --format json` with the options the column stands for and
compares unit_value_index / 100 with IndexNumR's value, period by period, to
REL relative (VERBOSE=1 prints each column's largest error). A column whose method or splice the command line refuses as a
value ("must be ... not 'X'", exit 2) is skipped and named; any other
refusal, and any difference, fails. Without globs, dev_yoy.csv is then checked
against --year-over-year the same way (check_yoy). Standard library only.
"""
import csv
import fnmatch
import json
import math
import os
import subprocess
import sys

REL = 1e-8
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "indexnumr")
DUMP = os.path.join(DATA, "dev.csv.gz")
EXPECTED = os.path.join(DATA, "dev_expected.csv")
YOY = os.path.join(DATA, "dev_yoy.csv")

# IndexNumR's method names that techidx spells differently.
METHOD = {
    "geomlaspeyres": "geometric-laspeyres",
    "geompaasche": "geometric-paasche",
    "satovartia": "sato-vartia",
}
SPLICES = ("mean_pub", "movement", "window", "half", "mean", "wisp", "hasp", "fbew", "fbmw")


def options(column):
    """The techidx options for one column of dev_expected.csv."""
    common = ["--period", "month", "--by", "sector", "--measure", "tech_amount"]
    for prefix, method in (("geks_", None), ("gk_", "geary-khamis"), ("wtpd_", "wtpd")):
        if not column.startswith(prefix):
            continue
        rest = column[len(prefix):]
        # mean_pub before mean: the longest splice name that ends the column
        splice = next(s for s in SPLICES if rest == s or rest.endswith("_" + s))
        if method is None:
            m = rest[: -len(splice) - 1]
            method = "geks-" + METHOD.get(m, m)
        return common + ["--method", method, "--window", "13", "--splice", splice]
    m, chain = column.rsplit("_", 1)
    chain = {"chained": "chained", "fixed": "fixed"}[chain]
    return common + ["--method", METHOD.get(m, m), "--chain", chain]


def check_yoy(techidx):
    """dev_yoy.csv: yearOverYearIndexes("monthly", "priceIndex", fisher, chained), one
    series per month of the year (`month`), years numbered from 1 (`time`). Returns the
    largest relative error, or None after printing what differs."""
    with open(YOY, newline="") as f:
        want = {(int(r["month"]), int(r["time"])): float(r["prices"]) for r in csv.DictReader(f)}
    cmd = [techidx, "run", "-q", "--format", "json", "--period", "month", "--by", "sector",
           "--measure", "tech_amount", "--method", "fisher", "--chain", "chained",
           "--year-over-year", DUMP]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print("ref: yoy: %s exited %d: %s" % (" ".join(cmd[1:]), p.returncode, p.stderr.strip()),
              file=sys.stderr)
        return None
    got, first = {}, {}
    for r in json.loads(p.stdout)["periods"]:
        season, year = int(r["season"]), int(r["period"][:4])
        first.setdefault(season, year)  # rows are sorted by season, then period
        x = r["unit_value_index"]
        got[(season, year - first[season] + 1)] = x / 100 if x is not None else math.nan
    if sorted(got) != sorted(want):
        print("ref: yoy: (month, time) pairs differ: techidx %d, IndexNumR %d"
              % (len(got), len(want)), file=sys.stderr)
        return None
    worst = 0.0
    for k, w in sorted(want.items()):
        err = abs(got[k] - w) / abs(w) if math.isfinite(got[k]) else math.inf
        if not err <= REL:
            print("ref: yoy: month %d, time %d: techidx %.12g, IndexNumR %.12g (relative error "
                  "%.3g)" % (k[0], k[1], got[k], w, err), file=sys.stderr)
            return None
        worst = max(worst, err)
    print("ref: yoy: %d (month, year) values of yearOverYearIndexes agree (max relative error "
          "%.2g)" % (len(want), worst))
    return worst


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    techidx, globs = argv[1], argv[2:]
    with open(EXPECTED, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0] if c != "period"]
    if globs:
        columns = [c for c in columns if any(fnmatch.fnmatch(c, g) for g in globs)]
    passed, skipped, failed = [], [], []
    overall = 0.0
    for col in columns:
        cmd = [techidx, "run", "-q", "--format", "json"] + options(col) + [DUMP]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode == 2 and "must be" in p.stderr and "not '" in p.stderr:
            skipped.append(col)
            continue
        if p.returncode != 0:
            failed.append(col)
            print("ref: %s: %s exited %d: %s" % (col, " ".join(cmd[1:]), p.returncode,
                                                 p.stderr.strip()), file=sys.stderr)
            continue
        got = [r["unit_value_index"] for r in json.loads(p.stdout)["periods"]]
        if len(got) != len(rows):
            failed.append(col)
            print("ref: %s: %d periods, IndexNumR has %d" % (col, len(got), len(rows)),
                  file=sys.stderr)
            continue
        worst, at = 0.0, None
        for i, r in enumerate(rows):
            want = float(r[col])
            x = got[i] / 100 if got[i] is not None else math.nan
            err = abs(x - want) / abs(want) if math.isfinite(x) else math.inf
            if not err <= worst:
                worst, at = err, i
        if os.environ.get("VERBOSE"):
            print("ref: %s: max relative error %.3g" % (col, worst))
        if worst <= REL:
            passed.append(col)
            overall = max(overall, worst)
        else:
            failed.append(col)
            print("ref: %s: period %s: techidx %.12g, IndexNumR %s (relative error %.3g)"
                  % (col, rows[at]["period"], got[at] / 100 if got[at] is not None else math.nan,
                     rows[at][col], worst), file=sys.stderr)
    print("ref: %d columns checked, %d passed (max relative error %.2g), %d failed, %d skipped (%s)"
          % (len(columns), len(passed), overall, len(failed), len(skipped),
             " ".join(skipped) or "none"))
    if not globs and check_yoy(techidx) is None:
        failed.append("yoy")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
