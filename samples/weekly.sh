#!/bin/sh
# A year of weekly releases, as the publishing desk runs them: every Monday
# the week's dump arrives with a few contracts registered late for the four
# weeks before, and techidx publish writes that week's release.
#   sh samples/weekly.sh ./techidx [DIR]     (DIR default build/weekly)
# Same bytes every time: the dumps come from techidx gen with fixed seeds.
set -eu
T=${1:-./techidx}
dir=${2:-build/weekly}
rm -rf "$dir"
mkdir -p "$dir/dumps"
"$T" publish --state "$dir/state" --init --period week --min-contracts 5 -q
day() { # YYYY-MM-DD of 2024-W01 Monday + $1 days
    date -u -d "2024-01-01 + $1 days" +%F
}
w=1
while [ $w -le 52 ]; do
    week=$(printf '2024-W%02d' $w)
    mon=$(day $(( (w - 1) * 7 )))
    sun=$(day $(( (w - 1) * 7 + 6 )))
    files="$dir/dumps/$week.csv.gz"
    "$T" gen --rows 2000 --seed $((1000 + w)) --from "$mon" --to "$sun" -o "$dir/dumps/$week.csv.gz"
    if [ $w -gt 1 ]; then
        back=$(( w > 4 ? 4 : w - 1 ))
        "$T" gen --rows 150 --seed $((5000 + w)) --from "$(day $(( (w - 1 - back) * 7 )))" \
            --to "$(day $(( (w - 1) * 7 - 1 )))" -o "$dir/dumps/$week-late.csv.gz"
        files="$files $dir/dumps/$week-late.csv.gz"
    fi
    # shellcheck disable=SC2086 # the file list is ours, without spaces
    "$T" publish --state "$dir/state" --week "$week" -q $files
    printf '%s: %s periods revised\n' "$week" \
        "$(($(wc -l < "$dir/state/releases/$week/revisions.csv") - 1))"
    w=$((w + 1))
done
"$T" publish --state "$dir/state" --status
