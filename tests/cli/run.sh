#!/bin/sh
# CLI golden tests. Each tests/cli/cases/NAME/cmd is a shell script run in a
# fresh empty directory with TECHIDX (the binary, absolute) and DATA
# (tests/cli/data, absolute) set; its stdout, stderr and exit status must
# equal the files stdout, stderr and status beside it.
#   sh tests/cli/run.sh path/to/techidx          run all cases
#   UPDATE=1 sh tests/cli/run.sh path/to/techidx  rewrite the expected files
#                                                 (review the diff!)
#   VALGRIND=1 sh tests/cli/run.sh path/to/techidx
#       every techidx call runs under valgrind (memcheck, all leak kinds are
#       errors); any report lands in stderr and fails the case. Cases with a
#       file named `slow` are skipped there, and so are those with a file
#       named `no-valgrind` saying why valgrind cannot run them.
#   Cases with a file named `no-sanitizer` (saying why) are skipped when the
#   binary is built with ASan, UBSan or TSan (make test's san and tsan runs).
#   ONLY='parallel_* threads_*' sh tests/cli/run.sh ...   only the cases named
set -u
here=$(cd "$(dirname "$0")" && pwd)
TECHIDX=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
DATA=$here/data
pass=0
fail=0
skip=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${VALGRIND:-0}" = 1 ]; then
    real=$TECHIDX
    TECHIDX=$work/techidx-valgrind
    cat >"$TECHIDX" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=all \\
    --errors-for-leak-kinds=all --suppressions="$here/valgrind.supp" "$real" "\$@"
WRAP
    chmod +x "$TECHIDX"
fi
sanitized=0
ldd "$TECHIDX" 2>/dev/null | grep -q 'libasan\|libtsan\|libubsan' && sanitized=1
# LeakSanitizer leaves the chart's font libraries' caches alone (lsan.supp).
LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
export TECHIDX DATA
for dir in "$here"/cases/*/; do
    name=$(basename "$dir")
    if [ -n "${ONLY:-}" ]; then
        keep=0
        for pat in $ONLY; do
            case $name in $pat) keep=1 ;; esac
        done
        [ $keep = 1 ] || continue
    fi
    if [ "${VALGRIND:-0}" = 1 ] && { [ -e "$dir/slow" ] || [ -e "$dir/no-valgrind" ]; }; then
        skip=$((skip + 1))
        continue
    fi
    if [ $sanitized = 1 ] && [ -e "$dir/no-sanitizer" ]; then
        skip=$((skip + 1))
        continue
    fi
    tmp=$work/$name
    mkdir -p "$tmp/cwd"
    (cd "$tmp/cwd" && sh "$dir/cmd" >"$tmp/stdout" 2>"$tmp/stderr" </dev/null)
    echo $? >"$tmp/status"
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp/stdout" "$tmp/stderr" "$tmp/status" "$dir"
    fi
    ok=1
    for f in stdout stderr status; do
        if ! cmp -s "$tmp/$f" "$dir/$f"; then
            ok=0
            echo "FAIL $name: $f differs"
            diff -u "$dir/$f" "$tmp/$f" | head -20
        fi
    done
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "cli${VALGRIND:+ (valgrind)}: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
