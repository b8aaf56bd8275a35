#!/bin/sh
# make bench: techidx run against the decompressors on one generated dump.
#   sh bench/run.sh ./techidx            (ROWS=10000000 by default)
# The dump is made once with `techidx gen` and cached under bench/data/ (not
# committed). Every line is a median of 3 runs in this one invocation, so the
# ratios compare like with like on this machine.
set -eu
T=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROWS=${ROWS:-10000000}
REPS=${REPS:-3}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data
mkdir -p "$data"
gz=$data/contracts-$ROWS.csv.gz
csv=$data/contracts-$ROWS.csv
[ -s "$gz" ] || "$T" gen --rows "$ROWS" --seed 1 -o "$gz"
[ -s "$csv" ] || gzip -dc "$gz" > "$csv"
mb=$(wc -c < "$csv" | awk '{ printf "%.1f", $1 / 1e6 }')
gzmb=$(wc -c < "$gz" | awk '{ printf "%.1f", $1 / 1e6 }')

# measure LABEL CMD...: prints "LABEL median_wall_s peak_rss_kb"
measure() {
    label=$1
    shift
    : > "$data/.times"
    i=0
    while [ $i -lt "$REPS" ]; do
        /usr/bin/time -f '%e %M' -o "$data/.one" "$@" > /dev/null 2>"$data/.err" || {
            echo "bench: '$label' failed:" >&2
            cat "$data/.err" >&2
            exit 1
        }
        cat "$data/.one" >> "$data/.times"
        i=$((i + 1))
    done
    sort -n "$data/.times" | awk -v l="$label" '{ t[NR] = $1; if ($2 > m) m = $2 }
        END { printf "%s\t%s\t%d\n", l, t[int((NR + 1) / 2)], m }'
}

{
    measure "zcat FILE.gz" zcat "$gz"
    if command -v igzip > /dev/null 2>&1; then measure "igzip -dc FILE.gz" igzip -dc "$gz"; fi
    for t in 1 2; do
        for b in zlib isal; do
            measure "techidx --threads $t --inflate $b .gz" "$T" run -q --threads $t --inflate $b "$gz"
        done
        measure "techidx --threads $t FILE.csv" "$T" run -q --threads $t "$csv"
    done
    measure "techidx --cells (default) .gz" "$T" run -q --cells /dev/null "$gz"
    measure "techidx --ci (default) .gz" "$T" run -q --ci "$gz"
    measure "techidx --method time-dummy .gz" "$T" run -q --method time-dummy "$gz"
    measure "techidx --method time-dummy --ci .gz" "$T" run -q --method time-dummy --ci "$gz"
} > "$data/.results"

echo "techidx bench: $ROWS rows, $mb MB CSV, $gzmb MB gzip; $(nproc) cores; median of $REPS"
echo "$(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
awk -F'\t' -v rows="$ROWS" -v mb="$mb" '
    { label[NR] = $1; t[NR] = $2; rss[NR] = $3
      if ($1 ~ /^zcat/) z = $2
      if ($1 ~ /^igzip/) g = $2 }
    END {
      printf "| %-34s | %7s | %8s | %9s | %8s | %7s | %8s |\n", "what", "wall s", "MB/s", "Mrows/s", "peak RSS", "/ zcat", "/ igzip"
      printf "|%s|%s|%s|%s|%s|%s|%s|\n", "------------------------------------", "---------", "----------", "-----------", "----------", "---------", "----------"
      for (i = 1; i <= NR; i++) {
        s = t[i] > 0 ? t[i] : 0.01
        printf "| %-34s | %7.2f | %8.0f | %9.2f | %5.1f MB | %7.2f | %8s |\n", label[i], t[i],
               mb / s, rows / s / 1e6, rss[i] / 1024, t[i] / z, g ? sprintf("%.2f", t[i] / g) : "-"
      }
    }' "$data/.results"
