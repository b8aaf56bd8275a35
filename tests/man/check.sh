#!/bin/sh
# The manual page against the command line that wrote it.
#   sh tests/man/check.sh path/to/techidx path/to/techidx.1
# 1. groff formats the page with every warning on (-ww) and says nothing.
# 2. The page as man shows it (groff -man -Tutf8) has a part for each command
#    of `techidx --help` under OPTIONS, and that part lists as its entries
#    exactly the long options of the command's --help: an option the page
#    leaves out, or one it lists for the wrong command, fails here.
# 3. Its .TH names the binary's version, and no placeholder is left.
set -eu
techidx=$1
page=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

if ! groff -man -ww -z -Tutf8 "$page" 2>"$work/warnings"; then
    echo "man-check: groff fails on $page" >&2
    fail=1
fi
if [ -s "$work/warnings" ]; then
    echo "man-check: groff warns about $page:" >&2
    cat "$work/warnings" >&2
    fail=1
fi

# Plain text (no SGR, no overstriking), 78 columns as groff's default.
groff -man -Tutf8 -P-cbou "$page" >"$work/page.txt" 2>/dev/null
# A command's part: from its heading "   techidx CMD" to the next heading.
# Its entries (.TP): a line at indent 7 that starts with '-' after the
# heading or a blank line. The tag is its words up to the first that is no
# option and has a lower-case letter (not a metavar: F, COL[,COL]): a tag
# of up to 6 columns (--ci, --init) has its text on the same line.
entries() {
    awk -v cmd="techidx $1" '
        /^   [^ ]/ { inside = ($0 == "   " cmd); blank = 1; next }
        /^[^ ]/ { inside = 0 }
        inside && blank && /^       -/ {
            n = split($0, w, " ")
            for (i = 1; i <= n && (w[i] ~ /^-/ || w[i] !~ /[a-z]/); i++) print w[i]
        }
        { blank = ($0 == "") }' "$work/page.txt" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}
# The long options of a command's --help: the names of its option lines,
# indented 2 (6 in gen, where options without a short one line up).
helped() {
    "$techidx" "$1" --help | grep -E '^  (    )?-' | sed 's/^ *//; s/  .*//' |
        grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

cmds=$("$techidx" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$cmds" ] || { echo "man-check: no commands in techidx --help" >&2; exit 1; }
for cmd in $cmds; do
    if ! grep -qx "   techidx $cmd" "$work/page.txt"; then
        echo "man-check: OPTIONS has no part for techidx $cmd" >&2
        fail=1
        continue
    fi
    helped "$cmd" >"$work/help.$cmd"
    entries "$cmd" >"$work/page.$cmd"
    if [ ! -s "$work/help.$cmd" ]; then
        echo "man-check: techidx $cmd --help lists no options" >&2
        fail=1
    elif ! diff "$work/help.$cmd" "$work/page.$cmd" >"$work/diff.$cmd"; then
        echo "man-check: techidx $cmd: the options of --help (<) and of the page (>) differ:" >&2
        grep '^[<>]' "$work/diff.$cmd" >&2
        fail=1
    else
        echo "man-check: techidx $cmd: the page lists the $(wc -l <"$work/help.$cmd") long options of --help"
    fi
done

version=$("$techidx" --version | sed 's/^techidx //')
if ! head -n 20 "$page" | grep -q "^\.TH TECHIDX 1 \"\" \"techidx $version\""; then
    echo "man-check: the .TH line of $page does not name techidx $version" >&2
    fail=1
fi
if grep -n '@[A-Z]*@' "$page" >&2; then
    echo "man-check: placeholders left in $page" >&2
    fail=1
fi
[ $fail = 0 ] && echo "man-check: groff -ww formats $page without a warning"
exit $fail
