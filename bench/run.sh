#!/bin/sh
# make bench: issue 17's table, on a quote-heavy and on a plain dump, in one
# invocation.
#   sh bench/run.sh ./techidx
#   ROWS=200000 REPS=1 sh bench/run.sh ./techidx       (a quick try)
# Environment: ROWS (default 3000000, as the issue's dump), REPS (3),
# QUOTED (0.6: the share of rows with a quoted note in the quote-heavy dump),
# GEKS_ROWS (ROWS: the rows of the 10-year dumps of the GEKS row).
#
# The dumps are made once with `techidx gen --seed 1` and cached under
# bench/data/ (not committed): the quote-heavy one with --quoted-notes
# $QUOTED, the plain one with gen's default notes (a tenth quoted), both
# written by gen as gzip at zlib's default level, 6 (what gzip -6 writes);
# the quote-heavy dump holds the same contracts as the plain one (gen.h), so
# the two give the same index, which the bench checks. `--period day
# --method geks-fisher` reads 10-year dumps of each kind (2015-01-01 to
# 2024-12-31), made apart, and its ratio is to igzip on that dump. Remove
# bench/data/ to make the dumps again (after a change to gen, say).
#
# Every command runs REPS times, round robin (each round runs every command
# once), so that a slow spell of a shared machine falls on all of them
# alike; a row is the median wall time, and the largest peak RSS (GNU time's
# %M) of its runs. Every techidx run uses 2 threads, as the issue's targets
# (the default on a 2-core machine, given explicitly so that it holds on any),
# but the rows that say --threads 1. Ratios are to `igzip -dc FILE >
# /dev/null` on the same file in this invocation (x zcat: to `zcat FILE >
# /dev/null`). Sizes are in MB of 10^6 bytes, RSS in MB of 2^20 bytes.
set -eu
[ $# -ge 1 ] || { echo "usage: sh bench/run.sh path/to/techidx" >&2; exit 2; }
T=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROWS=${ROWS:-3000000}
REPS=${REPS:-3}
QUOTED=${QUOTED:-0.6}
GEKS_ROWS=${GEKS_ROWS:-$ROWS}
for tool in igzip zcat /usr/bin/time; do
    command -v $tool > /dev/null 2>&1 || { echo "bench needs $tool (apt-get install time isal)" >&2; exit 1; }
done
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data
work=$data/.run
rm -rf "$work"
mkdir -p "$work/times" "$work/out"

# ---- the dumps ------------------------------------------------------------
# dump FILE GEN-OPTION...: FILE made by gen once (gen writes it under a
# temporary name and renames it into place when complete).
dump() {
    f=$1
    shift
    if [ ! -s "$f" ]; then
        echo "bench: making $(basename "$f"): techidx gen --seed 1 $*" >&2
        "$T" gen --seed 1 "$@" -o "$f"
    fi
}
q_gz=$data/quoted$QUOTED-$ROWS.csv.gz
p_gz=$data/plain-$ROWS.csv.gz
q_gz10=$data/quoted$QUOTED-10y-$GEKS_ROWS.csv.gz
p_gz10=$data/plain-10y-$GEKS_ROWS.csv.gz
dump "$q_gz" --rows "$ROWS" --quoted-notes "$QUOTED"
dump "$p_gz" --rows "$ROWS"
dump "$q_gz10" --rows "$GEKS_ROWS" --quoted-notes "$QUOTED" --from 2015-01-01 --to 2024-12-31
dump "$p_gz10" --rows "$GEKS_ROWS" --from 2015-01-01 --to 2024-12-31
q_csv=${q_gz%.gz}
p_csv=${p_gz%.gz}
for f in "$q_csv" "$p_csv"; do
    [ -s "$f" ] || { igzip -dc "$f.gz" > "$f.tmp" && mv "$f.tmp" "$f"; }
done
# In the page cache before the first timing.
cat "$q_gz" "$p_gz" "$q_gz10" "$p_gz10" "$q_csv" "$p_csv" > /dev/null

# ---- the runs -------------------------------------------------------------
# The rows of each dump's table, in order; `rowspec KEY` below says what each
# runs and the issue's targets.
KEYS="igzip zcat default cells winsorize ci time-dummy dedup igzip10 geks csv
      t1 t1-zlib zlib t1-csv"

# timeit NAME CMD...: one run, its wall time in microseconds (date's, finer
# than GNU time's %e, which rounds small dumps' runs to 10 ms) and peak RSS
# in KB (GNU time's %M) appended to times/NAME; techidx's output kept in out/NAME (a decompressor's goes to
# /dev/null, as the issue's igzip -dc FILE > /dev/null).
timeit() {
    name=$1
    shift
    sink=$work/out/$name
    case $name in *-igzip* | *-zcat) sink=/dev/null ;; esac
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$work/rss" "$@" > "$sink" 2> "$work/err" || {
        echo "bench: '$*' failed:" >&2
        cat "$work/err" >&2
        exit 1
    }
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000)) $(tail -1 "$work/rss")" >> "$work/times/$name"
}

