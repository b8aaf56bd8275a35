"""techidx.run against `techidx run` on the golden inputs: the same bytes,
hence the same values; counts, rejects, errors and keywords."""

import datetime
import decimal
import os
import re
import subprocess
import sys

import pytest

import techidx
from techidx import _tables
from conftest import CASES, CLI, TOP, as_keywords, data

BALK = data("balk", "contracts.csv")

# (CLI options, keywords, extra tables): the golden cases' inputs and options.
CASES_RUN = [
    ("hand", ["--method", "fisher"], dict(method="fisher"), []),
    ("hand", [], {}, ["cells"]),
    ("hand", ["--period", "day", "--by", "seller_region"], dict(period="day", by="seller_region"),
     []),
    ("hand", ["--period", "month", "--by", "contract_type", "--measure", "amount", "--method",
              "tornqvist"],
     dict(period="month", by="contract_type", measure="amount", method="tornqvist"), []),
    ("hand", ["--base", "2024-W11", "--chain", "fixed", "--method", "laspeyres"],
     dict(base="2024-W11", chain="fixed", method="laspeyres"), ["cells"]),
    ("balk", ["--period", "month", "--method", "fisher"], dict(period="month", method="fisher"),
     ["contributions", "cells"]),
    ("balk", ["--period", "month", "--min-contracts", "10"], dict(period="month", min_contracts=10),
     ["cells"]),
    ("balk", ["--period", "month", "--method", "geks-tornqvist", "--window", "3", "--winsorize",
              "0.9"], dict(period="month", method="geks-tornqvist", window=3, winsorize=0.9),
     ["cells"]),
    ("balk", ["--period", "month", "--year-over-year"], dict(period="month", year_over_year=True),
     []),
    ("zh", ["--by", "contract_type"], dict(by="contract_type"), []),
    ("hand", ["--by", "sector,contract_type", "--method", "time-dummy", "--window", "3",
              "--splice", "movement", "--kennedy", "--ci-level", "0.9", "--hedonic", "sector"],
     dict(by="sector,contract_type", method="time-dummy", window=3, splice="movement",
          kennedy=True, ci_level=0.9, hedonic="sector"), []),
    ("balk", ["--period", "month", "--method", "time-dummy"],
     dict(period="month", method="time-dummy"), ["cells"]),
    ("balk", ["--period", "month", "--ci", "--ci-groups", "5", "--ci-level", "0.9"],
     dict(period="month", ci=True, ci_groups=5, ci_level=0.9), ["cells"]),
    ("hand", ["--by", "sector,contract_type", "--method", "time-dummy", "--ci", "--group",
              "contract_type"],
     dict(by="sector,contract_type", method="time-dummy", ci=True, group="contract_type"),
     ["groups"]),
    ("dirty", ["--from", "2024-03-05", "--to", "2024-03-20"],
     dict(to=datetime.date(2024, 3, 20), **{"from": "2024-03-05"}), []),
]

FILES = {"hand": data("hand.csv"), "balk": BALK, "zh": data("zh.csv"), "dirty": data("dirty.csv")}


@pytest.mark.parametrize("name,args,kwargs,extra", CASES_RUN,
                         ids=["%s %s" % (c[0], " ".join(c[1])) for c in CASES_RUN])
def test_run_gives_the_bytes_and_values_of_the_cli(cli, name, args, kwargs, extra):
    outs = []
    for t in extra:
        outs += ["--" + t, t + ".csv"]
    p = cli("run", "-q", *args, *outs, FILES[name])
    r = techidx.run([FILES[name]], **kwargs, **{t: True for t in extra})
    assert r.csv("index").encode() == p.stdout
    assert r.index == _tables.rows(p.stdout)
    for t in extra:
        want = cli.read(t + ".csv")
        assert r.csv(t).encode() == want
        assert getattr(r, t) == _tables.rows(want)
        assert len(getattr(r, t)) > 0
    for t in {"cells", "contributions"} - set(extra):
        assert getattr(r, t) is None


