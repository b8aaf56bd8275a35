"""Reads a workbook techidx wrote and prints what a person would check:
the sheets, their headers, the frozen pane, the chart and a few cells with
their types and number formats; then compares every cell with the CSV file
the sheet was made from (numbers equal as numbers, text equal, empty fields
empty, the display-name columns from the labels given).

usage: check.py BOOK.xlsx SHEET=FILE.csv ... [--labels VALUE=NAME ...]"""
import csv
import sys

import openpyxl

book = sys.argv[1]
sources, labels = {}, {}
for a in sys.argv[2:]:
    k, v = a.split("=", 1)
    if k.startswith("@"):
        labels[k[1:]] = v
    else:
        sources[k] = v

wb = openpyxl.load_workbook(book)
print("sheets:", wb.sheetnames)
print("title:", wb.properties.title, "| created:", wb.properties.created)
for ws in wb:
    print("==", ws.title, "| freeze", ws.freeze_panes, "| charts", len(ws._charts),
          "| rows", ws.max_row, "| cols", ws.max_column)
    print("  headers:", [c.value for c in ws[1]])
    print("  header bold:", all(c.font.b for c in ws[1]))
    row = ws[min(3, ws.max_row)]
    for c in row:
        print("  %s %r %s %s" % (c.coordinate, c.value, type(c.value).__name__, c.number_format))
    for ch in ws._charts:
        names = []
        for s in ch.series:
            names.append(s.tx.v if s.tx is not None else None)
        t = ch.title.tx.rich.p[0].r[0].t if ch.title is not None else None
        print("  chart:", type(ch).__name__, "| title", t, "| series", names)
        print("  chart refs:", [s.val.numRef.f for s in ch.series], ch.series[0].cat.strRef.f
              if ch.series[0].cat.strRef is not None else ch.series[0].cat.numRef.f)

# Every cell against the CSV.
for sheet, path in sources.items():
    ws = wb[sheet]
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    cells = list(ws.iter_rows(values_only=True))
    bad = 0
    checked = numbers = texts = empties = names = 0
    if len(cells) != len(rows):
        print(sheet, ": %d rows in the sheet, %d in the CSV" % (len(cells), len(rows)))
        bad += 1
    for r in range(1, min(len(rows), len(cells))):
        out = 0
        for c, raw in enumerate(rows[r]):
            v = cells[r][out]
            out += 1
            checked += 1
            by = out < len(cells[0]) and str(cells[0][out]).endswith(("(name)", "（名称）"))
            text_col = head[c] in ("period", "period_start", "period_end") or by
            if raw == "":
                empties += 1
                ok = v is None
            elif isinstance(v, str):
                texts += 1
                ok = v == raw and text_col  # numbers are never text
            else:
                numbers += 1
                ok = not text_col and isinstance(v, (int, float)) and v == float(raw)
            if not ok:
                bad += 1
                if bad < 5:
                    print(sheet, "row", r + 1, head[c], repr(raw), "->", repr(v))
            if by:  # the display names of the by-column, after it
                shown = cells[r][out]
                out += 1
                names += 1
                want = labels.get(raw)
                if want is not None and shown != want:
                    bad += 1
                    print(sheet, "row", r + 1, "name of", raw, "is", repr(shown), "not", want)
    print("%s: %d fields: %d numbers, %d texts, %d empty; %d display names; %s" %
          (sheet, checked, numbers, texts, empties, names,
           "all as in %s" % path.split("/")[-1] if bad == 0 else "%d DIFFER" % bad))