rep=1
while [ $rep -le "$REPS" ]; do
    echo "bench: round $rep of $REPS" >&2
    for kind in quoted plain; do
        if [ $kind = quoted ]; then gz=$q_gz csv=$q_csv gz10=$q_gz10; else gz=$p_gz csv=$p_csv gz10=$p_gz10; fi
        for key in $KEYS; do
            case $key in
                igzip) set -- igzip -dc "$gz" ;;
                zcat) set -- zcat "$gz" ;;
                default) set -- "$T" run -q --threads 2 "$gz" ;;
                cells) set -- "$T" run -q --threads 2 --cells /dev/null "$gz" ;;
                winsorize) set -- "$T" run -q --threads 2 --winsorize 0.99 "$gz" ;;
                ci) set -- "$T" run -q --threads 2 --ci "$gz" ;;
                time-dummy) set -- "$T" run -q --threads 2 --method time-dummy "$gz" ;;
                dedup) set -- "$T" run -q --threads 2 --dedup "$gz" ;;
                igzip10) set -- igzip -dc "$gz10" ;;
                geks) set -- "$T" run -q --threads 2 --period day --method geks-fisher "$gz10" ;;
                csv) set -- "$T" run -q --threads 2 "$csv" ;;
                t1) set -- "$T" run -q --threads 1 "$gz" ;;
                t1-zlib) set -- "$T" run -q --threads 1 --inflate zlib "$gz" ;;
                zlib) set -- "$T" run -q --threads 2 --inflate zlib "$gz" ;;
                t1-csv) set -- "$T" run -q --threads 1 "$csv" ;;
            esac
            timeit "$kind-$key" "$@"
        done
    done
    rep=$((rep + 1))
done

# ---- the table ------------------------------------------------------------
# rowspec KEY: label|base of the ratio|ratio target|RSS target (MB), "" none.
# A ratio target ">=N" is in GB/s of CSV. The backquotes are Markdown's.
# shellcheck disable=SC2016
rowspec() {
    case $1 in
        igzip) echo '`igzip -dc FILE > /dev/null`|igzip||' ;;
        zcat) echo '`zcat FILE > /dev/null`|igzip||' ;;
        default) echo 'default|igzip|1.25|64' ;;
        cells) echo '`--cells`|igzip|1.5|64' ;;
        winsorize) echo '`--winsorize 0.99`|igzip|1.5|64' ;;
        ci) echo '`--ci`|igzip|1.5|64' ;;
        time-dummy) echo '`--method time-dummy`|igzip|1.5|64' ;;
        dedup) echo '`--dedup`|igzip|2.0|160' ;;
        igzip10) echo '`igzip -dc FILE > /dev/null`, 10-year dump|igzip10||' ;;
        geks) echo '`--period day --method geks-fisher`, 10-year dump|igzip10|2.0|64' ;;
        csv) echo 'plain CSV (FILE.csv), default|igzip|>=1.5|64' ;;
        t1) echo '`--threads 1`|igzip||' ;;
        t1-zlib) echo '`--threads 1 --inflate zlib` (x zcat)|igzip||' ;;
        zlib) echo '`--inflate zlib`|igzip||' ;;
        t1-csv) echo '`--threads 1`, plain CSV|igzip||' ;;
    esac
}

# median NAME: "median_us max_rss_kb"
median() {
    sort -n "$work/times/$1" | awk '{ t[NR] = $1; if ($2 > m) m = $2 }
        END { print t[int((NR + 1) / 2)], m }'
}

