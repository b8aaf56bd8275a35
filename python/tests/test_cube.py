"""techidx.cube, Cube.save, techidx.load, techidx.merge and Cube.index:
the bytes of `techidx cube` and `merge`, any merge order, the index of
run; refusals with the CLI's message."""

import itertools

import pytest

import techidx
from conftest import as_keywords, data

BALK = data("balk", "contracts.csv")


@pytest.fixture
def split(tmp_path):
    """The Balk data set in three files (rows by line number modulo 3)."""
    with open(BALK, encoding="utf-8") as f:
        head, *rows = f.read().splitlines()
    paths = []
    for k in range(3):
        p = tmp_path / ("part%d.csv" % k)
        p.write_text("\n".join([head] + rows[k::3]) + "\n", encoding="utf-8")
        paths.append(str(p))
    return paths


def test_a_cube_is_the_bytes_of_techidx_cube(cli, split):
    cli("cube", "-q", "--period", "month", split[0], split[1], "-o", "a.tic")
    with techidx.cube(split[:2], period="month") as c:
        assert c.tobytes() == cli.read("a.tic")
        assert c.period == "month" and c.by == "sector" and c.measure == "tech_amount"
        assert c.inputs == sorted(split[:2])
        assert c.counts["inputs"] == 2
    with pytest.raises(ValueError, match="closed"):
        c.tobytes()


def test_merges_in_any_order_give_the_same_bytes_and_the_index_of_run(cli, split, tmp_path):
    parts = [techidx.cube(f, period="month") for f in split]
    blobs = set()
    for order in itertools.permutations(range(3)):
        m = techidx.merge([parts[i] for i in order])
        blobs.add(m.tobytes())
        m.close()
    # Pairwise, then the third: the same again.
    ab = techidx.merge(parts[2:] + parts[:1])
    blobs.add(techidx.merge([parts[1], ab]).tobytes())
    assert len(blobs) == 1
    cli("cube", "-q", "--period", "month", *split, "-o", "all.tic")
    assert blobs == {cli.read("all.tic")}
    whole = techidx.merge(parts)
    for kw, args in [(dict(method="walsh"), ["--method", "walsh"]),
                     (dict(method="geks-fisher", window=3, winsorize=0.9, cells=True),
                      ["--method", "geks-fisher", "--window", "3", "--winsorize", "0.9"])]:
        ix = whole.index(**kw)
        run = techidx.run(split, period="month", **kw)
        assert ix.csv() == run.csv()
        assert ix.index == run.index
        assert ix.counts == run.counts
        out = ["--cells", "c.csv"] if kw.get("cells") else []
        p = cli("index", "-q", *args, *out, "all.tic")
        assert ix.csv().encode() == p.stdout
        if out:
            assert ix.csv("cells").encode() == cli.read("c.csv") == run.csv("cells").encode()
    # Saved and loaded, and read by the CLI.
    path = tmp_path / "saved.tic"
    whole.save(path)
    assert path.read_bytes() == cli.read("all.tic")
    with techidx.load(path) as again:
        assert again.index(contributions=True).csv("contributions") == \
            techidx.run(split, period="month", contributions=True).csv("contributions")
    for c in parts + [ab, whole]:
        c.close()


def test_refusals_name_the_cubes_and_the_option(cli, split, tmp_path):
    a = techidx.cube(split[0])
    b = techidx.cube(split[1], measure="amount")
    with pytest.raises(techidx.Error) as e:
        techidx.merge([a, b])
    assert str(e.value) == "cubes[1]: cannot merge with cubes[0]: they sum different amounts " \
                           "(measure)"
    ab = techidx.cube(split[:2])
    with pytest.raises(techidx.Error) as e:
        techidx.merge([ab, a])
    assert str(e.value) == ("cubes[1]: cannot merge with cubes[0]: both count the input '%s' "
                            "(allow_repeats if it is to count twice)" % split[0])
    twice = techidx.merge([ab, a], allow_repeats=True)
    assert twice.counts["accepted"] == ab.counts["accepted"] + a.counts["accepted"]
    # The CLI says the same of the same parts, with flags.
    ab.save(tmp_path / "ab.tic")
    a.save(tmp_path / "a.tic")
    p = cli("merge", tmp_path / "ab.tic", tmp_path / "a.tic", "-o", "x.tic", check=False)
    line = p.stderr.decode().strip()
    assert as_keywords(line) == "techidx: %s: cannot merge with %s: both count the input " \
        "'%s' (allow_repeats if it is to count twice)" % (tmp_path / "a.tic",
                                                          tmp_path / "ab.tic", split[0])
    # Damaged and missing files.
    data_ = (tmp_path / "a.tic").read_bytes()
    (tmp_path / "cut.tic").write_bytes(data_[:300])
    with pytest.raises(techidx.Error) as e:
        techidx.load(tmp_path / "cut.tic")
    p = cli("index", tmp_path / "cut.tic", check=False)
    assert "techidx: " + str(e.value) == p.stderr.decode().strip()
    assert e.value.file == str(tmp_path / "cut.tic")
    with pytest.raises(techidx.Error, match="no-such.tic: cannot read: No such file"):
        techidx.load(tmp_path / "no-such.tic")
    # Statistics a cube does not keep.
    lean = techidx.cube(split[0], no_stats=True)
    with pytest.raises(techidx.Error, match=r"^cells needs statistics the parts do not keep "
                                            r"\(made with cube no_stats\)$"):
        lean.index(cells=True)
    assert lean.index().csv() == a.index().csv()
    with pytest.raises(ValueError, match="^dedup cannot hold across parts"):
        techidx.cube(split[0], dedup=True)
    with pytest.raises(ValueError, match="^base '2024-13' is not a week label of these parts$"):
        a.index(base="2024-13")
    for c in (a, b, ab, twice, lean):
        c.close()


def test_a_cube_keeps_its_rejects():
    c = techidx.cube(data("dirty.csv"), rejects=True)
    r = techidx.run(data("dirty.csv"), rejects=True)
    assert c.rejects == r.rejects and len(c.rejects) == 9
    assert c.index().counts == r.counts
    with pytest.raises(techidx.Error, match="^strict: 9 rows rejected"):
        c.index(strict=True)
    c.close()
    c.close()  # twice is harmless


def test_characteristics_beyond_by_are_kept_and_regressed_on(cli, tmp_path):
    """cube(hedonic=...) keeps contract_type and seller_type beside the
    sector cells; its time dummy is run's default one, its cells run's."""
    dump = tmp_path / "g.csv"
    cli("gen", "--rows", "3000", "--seed", "4", "--from", "2024-03-04", "--to", "2024-04-14",
        "-o", str(dump))
    with techidx.cube(str(dump), hedonic="sector,contract_type,seller_type") as c:
        assert c.by == "sector"
        assert c.characteristics == ["contract_type", "seller_type"]
        cli("cube", "-q", "--hedonic", "sector,contract_type,seller_type", str(dump), "-o", "h.tic")
        assert c.tobytes() == cli.read("h.tic")
        ix = c.index(method="time-dummy", cells=True)
        run = techidx.run(str(dump), method="time-dummy", cells=True)
        assert ix.csv() == run.csv()
        assert ix.csv("cells") == run.csv("cells")
        assert ix.csv("cells").splitlines()[0].startswith("period,sector,")
    with techidx.cube(str(dump)) as plain:
        assert plain.characteristics == []
        assert plain.index(method="time-dummy").csv() != run.csv()