def test_the_readme_example_equals_the_golden_output():
    r = techidx.run(data("hand.csv"), method="fisher")
    with open(os.path.join(CASES, "hand_fisher", "stdout"), "rb") as f:
        golden = f.read()
    assert r.csv().encode() == golden
    first, second = r.index[0], r.index[1]
    assert first["period"] == "2024-W10" and first["contracts"] == 3
    assert first["value"] == decimal.Decimal("500.00")
    assert first["link"] is None and first["coverage"] is None
    assert second["volume_index"] == pytest.approx(177.740926, rel=1e-12)
    assert isinstance(second["matched_cells"], int)


def test_values_are_typed_by_what_the_library_writes():
    r = techidx.run(BALK, period="month", cells=True, contributions=True)
    row = r.index[1]
    assert isinstance(row["value"], decimal.Decimal)
    assert isinstance(row["value_index"], float)
    assert isinstance(row["contracts"], int)
    cell = r.cells[0]
    assert isinstance(cell["sector"], str) and isinstance(cell["period"], str)
    assert isinstance(cell["median"], decimal.Decimal)
    # Contributions add up to 100 (link - 1) of the value link, per period.
    for ix in r.index[1:]:
        pp = sum(c["value_pp"] for c in r.contributions if c["period"] == ix["period"])
        assert pp == pytest.approx(100 * (ix["link"] - 1), abs=1e-4)  # link has 6 decimals


DEV = os.path.join(TOP, "tests", "ref", "indexnumr", "dev.csv.gz")


@pytest.mark.parametrize("period,first", [("month", "01"), ("quarter", "Q1"), ("week", "W01")])
def test_year_over_year_equals_the_cli_and_keeps_seasons_as_text(cli, period, first, tmp_path):
    p = cli("run", "-q", "--period", period, "--year-over-year", DEV)
    r = techidx.run(DEV, period=period, year_over_year=True)
    assert r.csv().encode() == p.stdout
    assert r.index[0]["season"] == first and r.index[0]["unit_value_index"] == 100.0
    seasons = [x["season"] for x in r.index]
    assert seasons == sorted(seasons)  # by season, then period
    assert all(isinstance(s, str) for s in seasons)
    part = str(tmp_path / "dev.tic")
    techidx.cube(DEV, period=period).save(part)
    assert techidx.load(part).index(year_over_year=True).csv() == r.csv()


def test_year_over_year_refusals_name_the_keywords():
    with pytest.raises(ValueError, match="year_over_year needs period month"):
        techidx.run(DEV, period="day", year_over_year=True)
    with pytest.raises(ValueError, match="cells"):
        techidx.run(DEV, period="month", year_over_year=True, cells=True)


def _cli_summary(stderr):
    """The counts the CLI's summary lines say."""
    text = stderr.decode()
    m = re.search(r"(\d+) inputs?, (\d+) rows read: (\d+) accepted, (\d+) rejected", text)
    by = {k: int(v) for k, v in re.findall(r"techidx:   (\w+) +(\d+)", text)}
    return dict(inputs=int(m.group(1)), read=int(m.group(2)), accepted=int(m.group(3)),
                rejected=int(m.group(4)), by_reason=by)


def test_counts_and_rejects_equal_the_cli(cli):
    p = cli("run", "--rejects", "rejects.csv", data("dirty.csv"))
    r = techidx.run(data("dirty.csv"), rejects=True)
    want = _cli_summary(p.stderr)
    got = dict(r.counts)
    assert got.pop("bytes") == os.path.getsize(data("dirty.csv"))
    assert got == want
    assert got["read"] == got["accepted"] + got["rejected"] == 12
    assert len(got["by_reason"]) == 9
    assert r.rejects == _tables.rejects(cli.read("rejects.csv"))
    assert [x["line"] for x in r.rejects][:1] == [3]
    assert r.rejects[0]["reason"] == "field_count"
    assert r.rejects[0]["file"] == data("dirty.csv")
    assert techidx.run(data("dirty.csv")).rejects is None


def test_strict_raises_with_the_counts():
    with pytest.raises(techidx.Error) as e:
        techidx.run(data("dirty.csv"), strict=True)
    assert str(e.value) == "strict: 9 rows rejected; no index computed"
    assert e.value.counts["rejected"] == 9
    assert techidx.run(data("hand.csv"), strict=True).counts["rejected"] == 0


