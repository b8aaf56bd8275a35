"""The statistics of bench/methods.sh (standard library only).

    python3 bench/methods.py SCENARIO_DIR METHODS_FILE SEEDS

SCENARIO_DIR/SEED/truth.csv is gen's truth (period,level,...) and
SCENARIO_DIR/SEED/mI.csv the index of the I-th line of METHODS_FILE
("label|run options"). For every method, over all seeds and every week
but the first (the base, 100 in both), the error of a week is
e = 100 * (unit_value_index / level - 1), in percent of the true level:

  bias    the mean of e over seeds and weeks
  RMSE    the root of the mean of e^2
  MAE     the mean of |e|
  last    the mean over seeds of e in the last week (with a level that
          returns to 100 there: the chain drift) and its standard deviation
          over seeds (sd), and its standard error (sd / sqrt(seeds))
  coverage  for a method whose index has the columns unit_value_index_lo
          and unit_value_index_hi (time-dummy's t interval, any method's
          --ci jackknife): the share, in %, of the weeks (over seeds, the
          base week excluded: its interval is the point 100) with both
          bounds whose interval [lo, hi] holds the true level; empty for a
          method without interval columns. Index and truth are both 100 in
          the first week, so the level is compared as it is, as for e.
  missing weeks without a unit_value_index (a run that failed counts all)
"""
import csv
import math
import os
import sys


def read_col(path, col):
    out = {}
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return out
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            v = row.get(col, "")
            if v not in ("", None):
                out[row["period"]] = float(v)
    return out


def read_interval(path):
    """{period: (lo, hi)} from unit_value_index_lo and _hi; None when the
    file has no such columns."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    with open(path, newline="") as f:
        rd = csv.DictReader(f)
        cols = rd.fieldnames or []
        if "unit_value_index_lo" not in cols or "unit_value_index_hi" not in cols:
            return None
        out = {}
        for row in rd:
            lo, hi = row.get("unit_value_index_lo", ""), row.get("unit_value_index_hi", "")
            if lo not in ("", None) and hi not in ("", None):
                out[row["period"]] = (float(lo), float(hi))
        return out


def main():
    scen, methods_file, seeds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(methods_file) as f:
        labels = [line.split("|", 1)[0] for line in f if line.strip()]
    print("| method | bias % | RMSE % | MAE % | coverage % | last week % | sd last | se last | missing |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for i, label in enumerate(labels, 1):
        errs, lasts, missing = [], [], 0
        has_ci, covered, ci_weeks = False, 0, 0
        for seed in range(1, seeds + 1):
            d = os.path.join(scen, str(seed))
            truth = read_col(os.path.join(d, "truth.csv"), "level")
            path = os.path.join(d, "m%d.csv" % i)
            index = read_col(path, "unit_value_index")
            ci = read_interval(path)
            if ci is not None:
                has_ci = True
            weeks = sorted(truth)
            for k, w in enumerate(weeks):
                if k == 0:
                    continue
                if w not in index:
                    missing += 1
                    continue
                if ci is not None and w in ci:
                    ci_weeks += 1
                    if ci[w][0] <= truth[w] <= ci[w][1]:
                        covered += 1
                e = 100.0 * (index[w] / truth[w] - 1.0)
                errs.append(e)
                if k == len(weeks) - 1:
                    lasts.append(e)
        cov = "%.1f" % (100.0 * covered / ci_weeks) if has_ci and ci_weeks else ""
        if not errs:
            print("| %s | | | | | | | | %d |" % (label, missing))
            continue
        n = len(errs)
        bias = sum(errs) / n
        rmse = math.sqrt(sum(e * e for e in errs) / n)
        mae = sum(abs(e) for e in errs) / n
        if lasts:
            ml = sum(lasts) / len(lasts)
            sd = math.sqrt(sum((x - ml) ** 2 for x in lasts) / (len(lasts) - 1)) if len(lasts) > 1 else 0.0
            se = "%.2f" % (sd / math.sqrt(len(lasts)))
            ml, sd = "%+.2f" % ml, "%.2f" % sd
        else:
            ml = sd = se = ""
        print("| %s | %+.2f | %.2f | %.2f | %s | %s | %s | %s | %d |"
              % (label, bias, rmse, mae, cov, ml, sd, se, missing))


if __name__ == "__main__":
    main()
