#!/bin/sh
# Regenerates the bundled samples with techidx gen (same bytes every time).
#   sh samples/make.sh ./techidx
# Each sample has its own id prefix, so their contract ids are distinct
# across the three and `run samples/* --dedup` rejects no duplicate_id.
set -eu
T=${1:-./techidx}
dir=$(dirname "$0")
"$T" gen --rows 100000 --seed 2024 --from 2022-01-03 --to 2024-12-29 --id-prefix SZ24- -o "$dir/contracts.csv.gz"
"$T" gen --rows 3000 --seed 86 --from 2024-01-01 --to 2024-12-29 --chinese --id-prefix ZH24- -o "$dir/contracts_zh.csv"
"$T" gen --rows 5000 --seed 4403 --from 2024-01-01 --to 2024-12-29 --dirty 0.03 --id-prefix DT24- -o "$dir/contracts_dirty.csv"
