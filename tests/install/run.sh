#!/bin/sh
# The installed library as a program outside this tree uses it.
#   sh tests/install/run.sh ROOT WORK
# ROOT holds `make install DESTDIR=ROOT PREFIX=/usr`. tests/install/hand.c
# is built with pkg-config's flags for techidx twice, against the shared
# library and (--static) against the static one, and each build must index
# tests/cli/data/hand.csv to the bytes of the golden case hand_fisher; the
# manual page must be in share/man/man1 (MAN_PAGE: the build's page, which
# it must equal).
set -eu
root=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$work"
export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig"
pc() { pkg-config --define-variable=prefix="$root/usr" "$@" techidx; }
CC=${CC:-cc}
fail=0

[ "$(pc --modversion)" = "$(sed -n 's/^.define TIX_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' \
    "$top/include/techidx/version.h" | paste -sd.)" ] || { echo "install: wrong Version in techidx.pc" >&2; fail=1; }
soname=$(readelf -d "$root"/usr/lib/libtechidx.so | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
echo "install: $(readlink "$root/usr/lib/libtechidx.so") has SONAME $soname"

# Shared: only -ltechidx; the library brings its own dependencies.
$CC -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$work/hand-shared" "$here/hand.c" \
    $(pc --cflags --libs)
# Static: libtechidx.a, and what it needs from Requires.private and
# Libs.private (the other libraries stay shared: Debian has no libisal.a).
$CC -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$work/hand-static" "$here/hand.c" \
    $(pc --cflags --static --libs | sed 's/-ltechidx\b/-l:libtechidx.a/')

if ! readelf -d "$work/hand-shared" | grep -q "NEEDED.*\[$soname\]"; then
    echo "install: hand-shared does not load $soname" >&2
    fail=1
fi
if readelf -d "$work/hand-static" | grep -q 'NEEDED.*libtechidx'; then
    echo "install: hand-static loads libtechidx" >&2
    fail=1
fi
for kind in shared static; do
    if ! LD_LIBRARY_PATH="$root/usr/lib" "$work/hand-$kind" "$top/tests/cli/data/hand.csv" \
        >"$work/$kind.out"; then
        echo "install: hand-$kind failed" >&2
        fail=1
    elif ! cmp -s "$work/$kind.out" "$top/tests/cli/cases/hand_fisher/stdout"; then
        echo "install: hand-$kind differs from the golden hand_fisher:" >&2
        diff -u "$top/tests/cli/cases/hand_fisher/stdout" "$work/$kind.out" >&2 || true
        fail=1
    else
        echo "install: hand-$kind gives the golden hand_fisher output"
    fi
done

# The manual page: the build's, where man looks for section 1 under the
# prefix (MAN_PAGE names the build's; man -w, when man-db is there, must
# find it by name).
man1=$root/usr/share/man/man1/techidx.1
if [ ! -f "$man1" ]; then
    echo "install: no manual page $man1" >&2
    fail=1
elif [ -n "${MAN_PAGE:-}" ] && ! cmp -s "$man1" "$MAN_PAGE"; then
    echo "install: $man1 is not the build's $MAN_PAGE" >&2
    fail=1
elif command -v man >/dev/null && [ "$(man -M "$root/usr/share/man" -w techidx 2>/dev/null)" != "$man1" ]; then
    echo "install: man -M $root/usr/share/man -w techidx does not find $man1" >&2
    fail=1
else
    echo "install: the manual page is $man1"
fi

# The Python package as installed, outside the tree, on the installed
# library found by the system loader (TECHIDX_LIB unset).
py=$root/usr/lib/python3/dist-packages
if ! (cd "$work" && env -u TECHIDX_LIB PYTHONPATH="$py" LD_LIBRARY_PATH="$root/usr/lib" \
    PYTHONDONTWRITEBYTECODE=1 "${PYTHON:-/usr/bin/python3}" -c '
import sys, techidx
root, hand, golden = sys.argv[1:4]
assert techidx.__file__.startswith(root + "/"), techidx.__file__
maps = [l.split()[-1] for l in open("/proc/self/maps") if "libtechidx" in l]
assert maps and all(m.startswith(root + "/usr/lib/") for m in maps), maps
assert techidx.run(hand, method="fisher").csv() == open(golden).read()
' "$root" "$top/tests/cli/data/hand.csv" "$top/tests/cli/cases/hand_fisher/stdout"); then
    echo "install: the Python package fails against the installed library" >&2
    fail=1
else
    echo "install: python3 -c \"import techidx\" indexes hand.csv to the golden hand_fisher"
fi
exit $fail
