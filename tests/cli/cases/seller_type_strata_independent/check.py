"""An independent computation of the chained Fisher index over the cells
sector x seller_type (monthly), of its sub-index for each seller type, and
of the cells' contracts and values, from the raw rows of a gen dump; each
compared with what techidx wrote. Exact sums in integer cents; indices to
1e-6 relative (they are written with six decimals)."""
import csv
import math
import sys
from collections import defaultdict

dump, index_csv, cells_csv, groups_csv = sys.argv[1:5]


def cents(s):
    whole, _, frac = s.partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


cells = defaultdict(lambda: [0, 0])  # (month, sector, seller_type) -> [n, cents]
with open(dump, newline="", encoding="utf-8") as f:
    for r in csv.DictReader(f):
        c = cells[(r["signed_on"][:7], r["sector"], r["seller_type"])]
        c[0] += 1
        c[1] += cents(r["tech_amount"])


def fisher_series(keep):
    by_month = defaultdict(dict)
    for (m, s, t), (n, v) in cells.items():
        if keep(t):
            by_month[m][(s, t)] = (n, v)
    months = sorted(by_month)
    out = {months[0]: (100.0, 100.0, 100.0)}
    for a, b in zip(months, months[1:]):
        c0, c1 = by_month[a], by_month[b]
        k = sorted(set(c0) & set(c1))
        v0 = sum(c0[i][1] for i in k)
        v1 = sum(c1[i][1] for i in k)
        u0 = {i: c0[i][1] / c0[i][0] for i in k}
        u1 = {i: c1[i][1] / c1[i][0] for i in k}
        las = sum(c0[i][0] * u1[i] for i in k) / sum(c0[i][0] * u0[i] for i in k)
        paa = sum(c1[i][0] * u1[i] for i in k) / sum(c1[i][0] * u0[i] for i in k)
        p = math.sqrt(las * paa)
        val = v1 / v0
        x, y, z = out[a]
        out[b] = (x * val, y * val / p, z * p)
    return out


def close(got, want):
    return abs(float(got) - want) <= 1e-6 * max(1.0, abs(want))


def check(rows, series, what):
    bad = 0
    for r in rows:
        m = r["period"]
        want = series.get(m)
        if want is None:
            continue
        got = (r["value_index"], r["volume_index"], r["unit_value_index"])
        if not all(close(g, w) for g, w in zip(got, want)):
            print("%s %s: techidx %s, independent %s" % (what, m, got, want))
            bad += 1
    print("%s: %d periods agree" % (what, sum(1 for r in rows if r["period"] in series) - bad))
    return bad


bad = check(list(csv.DictReader(open(index_csv, encoding="utf-8"))),
            fisher_series(lambda t: True), "headline")
groups = list(csv.DictReader(open(groups_csv, encoding="utf-8")))
for t in sorted({g["group"] for g in groups}):
    bad += check([g for g in groups if g["group"] == t], fisher_series(lambda x, t=t: x == t),
                 "seller_type " + t)
n_ok = 0
for r in csv.DictReader(open(cells_csv, encoding="utf-8")):
    n, v = cells[(r["period"], r["sector"], r["seller_type"])]
    if (int(r["contracts"]), cents(r["value"])) != (n, v):
        print("cell %s: techidx %s %s, independent %d %d"
              % ((r["period"], r["sector"], r["seller_type"]), r["contracts"], r["value"], n, v))
        bad += 1
    else:
        n_ok += 1
print("cells: %d of %d agree exactly" % (n_ok, len(cells)))
sys.exit(1 if bad or n_ok != len(cells) else 0)
