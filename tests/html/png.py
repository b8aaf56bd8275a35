"""Fails unless a PNG shows something: a page that rendered blank, or only
its background, has one colour, or a few pixels of another.

    /usr/bin/python3 tests/html/png.py SHOT.png [MIN_COLOURS [MIN_SHARE]]

Decodes the PNG with zlib alone (8-bit RGB or RGBA, not interlaced, as
Chromium writes it). Only the left STRIP pixels of each row are unfiltered:
PNG's filters read the pixels to the left and above, never to the right, so
a left strip decodes on its own, and pure Python stays quick. Prints the
size, the number of colours and the share of pixels that are not the
background (the most common colour) in the strip; fails below MIN_COLOURS
colours (default 8) or MIN_SHARE of non-background pixels (default 0.01).
"""
import struct
import sys
import zlib

STRIP = 640


def fail(msg):
    sys.stderr.write("png.py: %s\n" % msg)
    sys.exit(1)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail("%s is not a PNG" % path)
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    if not hdr:
        fail("%s has no IHDR" % path)
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        fail("%s: depth %d colour type %d interlace %d: not handled" % (path, depth, ctype, interlace))
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    if len(raw) != h * (stride + 1):
        fail("%s: %d bytes of image data, not %d" % (path, len(raw), h * (stride + 1)))
    sw = min(w, STRIP) * bpp
    prev = bytearray(sw)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:y * (stride + 1) + 1 + sw])
        if f == 1:
            for i in range(bpp, sw):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(sw):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(sw):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(sw):
                left = line[i - bpp] if i >= bpp else 0
                ul = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + paeth(left, prev[i], ul)) & 255
        elif f != 0:
            fail("%s: row %d has filter %d" % (path, y, f))
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    if len(sys.argv) < 2:
        fail("usage: png.py SHOT.png [MIN_COLOURS [MIN_SHARE]]")
    path = sys.argv[1]
    min_colours = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    min_share = float(sys.argv[3]) if len(sys.argv) > 3 else 0.01
    w, h, bpp, rows = decode(path)
    count = {}
    for line in rows:
        for i in range(0, len(line), bpp):
            px = line[i:i + 3]
            count[px] = count.get(px, 0) + 1
    total = sum(count.values())
    background = max(count.values())
    share = 1 - background / total
    print("%s: %dx%d, %d colours, %.1f%% not background in the left %d px"
          % (path, w, h, len(count), 100 * share, min(w, STRIP)))
    if len(count) < min_colours or share < min_share:
        fail("%s looks blank: %d colours, %.2f%% of the pixels not background"
             % (path, len(count), 100 * share))


if __name__ == "__main__":
    main()
