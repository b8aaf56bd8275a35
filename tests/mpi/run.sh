#!/bin/sh
# techidx-mpi on one machine: mpirun with 1, 2 and 3 ranks over loopback
# must write byte for byte what techidx run writes on the same multi-file
# dump (index CSV and JSON, cells, contributions, rejects), and a rank that
# fails must fail the job with its rank and file named.
#   sh tests/mpi/run.sh build/techidx-mpi build/techidx
set -u
MPI=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# Root in containers: allow it, allow more ranks than cores, and no
# cross-memory attach (ptrace is often not permitted there).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMPI_MCA_rmaps_base_oversubscribe=1
run_mpi() { mpirun --oversubscribe --allow-run-as-root -np "$@"; }
fail=0
"$T" gen --rows 150000 --seed 1 -o a.csv.gz &&
"$T" gen --rows 40000 --seed 2 --dirty 0.02 -o b.csv &&
"$T" gen --rows 90000 --seed 3 --from 2023-01-01 -o c.csv.gz &&
"$T" gen --rows 3000 --seed 4 --chinese -o d.csv &&
"$T" gen --rows 20000 --seed 5 --dirty 0.01 -o e.csv.gz || exit 1
files="a.csv.gz b.csv c.csv.gz d.csv e.csv.gz"
for opts in "--method fisher" "--method geks-fisher --window 30 --period month --by seller_region"; do
    # shellcheck disable=SC2086
    "$T" run -q $opts --cells c0.csv --rejects r0.csv -o i0.csv $files || exit 1
    # shellcheck disable=SC2086
    "$T" run -q $opts --format json -o i0.json $files || exit 1
    for np in 1 2 3; do
        # shellcheck disable=SC2086
        run_mpi $np "$MPI" run -q $opts --cells c.csv --rejects r.csv -o i.csv $files &&
        # shellcheck disable=SC2086
        run_mpi $np "$MPI" run -q $opts --format json -o i.json $files
        rc=$?
        if [ $rc = 0 ] && cmp -s i0.csv i.csv && cmp -s c0.csv c.csv && cmp -s r0.csv r.csv &&
            cmp -s i0.json i.json; then
            echo "ok: $np rank(s), $opts: index, JSON, cells and rejects identical to run"
        else
            echo "FAIL: $np rank(s), $opts (exit $rc)"
            fail=1
        fi
    done
done
"$T" run -q --contributions k0.csv -o /dev/null $files &&
run_mpi 3 "$MPI" run -q --contributions k.csv -o /dev/null $files && cmp -s k0.csv k.csv &&
    echo "ok: 3 ranks: contributions identical" || { echo "FAIL: contributions"; fail=1; }
# Cells of several columns and the sub-indices of one of them.
by="--by buyer_region,seller_region,sector --group seller_region"
# shellcheck disable=SC2086
"$T" run -q $by --groups g0.csv --cells c0.csv -o i0.csv $files &&
# shellcheck disable=SC2086
run_mpi 3 "$MPI" run -q $by --groups g.csv --cells c.csv -o i.csv $files &&
    cmp -s g0.csv g.csv && cmp -s c0.csv c.csv && cmp -s i0.csv i.csv &&
    echo "ok: 3 ranks: --by of three columns with --group: index, cells and groups identical" ||
    { echo "FAIL: --by three columns --group"; fail=1; }
# The jackknife's replicate groups through the ranks (--ci).
ci="--ci --ci-groups 7 --method time-dummy --by sector,contract_type --group contract_type"
# shellcheck disable=SC2086
"$T" run -q $ci --groups cg0.csv -o ci0.csv $files &&
# shellcheck disable=SC2086
run_mpi 3 "$MPI" run -q $ci --groups cg.csv -o ci.csv $files &&
    cmp -s cg0.csv cg.csv && cmp -s ci0.csv ci.csv &&
    echo "ok: 3 ranks: --ci with time-dummy and --group: index and groups identical" ||
    { echo "FAIL: --ci"; fail=1; }
# The year-over-year series of every kind of method, as run writes them.
for m in geary-khamis wtpd tpd geks-jevons; do
    "$T" run -q --period month --year-over-year --method $m $files > y0.csv &&
    run_mpi 3 "$MPI" run -q --period month --year-over-year --method $m $files > y.csv &&
    cmp -s y0.csv y.csv && echo "ok: 3 ranks: --year-over-year --method $m identical" ||
    { echo "FAIL: --year-over-year --method $m"; fail=1; }
done
# Without -o the index goes to stdout, from rank 0 only; --help too.
"$T" run -q $files > s0.csv &&
run_mpi 3 "$MPI" run -q $files > s.csv && cmp -s s0.csv s.csv &&
    echo "ok: 3 ranks: the index on stdout identical" || { echo "FAIL: stdout"; fail=1; }
run_mpi 2 "$MPI" run --help > h.txt && [ "$(grep -c '^Usage: mpirun' h.txt)" = 1 ] &&
    grep -q -- '--max-memory MIB' h.txt &&
    echo "ok: --help once, with run's options" || { echo "FAIL: --help"; fail=1; }
# A damaged file fails its rank and the job, named.
head -c 20000 c.csv.gz > cut.csv.gz
run_mpi 3 "$MPI" run -q -o never.csv a.csv.gz cut.csv.gz d.csv > /dev/null 2> err.txt
rc=$?
if [ $rc = 1 ] && grep -q '^techidx-mpi: rank [0-2]: cut.csv.gz: truncated gzip' err.txt &&
    [ ! -e never.csv ]; then
    echo "ok: a failed rank fails the job: $(cat err.txt)"
else
    echo "FAIL: failed rank (exit $rc): $(cat err.txt)"
    fail=1
fi
run_mpi 2 "$MPI" run --method nope a.csv.gz > /dev/null 2> err.txt
rc=$?
if [ $rc = 2 ] && [ "$(grep -c 'must be' err.txt)" = 1 ]; then
    echo "ok: a usage error is said once, exit 2"
else
    echo "FAIL: usage error (exit $rc): $(cat err.txt)"
    fail=1
fi
# One dump under two names would be counted twice, on two ranks.
run_mpi 2 "$MPI" run -q -o never.csv b.csv ./b.csv > /dev/null 2> err.txt
rc=$?
if [ $rc = 2 ] && [ "$(grep -c "'b.csv' and './b.csv' are the same input" err.txt)" = 1 ] &&
    [ ! -e never.csv ]; then
    echo "ok: a repeated input is refused once, exit 2"
else
    echo "FAIL: repeated input (exit $rc): $(cat err.txt)"
    fail=1
fi
run_mpi 2 "$MPI" run -q --allow-repeats -o i2.csv b.csv ./b.csv &&
    "$T" run -q --allow-repeats -o i1.csv b.csv ./b.csv && cmp -s i1.csv i2.csv &&
    echo "ok: --allow-repeats: identical to run" || { echo "FAIL: --allow-repeats"; fail=1; }
exit $fail