def test_map_takes_a_list_or_a_dict(cli, tmp_path):
    with open(data("hand.csv"), encoding="utf-8") as f:
        lines = f.read().split("\n", 1)
    head = lines[0].replace("contract_id", "Reg No").replace("tech_amount", "Tech Value")
    mapped = tmp_path / "mapped.csv"
    mapped.write_text(head + "\n" + lines[1], encoding="utf-8")
    p = cli("run", "-q", "--map", "contract_id=reg no", "--map", "tech_amount=Tech Value", mapped)
    a = techidx.run(mapped, map=["contract_id=reg no", "tech_amount=Tech Value"])
    b = techidx.run(mapped, map={"contract_id": "reg no", "tech_amount": "Tech Value"})
    assert a.csv().encode() == b.csv().encode() == p.stdout
    with pytest.raises(techidx.Error) as e:
        techidx.run(mapped)
    assert "contract_id" in str(e.value)


# ---- errors ------------------------------------------------------------------------

BAD_VALUES = [
    (["--min-contracts", "0"], dict(min_contracts=0)),
    (["--period", "fortnight"], dict(period="fortnight")),
    (["--method", "geks"], dict(method="geks")),
    (["--method", "geks-tornqvist", "--window", "1"], dict(method="geks-tornqvist", window=1)),
    (["--winsorize", "1.5"], dict(winsorize=1.5)),
    (["--from", "2024-02-30"], {"from": "2024-02-30"}),
    (["--method", "geks-fisher", "--chain", "fixed"], dict(method="geks-fisher", chain="fixed")),
    (["--window", "5"], dict(window=5)),
    (["--chain", "fixed", "--contributions", "x.csv"], dict(chain="fixed", contributions=True)),
    (["--winsorize-window", "3"], dict(winsorize_window=3)),
    (["--base", "2024-13"], dict(base="2024-13")),
]


@pytest.mark.parametrize("args,kwargs", BAD_VALUES, ids=[" ".join(a) for a, _ in BAD_VALUES])
def test_a_bad_value_is_a_value_error_in_the_words_of_the_cli(cli, args, kwargs):
    p = cli("run", *args, data("hand.csv"), check=False)
    assert p.returncode == 2
    first = p.stderr.decode().splitlines()[0]
    assert first.startswith("techidx run: ")
    with pytest.raises(ValueError) as e:
        techidx.run(data("hand.csv"), **kwargs)
    assert str(e.value) == as_keywords(first[len("techidx run: "):])


def test_unknown_keywords_are_type_errors_with_a_suggestion():
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'methd'; did you mean "
                                        r"'method'\?"):
        techidx.run(data("hand.csv"), methd="fisher")
    with pytest.raises(TypeError, match=r"'min_contract'; did you mean 'min_contracts'"):
        techidx.run(data("hand.csv"), min_contract=3)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'colour'$"):
        techidx.run(data("hand.csv"), colour="red")
    # An option of another command says where it belongs.
    with pytest.raises(TypeError, match=r"'method'.*an option of techidx run, index"):
        techidx.cube(data("hand.csv"), method="walsh")
    with pytest.raises(TypeError, match="command-line option"):
        techidx.run(data("hand.csv"), output=True)
    with pytest.raises(TypeError, match="True or False"):
        techidx.run(data("hand.csv"), cells="cells.csv")
    with pytest.raises(TypeError, match="takes an int"):
        techidx.run(data("hand.csv"), min_contracts=2.0)


def test_the_keywords_are_the_options_of_the_cli_help(cli):
    def flags(command):
        helptext = cli(command, "--help").stdout.decode()
        return set(re.findall(r"(?:^|\s|, )--([a-z][a-z-]+)", helptext))
    names = {c: set(k.replace("_", "-") for k in techidx.options(c))
             for c in ("run", "cube", "merge", "index")}
    assert names["run"] == flags("run") - techidx._options.CLI_ONLY - {"help"}
    for command in ("cube", "merge", "index"):
        assert names[command] <= names["run"] | flags(command), command
    run = techidx.options("run")
    assert run["period"].values == ("day", "week", "month", "quarter", "year")
    assert run["min_contracts"].kind == "count" and run["min_contracts"].min == 1
    assert run["cells"].kind == "output"
    assert "strict" not in techidx.options("cube")
    with pytest.raises(ValueError):
        techidx.options("publish")


