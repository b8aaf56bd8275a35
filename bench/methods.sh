#!/bin/sh
# make methods: a simulation study of the index methods against a market
# whose truth is known (techidx gen's truth mode, src/gen/gen.h).
#   sh bench/methods.sh ./techidx          (SEEDS=100 by default, about 4 minutes on 2 cores)
#   SEEDS=5 WEEKLY=1000 sh bench/methods.sh ./techidx
# For each scenario and seed, gen draws a year of weekly data (2024-W01 to
# 2024-W52, WEEKLY contracts a week, 2000 by default) and the truth; every
# method below runs on the same dump with --period week; bench/methods.py
# compares each unit_value_index with the true level (and, for a method
# whose output has unit_value_index_lo and _hi, counts the weeks whose
# interval holds it) and prints one Markdown table per scenario. Dumps live in a temporary directory, removed
# at the end. Not part of make test: it measures, it does not check.
set -eu
T=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SEEDS=${SEEDS:-100}
WEEKLY=${WEEKLY:-2000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
ROWS=$((WEEKLY * 52))
RANGE="--from 2024-01-01 --to 2024-12-29"

# name|gen options|what it tests
scenarios='stable|--trend 0|a flat true level: noise and small-sample bias alone
trend|--trend 0.10|the true level up 10% a year
shift|--shift-development 0.2|a flat level, the development share (the large contracts) up 20 points
holidays|--holidays|a flat level, Spring Festival and National Day weeks with 1/5 of the contracts
return|--trend 0.10 --return-to-start|up (10% a year) and back to exactly 100: the last week measures chain drift
diverge|--diverge 0.10|half the sectors up 10% a year, half down 10%: relative prices move apart (not the time-dummy model)'

# label|run options; time-dummy only when this build has it, the --ci
# variants (a jackknife interval for every method) only when it has --ci.
methods='fisher chained, by sector|--method fisher --by sector
fisher chained, by sector,contract_type|--method fisher --by sector,contract_type
fisher fixed base, by sector|--method fisher --chain fixed --by sector
fisher chained, winsorize 0.99|--method fisher --by sector --winsorize 0.99
geks-fisher, by sector|--method geks-fisher --by sector
geks-fisher, by sector,contract_type|--method geks-fisher --by sector,contract_type
geks-tornqvist, by sector|--method geks-tornqvist --by sector
tpd, by sector|--method tpd --by sector
wtpd, by sector|--method wtpd --by sector
wtpd, by sector,contract_type|--method wtpd --by sector,contract_type
geary-khamis, by sector|--method geary-khamis --by sector
jevons, by sector|--method jevons --by sector'
if "$T" run --help 2>/dev/null | grep -q 'time-dummy'; then
    methods="$methods
time-dummy, by sector, hedonic sector|--method time-dummy --by sector --hedonic sector
time-dummy, by sector,contract_type,seller_type|--method time-dummy --by sector,contract_type,seller_type"
else
    echo "methods: this techidx has no --method time-dummy; skipped" >&2
fi
# --ci, not --ci-level (which time-dummy has for its own t interval).
if "$T" run --help 2>/dev/null | grep -Eq -- '(^|[ ,])--ci([ =]|$)'; then
    methods="$methods
fisher chained, by sector, --ci|--method fisher --by sector --ci
geks-fisher, by sector, --ci|--method geks-fisher --by sector --ci"
    if "$T" run --help 2>/dev/null | grep -q 'time-dummy'; then
        methods="$methods
time-dummy, by sector,contract_type,seller_type, --ci|--method time-dummy --by sector,contract_type,seller_type --ci
time-dummy, release default (by sector, --ci)|--method time-dummy --by sector --ci"
    fi
else
    echo "methods: this techidx has no --ci; the jackknife variants skipped" >&2
fi
printf '%s\n' "$methods" > "$work/methods"

echo "<!-- sh bench/methods.sh (SEEDS=$SEEDS WEEKLY=$WEEKLY), $(date -u '+%Y-%m-%d %H:%M UTC'),"
echo "     $("$T" --version 2>/dev/null | head -1), $(uname -sm), $(nproc) cores:" \
    "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //') -->"
printf '%s\n' "$scenarios" | while IFS='|' read -r name genopts what; do
    mkdir -p "$work/$name"
    seed=1
    while [ "$seed" -le "$SEEDS" ]; do
        d=$work/$name/$seed
        mkdir -p "$d"
        # shellcheck disable=SC2086 # the options are words
        "$T" gen --rows "$ROWS" --seed "$seed" $RANGE $genopts --truth "$d/truth.csv" \
            -o "$d/dump.csv"
        i=0
        while IFS='|' read -r label runopts; do
            i=$((i + 1))
            # shellcheck disable=SC2086
            "$T" run -q --period week $runopts -o "$d/m$i.csv" "$d/dump.csv" ||
                { echo "methods: $name seed $seed: '$label' failed" >&2; : > "$d/m$i.csv"; }
        done < "$work/methods"
        rm -f "$d/dump.csv"
        seed=$((seed + 1))
    done
    echo
    echo "### Scenario \`$name\`: $what"
    echo
    echo "\`techidx gen --rows $ROWS --seed 1..$SEEDS $RANGE $genopts --truth truth.csv\`," \
        "then \`techidx run --period week\` with the options of each row."
    echo
    python3 "$here/methods.py" "$work/$name" "$work/methods" "$SEEDS"
done