bytes() { wc -c < "$1" | tr -d ' '; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
[ -n "$cpu" ] || cpu=$(uname -p)
cores=$(grep -c '^processor' /proc/cpuinfo)
phys=$(lscpu 2> /dev/null | awk -F: '/^Core\(s\) per socket/ { c = $2 } /^Socket\(s\)/ { s = $2 }
    END { if (c && s) printf "%d", c * s }')
simd=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -x 'sse4_2\|avx2\|avx512bw\|avx512vbmi' | tr '\n' ' ' | sed 's/ $//')
memgb=$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
rev=$(git -C "$here" rev-parse --short HEAD 2> /dev/null || echo "?")
dirty=
if git -C "$here" status --porcelain --untracked-files=no 2> /dev/null | grep -q .; then dirty=", modified"; fi

echo "## techidx bench, $(date -u '+%Y-%m-%d %H:%M') UTC"
echo
echo "- machine: $cpu; $cores cores${phys:+ ($phys physical)}; \`uname -m\` $(uname -m); SIMD: ${simd:-none of sse4_2 avx2 avx512bw}; $memgb GiB"
echo "- $("$T" --version | head -1) (git $rev$dirty), igzip $(igzip --version 2>&1 | head -1 | sed 's/.* //'), zcat: $(zcat --version | head -1)"
echo "- $REPS run(s) of each command, round robin, the median; peak RSS the largest of the runs; 2 threads (\`--threads 2\`) but the rows that say --threads 1"
echo "- ratio: wall time over \`igzip -dc FILE > /dev/null\`'s on the same file in this run; MB/s: MB of CSV (10^6 bytes) a second; RSS in MB of 2^20 bytes"

for kind in quoted plain; do
    if [ $kind = quoted ]; then gz=$q_gz csv=$q_csv gz10=$q_gz10; else gz=$p_gz csv=$p_csv gz10=$p_gz10; fi
    csvb=$(bytes "$csv")
    csv10b=$(igzip -dc "$gz10" | wc -c | tr -d ' ')
    total=$(grep -c '^TC' "$csv" || true)
    quoted=$(grep '^TC' "$csv" | grep -c '"' || true)
    share=$(awk -v q="$quoted" -v n="$total" 'BEGIN { printf "%.1f", n ? 100 * q / n : 0 }')
    echo
    if [ $kind = quoted ]; then
        echo "### quote-heavy dump: \`techidx gen --rows $ROWS --seed 1 --quoted-notes $QUOTED\`"
    else
        echo "### plain dump (gen's default notes): \`techidx gen --rows $ROWS --seed 1\`"
    fi
    echo
    echo "$ROWS rows, $share% with a quoted note (commas, doubled quotes, line breaks), $(mb "$csvb") MB CSV, $(mb "$(bytes "$gz")") MB gzip -6; 10-year dump (\`--rows $GEKS_ROWS --from 2015-01-01 --to 2024-12-31\`, made apart): $(mb "$csv10b") MB CSV, $(mb "$(bytes "$gz10")") MB gzip -6"
    echo
    for key in $KEYS; do
        echo "$key|$(rowspec "$key")|$(median "$kind-$key")"
    done > "$work/rows-$kind"
    z=$(median $kind-zcat | cut -d' ' -f1)
    awk -F'|' -v csvb="$csvb" -v csv10b="$csv10b" -v z="$z" '
        { key[NR] = $1; label[NR] = $2; base[NR] = $3; rt[NR] = $4; mt[NR] = $5
          split($6, m, " "); us[NR] = m[1]; rss[NR] = m[2]; at[$1] = m[1] }
        END {
          print "| run | wall s | MB/s | ratio | target | peak RSS | target | met |"
          print "| --- | ---: | ---: | ---: | --- | ---: | --- | --- |"
          for (i = 1; i <= NR; i++) {
            b = base[i] == "igzip10" ? csv10b : csvb
            s = us[i] / 1e6
            mbs = s > 0 ? b / 1e6 / s : 0
            ratio = at[base[i]] > 0 ? us[i] / at[base[i]] : 0
            rs = sprintf("%.2f", ratio)
            if (key[i] == "csv")
              rs = sprintf("%.2f GB/s (%.2f)", mbs / 1000, ratio)
            if (key[i] == "t1-zlib" && z > 0)
              rs = rs sprintf(" (%.2f x zcat)", us[i] / z)
            tgt = ""; ok = ""; why = ""
            if (rt[i] ~ /^>=/) {
              g = substr(rt[i], 3)
              tgt = "≥ " g " GB/s"
              if (mbs < g * 1000) why = "speed"
            } else if (rt[i] != "") {
              tgt = "≤ " rt[i]
              if (ratio > rt[i] + 0) why = "ratio"
            }
            mtg = ""
            if (mt[i] != "") {
              mtg = "≤ " mt[i] " MB"
              if (rss[i] / 1024 > mt[i] + 0) why = why (why != "" ? ", " : "") "RSS"
            }
            if (tgt != "" || mtg != "")
              ok = why == "" ? "yes" : "**no** (" why ")"
            if (why != "") failed++
            if (ok != "") targets++
            fmt = "| %s | %.3f | %." (mbs < 100 ? 1 : 0) "f | %s | %s | %.1f MB | %s | %s |\n"
            printf fmt, label[i], s, mbs, rs, tgt, rss[i] / 1024, mtg, ok
          }
          printf "\n%d of %d rows meet their targets\n", targets - failed, targets
        }' "$work/rows-$kind"
done

# Same input, same bytes out: the quote-heavy dump holds the plain dump's
# contracts, and neither threads nor back end nor a plain CSV may change a
# byte.
echo
same=1
for kind in quoted plain; do
    for key in t1 t1-zlib zlib csv t1-csv; do
        cmp -s "$work/out/plain-default" "$work/out/$kind-$key" || {
            echo "- **differ**: the index of $kind \`$key\` is not the plain dump's default's"
            same=0
        }
    done
done
cmp -s "$work/out/plain-default" "$work/out/quoted-default" || {
    echo "- **differ**: the quote-heavy and the plain dump give other indices"
    same=0
}
cmp -s "$work/out/plain-geks" "$work/out/quoted-geks" || {
    echo "- **differ**: the quote-heavy and the plain 10-year dump give other GEKS indices"
    same=0
}
[ $same = 0 ] || echo "- the index is the same bytes from both dumps, with 1 or 2 threads, zlib or isal, gzip or plain CSV (and GEKS from both 10-year dumps)"
[ $same = 1 ] # a difference is a bug: make bench fails