def test_library_errors_are_the_message_of_the_cli(cli, tmp_path):
    import gzip
    with open(data("hand.csv"), "rb") as f:
        gz = gzip.compress(f.read())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gz[:300])
    for path in (str(cut), str(tmp_path / "no-such-file.csv")):
        p = cli("run", path, check=False)
        assert p.returncode == 1
        with pytest.raises(techidx.Error) as e:
            techidx.run([data("hand.csv"), path])
        assert "techidx: " + str(e.value) == p.stderr.decode().rstrip("\n").splitlines()[-1]
        assert e.value.file == path
    assert "truncated gzip stream" in str(e.value) or "cannot open" in str(e.value)


def test_an_error_on_a_line_names_the_line(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("contract_id,signed_on,sector\nA,2024-01-01,x\n")
    p = cli("run", bad, check=False)
    with pytest.raises(techidx.Error) as e:
        techidx.run(bad)
    # The same message, naming options as each front end spells them.
    want = p.stderr.decode().rstrip("\n").replace("--map", "map")
    assert "techidx: " + str(e.value) == want
    assert str(bad) in str(e.value) and "(name the header with map amount=HEADER)" in want


def test_an_input_given_twice_is_refused_as_the_cli_does(cli, tmp_path):
    f = tmp_path / "d1.csv"
    f.write_bytes(open(data("hand.csv"), "rb").read())
    os.symlink("d1.csv", str(tmp_path / "link.csv"))
    for pair in (["d1.csv", "d1.csv"], ["d1.csv", "link.csv"]):
        p = cli("run", "-q", *pair, check=False)
        msg = p.stderr.decode().splitlines()[0][len("techidx run: "):]
        with pytest.raises(ValueError) as e:
            techidx.run([os.path.join(str(tmp_path), x) for x in pair])
        assert str(e.value) == as_keywords(msg).replace("'d1.csv'", "'%s'" % f).replace(
            "'link.csv'", "'%s'" % (tmp_path / "link.csv"))
    twice = techidx.run([f, f], allow_repeats=True)
    assert twice.counts["accepted"] == 2 * techidx.run(f).counts["accepted"]


def test_pandas_when_installed():
    pandas = pytest.importorskip("pandas")
    r = techidx.run(BALK, period="month", cells=True)
    df = r.to_pandas()
    assert isinstance(df, pandas.DataFrame)
    assert list(df.columns) == list(r.index[0].keys())
    assert df["value"].dtype.kind == "f"
    assert len(r.to_pandas("cells")) == len(r.cells)


def test_the_library_is_found_through_techidx_lib(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.join(TOP, "python"))
    env["TECHIDX_LIB"] = str(tmp_path / "libtechidx.so.1")
    p = subprocess.run([sys.executable, "-c", "import techidx"], env=env,
                       stderr=subprocess.PIPE)
    assert p.returncode != 0 and b"TECHIDX_LIB" in p.stderr
    env["TECHIDX_LIB"] = techidx._lib.path
    p = subprocess.run([sys.executable, "-c", "import techidx; print(techidx._lib.path)"],
                       env=env, stdout=subprocess.PIPE)
    assert p.stdout.decode().strip() == techidx._lib.path


def test_cells_of_several_columns_and_group_sub_indices(tmp_path):
    """by= takes several columns (one table column each); group= with
    groups=True gives each value's sub-index, equal to a run over that
    group's rows alone, as the command line writes it."""
    hand = data("hand.csv")
    r = techidx.run(hand, by="sector,contract_type", group="contract_type", groups=True,
                    cells=True)
    assert list(r.cells[0])[:3] == ["period", "sector", "contract_type"]
    assert list(r.groups[0])[:3] == ["period", "group", "contracts"]
    lines = open(hand, encoding="utf-8").read().splitlines(True)
    dev = tmp_path / "dev.csv"
    dev.write_text(lines[0] + "".join(l for l in lines[1:] if ",development," in l),
                   encoding="utf-8")
    alone = techidx.run(str(dev), by="sector")
    mine = [{k: v for k, v in g.items() if k != "group"} for g in r.groups
            if g["group"] == "development"]
    assert mine == alone.index
    subprocess.run([CLI, "run", "-q", hand, "--by", "sector,contract_type",
                          "--group", "contract_type", "--groups", str(tmp_path / "g.csv"),
                          "-o", "/dev/null"], check=True)
    assert (tmp_path / "g.csv").read_text(encoding="utf-8") == r.csv("groups")


def test_date_format_amount_unit_and_max_reject_rate_keywords(tmp_path):
    src = open(data("hand.csv"), encoding="utf-8").read().splitlines()
    zh, wan = [src[0]], [src[0]]
    for line in src[1:]:
        f = line.split(",")
        y, m, d = f[1].split("-")
        zh.append(",".join(f[:1] + ["%s年%s月%s日" % (y, m, d)] + f[2:]))
        # 万元: the decimal point four places left, on the text.
        for k in (6, 7):
            c = f[k].replace(".", "").rjust(7, "0")
            f[k] = c[:-6] + "." + c[-6:]
        wan.append(",".join(f))
    (tmp_path / "zh.csv").write_text("\n".join(zh) + "\n", encoding="utf-8")
    (tmp_path / "wan.csv").write_text("\n".join(wan) + "\n", encoding="utf-8")
    want = techidx.run(data("hand.csv"), period="day").csv("index")
    got = techidx.run(str(tmp_path / "zh.csv"), period="day", date_format="%Y年%m月%d日")
    assert got.csv("index") == want
    got = techidx.run(str(tmp_path / "wan.csv"), period="day", amount_unit="wan")
    assert got.csv("index") == want
    with pytest.raises(ValueError, match="^date_format '%Y' needs"):
        techidx.run(data("hand.csv"), date_format="%Y")
    with pytest.raises(ValueError, match="^amount_unit must be yuan or wan"):
        techidx.run(data("hand.csv"), amount_unit="yen")
    with pytest.raises(techidx.Error,
                       match=r"^max_reject_rate 0.5: 9 of 12 rows rejected \(75.00%\)"):
        techidx.run(data("dirty.csv"), max_reject_rate=0.5)
    assert techidx.run(data("dirty.csv"), max_reject_rate=0.75).counts["rejected"] == 9
    assert "max_reject_rate" in techidx.options("index")
    assert "amount_unit" in techidx.options("cube")


def test_encoding_and_delimiter_give_the_utf8_comma_bytes(cli, tmp_path):
    """A GB18030 export and a tab or semicolon file (keywords `encoding`
    and `delimiter`, values as on the command line, a tab as itself or
    "\\t") give the index and cells of the UTF-8 comma file."""
    import csv
    want = techidx.run([data("zh.csv")], by="contract_type", cells=True)
    text = open(data("zh.csv"), encoding="utf-8").read()
    gb = tmp_path / "zh-gb18030.csv"
    gb.write_bytes(text.encode("gb18030"))
    rows = list(csv.reader(open(data("zh.csv"), newline="", encoding="utf-8")))
    for delimiter, as_given in ((";", ";"), ("\t", "\t"), ("\t", "\\t"), ("\t", "tab")):
        path = tmp_path / ("zh-%d.csv" % ord(delimiter))
        with open(path, "w", newline="", encoding="gb18030") as f:
            csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(rows)
        for f in (gb, path):
            got = techidx.run([str(f)], by="contract_type", cells=True, encoding="gb18030",
                              delimiter=as_given if f == path else ",")
            assert got.csv("index") == want.csv("index")
            assert got.csv("cells") == want.csv("cells")
            # The rewritten file quotes other fields: other bytes.
            assert dict(got.counts, bytes=0) == dict(want.counts, bytes=0)
            assert f == path or got.counts == want.counts
    p = cli("run", "-q", "--encoding", "gb18030", "--by", "contract_type", gb)
    assert p.stdout == want.csv("index").encode()
    with pytest.raises(ValueError) as e:
        techidx.run([str(gb)], delimiter="|")
    assert "delimiter" in str(e.value) and "--" not in str(e.value)
    with pytest.raises(ValueError) as e:
        techidx.run([str(gb)], encoding="utf8")
    assert "utf-8, gb18030 or gbk" in str(e.value)
    xlsx = tmp_path / "book.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(techidx.Error) as e:
        techidx.run([str(xlsx)])
    assert "Excel workbook" in str(e.value)
