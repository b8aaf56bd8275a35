#!/bin/bash
# Crash test for techidx publish (issue 11).
#
#   bash tests/crash/run.sh path/to/techidx
#
# Each scenario is a publish (or an --init) run from a snapshot of a state.
# It first runs uninterrupted (the reference, kept as a copy), then once per
# kill point with strace delivering SIGKILL on entry to the K-th call of one
# system call (the call itself never runs):
#
#   rename renameat renameat2 fsync fdatasync unlink unlinkat mkdir mkdirat
#   rmdir                   every call, K = 1, 2, ... until the run completes
#   open openat creat       only the calls that open the state.json write
#                           (path containing "state.json", opened for writing),
#                           found in a traced uninterrupted run
#
# strace counts `when=K` per system call and per tracee (thread), not over
# the set (man strace: "Accounting of syscalls that are subject to injection
# is done per syscall and per tracee"), so every call is looped on alone.
#
# After each kill:
#   publish scenarios: `publish --state st --status` must exit 0, the same
#     command run again (no strace) must exit 0, and st must then equal the
#     reference byte for byte (diff -r; only st/.lock is left out), with the
#     same file types and modes and no leftover (.tmp-*, *.tmp.*) anywhere in
#     st or beside it.
#   --init: either the state is already whole (--status exits 0) or --init
#     with the same options run again must exit 0; then st must equal the
#     reference of an uninterrupted --init.
# Two uninterrupted runs (one plain, one traced by strace) must give the
# reference tree too: a difference there is non-determinism, reported.
#
# Prints one line per scenario and ends with `crash: N passed, M failed`;
# exits 1 on any failure. Everything happens in a mktemp -d directory,
# removed on exit.
set -u

if [ $# -ne 1 ]; then
    echo "usage: bash tests/crash/run.sh path/to/techidx" >&2
    exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [ ! -x "$BIN" ]; then
    echo "crash: $BIN is not an executable" >&2
    exit 2
fi
STRACE=$(command -v strace) || {
    echo "crash: strace is needed (Debian package strace; make deps installs it)" >&2
    exit 2
}

W=$(mktemp -d "${TMPDIR:-/tmp}/techidx-crash.XXXXXX") || exit 2
case $W in
/?*/techidx-crash.??????) ;;
*)
    echo "crash: unexpected scratch directory '$W'" >&2
    exit 2
    ;;
esac
trap 'rm -rf -- "$W"' EXIT
trap 'exit 130' INT TERM
# Every command runs from here on the state `st`, so that the names stored in
# the state (dumps, paths) are the same in every run.
cd "$W" || exit 2
mkdir "$W/tmp" || exit 2
export LC_ALL=C

ALL_CALLS=rename,renameat,renameat2,fsync,fdatasync,unlink,unlinkat,mkdir,mkdirat,rmdir,open,openat,creat
EVERY_CALLS="rename renameat renameat2 fsync fdatasync unlink unlinkat mkdir mkdirat rmdir"
OPEN_CALLS="open openat creat"

pass=0
fail=0
total_kills=0

# ---- helpers ---------------------------------------------------------------

# The state from a snapshot in $W ("" for no state at all).
restore() {
    rm -rf -- "$W/st"
    if [ -n "$1" ]; then
        cp -a -- "$W/$1" "$W/st" || exit 2
    fi
}

# Path, type and mode of everything in a tree but the top .lock.
listing() {
    (cd "$1" && find . -path ./.lock -prune -o -printf '%P %y %m\n' | sort)
}

# What lies beside st and ref in $W.
beside() {
    find "$W" -mindepth 1 -maxdepth 1 ! -name st ! -name ref -printf '%f\n' | sort
}

# Differences between the reference $1 and st into $W/tmp/diff.out;
# returns 0 when there are none. Also names anything new beside st.
compare() {
    {
        diff -r -x .lock -- "$1" "$W/st"
        if [ -d "$1" ] && [ -d "$W/st" ]; then
            listing "$1" >"$W/tmp/list.ref"
            listing "$W/st" >"$W/tmp/list.st"
            diff "$W/tmp/list.ref" "$W/tmp/list.st" | sed 's/^/listing: /'
        fi
        beside | diff "$W/tmp/top.ls" - | sed 's/^/beside st: /'
    } >"$W/tmp/diff.out" 2>&1
    [ ! -s "$W/tmp/diff.out" ]
}

