#!/bin/sh
# A release's index.html in a real browser (make html-test):
#   sh tests/html/browser.sh path/to/techidx [SHOT.png]
# publishes the bundled sample (samples/contracts.csv.gz) with --lang zh,
# renders its index.html in headless Chromium at 1280x2000 and at a phone's
# 390 px, and fails when a screenshot is blank (png.py) or when the page
# logs anything to the console. The page is rendered with a
# Content-Security-Policy of default-src 'none' (inline style allowed)
# added to its head, so that any resource it would load (a script, an
# image, a stylesheet, a font, even a file beside it) is refused with a
# console message; the page itself has no script, so it must log nothing.
# It must also print (to PDF, 1 to 10 pages).
# Before that, two pages made to fail check that the checks fail: one that
# loads an image and throws in a script, one that is blank. SHOT, when
# given, gets a copy of the wide screenshot (docs/release-html.png).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
T=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shot=${2:-}
PY=${PYTHON:-/usr/bin/python3}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# render PAGE PNG WIDTH HEIGHT: the screenshot, and the console's lines in
# PNG.console; fails when Chromium does or writes no screenshot.
render() {
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --host-resolver-rules='MAP * ~NOTFOUND' --hide-scrollbars \
        --user-data-dir="$profile" --enable-logging=stderr --v=0 \
        --screenshot="$2" --window-size="$3,$4" "file://$1" >"$2.log" 2>&1
    rc=$?
    grep ':CONSOLE' "$2.log" >"$2.console"
    if [ $rc != 0 ] || [ ! -s "$2" ]; then
        echo "browser.sh: chromium failed on $1 (exit $rc):" >&2
        tail -n 5 "$2.log" >&2
        return 1
    fi
}

# with_csp IN OUT: the page with the policy first in its head.
with_csp() {
    sed 's|<meta charset="utf-8">|&<meta http-equiv="Content-Security-Policy" content="default-src '"'"'none'"'"'; style-src '"'"'unsafe-inline'"'"'">|' "$1" >"$2"
    grep -q 'Content-Security-Policy' "$2" || { echo "browser.sh: no <meta charset> in $1" >&2; return 1; }
}

fail=0
# The checks must catch a page that loads something or has a script error...
cat >"$work/bad.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bad</title></head>
<body><h1>A broken page</h1><p>It loads an image beside it and throws.</p>
<img src="missing.png" alt=""><script>undefinedFunction();</script></body></html>
EOF
with_csp "$work/bad.html" "$work/bad-csp.html" && render "$work/bad-csp.html" "$work/bad.png" 800 600 || exit 1
if [ "$(grep -c . "$work/bad.png.console")" -lt 2 ]; then
    echo "browser.sh: the console check missed the broken page's errors:" >&2
    cat "$work/bad.png.console" >&2
    fail=1
fi
# ... and a blank one.
printf '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body></body></html>\n' >"$work/blank.html"
render "$work/blank.html" "$work/blank.png" 800 600 || exit 1
if "$PY" "$here/png.py" "$work/blank.png" >/dev/null 2>&1; then
    echo "browser.sh: png.py took a blank page for a rendered one" >&2
    fail=1
fi
[ $fail = 0 ] && echo "browser.sh: the checks catch a broken page and a blank one"

# The release.
"$T" publish --state "$work/st" --init -q --lang zh || exit 1
"$T" publish --state "$work/st" -q "$root/samples/contracts.csv.gz" || exit 1
page=$(ls "$work"/st/releases/*/index.html) || exit 1
with_csp "$page" "$work/page.html" || exit 1
for size in 1280x2000 390x1600; do
    w=${size%x*}
    h=${size#*x}
    png="$work/page-$w.png"
    render "$work/page.html" "$png" "$w" "$h" || { fail=1; continue; }
    if [ -s "$png.console" ]; then
        echo "browser.sh: $page at $size logs to the console:" >&2
        cat "$png.console" >&2
        fail=1
    fi
    "$PY" "$here/png.py" "$png" || fail=1
done
# Printed (@media print): a PDF of a few A4/Letter pages.
profile=$(mktemp -d "$work/profile.XXXXXX")
timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$profile" --no-pdf-header-footer \
    --print-to-pdf="$work/page.pdf" "file://$work/page.html" >"$work/pdf.log" 2>&1
pages=$(grep -ac '/Type /Page\b' "$work/page.pdf" 2>/dev/null)
if [ "$(head -c 5 "$work/page.pdf" 2>/dev/null)" != "%PDF-" ] || [ "${pages:-0}" -lt 1 ] ||
    [ "$pages" -gt 10 ]; then
    echo "browser.sh: printing $page gave no PDF of 1 to 10 pages (${pages:-0})" >&2
    fail=1
else
    echo "browser.sh: printed, $pages pages"
fi
if [ -n "$shot" ] && [ $fail = 0 ]; then
    cp "$work/page-1280.png" "$shot" && echo "browser.sh: wrote $shot"
fi
[ $fail = 0 ] && echo "browser.sh: index.html renders, wide and on a phone, with no console message"
exit $fail