# Indents the first $2 lines of file $1 into the log.
show() {
    head -n "$2" "$1" | sed 's/^/    /'
}

# The last call of $1 in the strace log $2, shortened.
killed_call() {
    grep -E "^[0-9]+ +$1\(" "$2" | tail -n 1 | sed -E 's/^[0-9]+ +//; s/ += \?$//' | cut -c1-160
}

# ---- the dumps and the base state -------------------------------------------

gen() {
    "$BIN" gen --rows "$1" --seed "$2" --from "$3" --to "$4" -o "$5" >"$W/tmp/gen.out" 2>&1 || {
        echo "crash: setup: techidx gen failed for $5:" >&2
        cat "$W/tmp/gen.out" >&2
        exit 2
    }
}
# ISO weeks of 2024: W10 = 03-04..03-10, W11 = 03-11..03-17, W12 = 03-18..03-24,
# W13 = 03-25..03-31.
gen 300 1 2024-03-04 2024-03-17 d1.csv.gz   # W10-W11
gen 300 2 2024-03-11 2024-03-24 d2.csv.gz   # W11-W12
gen 150 3 2024-03-04 2024-03-24 late.csv.gz # late contracts for W10-W12
gen 300 4 2024-03-18 2024-03-31 d3.csv.gz   # W12-W13
INIT="publish --state st --init --period week --min-contracts 1 -q"

setup() {
    # shellcheck disable=SC2086
    "$BIN" $INIT &&
        "$BIN" publish --state st --week 2024-W11 -q d1.csv.gz &&
        "$BIN" publish --state st --week 2024-W12 -q d2.csv.gz
}
restore ""
if ! setup >"$W/tmp/setup.out" 2>&1; then
    echo "crash: setup: the base state could not be built:"
    show "$W/tmp/setup.out" 20
    echo "crash: 0 passed, 1 failed"
    exit 1
fi
cp -a st snap-base || exit 2
# The --replace scenario gives d2.csv.gz again with other content (the state
# keeps parts, never reads an old dump again).
gen 300 5 2024-03-11 2024-03-24 d2.csv.gz
rm -rf -- "$W/st"

# ---- one scenario -------------------------------------------------------------

# A failed check: the message, then the outputs and the differences.
report() { # what
    echo "FAIL: $scen: $1"
    if [ "$kind" = publish ] || [ "$status_rc" != 0 ]; then
        echo "  status exit $status_rc$([ "$status_rc" = 0 ] || echo ':')"
        [ "$status_rc" = 0 ] || show "$W/tmp/status.out" 5
    fi
    if [ -n "$rerun_rc" ]; then
        echo "  rerun exit $rerun_rc$([ "$rerun_rc" = 0 ] || echo ':')"
        [ "$rerun_rc" = 0 ] || show "$W/tmp/rerun.out" 5
    fi
    if [ -s "$W/tmp/diff.out" ]; then
        echo "  differences from the uninterrupted run (first 20 lines):"
        show "$W/tmp/diff.out" 20
    fi
}

# The checks after a kill: returns 0 when the state recovered.
check_recovery() { # the command
    status_rc=0
    rerun_rc=
    "$BIN" publish --state st --status >"$W/tmp/status.out" 2>&1 || status_rc=$?
    if [ "$kind" = init ] && [ "$status_rc" = 0 ]; then
        : # the state is whole already: no second --init
    else
        rerun_rc=0
        "$BIN" "$@" >"$W/tmp/rerun.out" 2>&1 </dev/null || rerun_rc=$?
    fi
    local same=0
    compare "$W/ref" || same=$?
    if [ "$kind" = publish ]; then
        [ "$status_rc" = 0 ] && [ "$rerun_rc" = 0 ] && [ $same = 0 ]
    else
        [ "${rerun_rc:-0}" = 0 ] && [ $same = 0 ]
    fi
}

kill_point() { # call K description, then the command
    local call=$1 k=$2 what=$3
    shift 3
    kills=$((kills + 1))
    # Whether the kill came after the new state.json was in place.
    if [ -f "$W/st/state.json" ] && cmp -s "$W/st/state.json" "$W/ref/state.json"; then
        what="$what (the new state.json already in place)"
    fi
    if check_recovery "$@"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        bad=$((bad + 1))
        report "$call #$k killed at $what"
    fi
}

# The command under strace, SIGKILL on entry to the K-th call $1.
run_killed() { # call K, then the command
    local call=$1 k=$2
    shift 2
    { "$STRACE" -f -qq -y -o "$W/tmp/kill.log" -e trace="$call" \
        -e inject="$call":signal=SIGKILL:when="$k" "$BIN" "$@" \
        >"$W/tmp/run.out" 2>&1 </dev/null; } 2>/dev/null
}

scenario() { # name kind snapshot, then the command
    scen=$1 kind=$2
    local snap=$3
    shift 3
    kills=0 bad=0
    local summary=""

    # The reference, a second plain run, and a traced run (the calls).
    restore "$snap"
    beside >"$W/tmp/top.ls"
    if ! "$BIN" "$@" >"$W/tmp/ref.out" 2>&1 </dev/null; then
        echo "FAIL: $scen: the uninterrupted run fails:"
        show "$W/tmp/ref.out" 10
        fail=$((fail + 1))
        return
    fi
    rm -rf -- "$W/ref"
    cp -a st ref || exit 2
    local nondet=""
    restore "$snap"
    "$BIN" "$@" >"$W/tmp/run.out" 2>&1 </dev/null || nondet="a second run exits $?"
    if [ -z "$nondet" ] && ! compare "$W/ref"; then
        nondet="a second uninterrupted run gives another tree"
    fi
    if [ -z "$nondet" ]; then
        restore "$snap"
        "$STRACE" -f -qq -o "$W/tmp/trace.log" -e trace="$ALL_CALLS" "$BIN" "$@" \
            >"$W/tmp/run.out" 2>&1 </dev/null || nondet="the traced run exits $?"
        if [ -z "$nondet" ] && ! compare "$W/ref"; then
            nondet="the run under strace gives another tree"
        fi
    fi
    if [ -n "$nondet" ]; then
        echo "FAIL: $scen: not deterministic: $nondet than the first:"
        show "$W/tmp/diff.out" 20
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
    scenario_checks "$snap" || { fail=$((fail + 1)); return; }

    # The calls of the main thread (the first in the log) and of the others.
    local main
    main=$(awk 'NR == 1 { print $1 }' "$W/tmp/trace.log")
    local call
    for call in $EVERY_CALLS; do
        local n others
        n=$(awk -v p="$main" -v c="$call(" '$1 == p && index($2, c) == 1' "$W/tmp/trace.log" | wc -l)
        others=$(awk -v p="$main" -v c="$call(" '$1 != p && index($2, c) == 1' "$W/tmp/trace.log" | wc -l)
        if [ "$others" -gt 0 ]; then
            echo "note: $scen: $others $call calls in other threads (strace counts them apart)"
        fi
        local k=1 done=0 before=$kills
        while [ $k -le $((n + others + 10)) ]; do
            restore "$snap"
            local rc=0
            run_killed "$call" "$k" "$@" || rc=$?
            if [ $rc = 0 ]; then
                done=1
                if ! compare "$W/ref"; then
                    echo "FAIL: $scen: not deterministic: the run that never reached $call #$k differs:"
                    show "$W/tmp/diff.out" 20
                    fail=$((fail + 1))
                fi
                if [ $((k - 1)) != "$n" ]; then
                    echo "note: $scen: $call: $((k - 1)) calls under injection, $n in the traced run"
                fi
                break
            fi
            if [ $rc != 137 ]; then
                echo "FAIL: $scen: $call #$k: the run exits $rc under strace, not killed:"
                show "$W/tmp/run.out" 5
                fail=$((fail + 1))
                done=1
                break
            fi
            kill_point "$call" "$k" "$(killed_call "$call" "$W/tmp/kill.log")" "$@"
            k=$((k + 1))
        done
        if [ $done = 0 ]; then
            echo "FAIL: $scen: $call: still killed after $((k - 1)) calls"
            fail=$((fail + 1))
        fi
        [ $kills = "$before" ] || summary="$summary $call $((kills - before))"
    done

    # The opens of the state.json write.
    local nopen=0
    for call in $OPEN_CALLS; do
        local ks before=$kills
        ks=$(awk -v p="$main" -v c="$call(" '
            $1 == p && index($2, c) == 1 {
                n++
                if ($0 ~ /state\.json/ && (c == "creat(" || $0 ~ /O_WRONLY|O_RDWR|O_CREAT/))
                    print n
            }' "$W/tmp/trace.log")
        local k
        for k in $ks; do
            restore "$snap"
            local rc=0
            run_killed "$call" "$k" "$@" || rc=$?
            local what
            what=$(killed_call "$call" "$W/tmp/kill.log")
            if [ $rc != 137 ] || ! printf '%s\n' "$what" | grep -q 'state\.json'; then
                echo "FAIL: $scen: $call #$k: expected the state.json write, got exit $rc at $what"
                fail=$((fail + 1))
                continue
            fi
            kill_point "$call" "$k" "$what" "$@"
        done
        [ $kills = "$before" ] || summary="$summary $call $((kills - before))"
        nopen=$((nopen + $(printf '%s\n' "$ks" | grep -c .)))
    done
    if [ $nopen = 0 ]; then
        echo "note: $scen: no open of a state.json write found in the traced run"
    fi

    total_kills=$((total_kills + kills))
    echo "crash: $scen: kill points by call:$summary"
    if [ $bad = 0 ]; then
        echo "crash: $scen: $kills kill points, all recovered"
    else
        echo "crash: $scen: $kills kill points, $bad not recovered"
    fi
}

# What each scenario's reference must show for the scenario to test what it
# says (a check of the harness, not of publish).
scenario_checks() { # snapshot
    local why=""
    case $scen in
    replace-week)
        [ -f ref/releases/2024-W12/revisions.csv ] &&
            [ "$(wc -l <ref/releases/2024-W12/revisions.csv)" -gt 1 ] ||
            why="release 2024-W12 has no revisions"
        cmp -s "$1/releases/2024-W12/index.csv" ref/releases/2024-W12/index.csv &&
            why="release 2024-W12 was not replaced"
        ;;
    new-week)
        [ -f ref/releases/2024-W13/MANIFEST ] && [ -d ref/releases/2024-W12 ] ||
            why="no release 2024-W13 beside 2024-W12"
        ;;
    replace-input)
        local old new
        old=$(find "$1/parts" -type f -printf '%f\n' | sort)
        new=$(find ref/parts -type f -printf '%f\n' | sort)
        [ "$(printf '%s\n' "$old" | wc -l)" = "$(printf '%s\n' "$new" | wc -l)" ] &&
            [ "$old" != "$new" ] ||
            why="the part of d2.csv.gz was not replaced"
        ;;
    init)
        [ -f ref/state.json ] || why="no state.json"
        ;;
    esac
    if [ -n "$why" ]; then
        echo "FAIL: $scen: setup: the uninterrupted run does not test this: $why"
        return 1
    fi
}

start=$SECONDS
scenario replace-week publish snap-base publish --state st --week 2024-W12 -q late.csv.gz
scenario new-week publish snap-base publish --state st --week 2024-W13 -q d3.csv.gz
scenario replace-input publish snap-base publish --state st --replace --week 2024-W12 -q d2.csv.gz
# shellcheck disable=SC2086
scenario init init "" $INIT
echo "crash: $total_kills kill points in 4 scenarios, $((SECONDS - start)) s"
echo "crash: $pass passed, $fail failed"
[ $fail = 0 ]
