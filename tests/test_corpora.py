"""Tests of framing.corpora: normalisation helpers, the vote table, the three loaders on
small written fixtures (a fake mirror with the upstream layout), the parsed-table cache,
info and export; integration tests on the real pinned corpora."""
from __future__ import annotations

import hashlib
import json
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import framing.corpora as corpora
from framing import fetch
from framing.corpora import (
    basil_annotations,
    corpus_info,
    es11_4_votes,
    export_corpus,
    list_corpora,
    load_corpus,
    normalize_outlet,
    normalize_url,
    un_members,
)
from framing.corpus import concat_corpora, dropped_rows, read_corpus, select
from framing.fetch import FetchError, build_manifest, write_manifest

C1 = "1" * 40
C2 = "2" * 40
C3 = "3" * 40


@pytest.fixture(autouse=True)
def _isolated(request, monkeypatch):
    """Unit tests see no FRAMING_* settings; integration tests use the real ones."""
    if request.node.get_closest_marker("integration") is None:
        for var in ("FRAMING_MIRROR", "FRAMING_CACHE_DIR", "FRAMING_OFFLINE"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(corpora, "_MEMORY", {})


@pytest.fixture
def no_network(monkeypatch):
    def fail(*a, **k):
        raise AssertionError("test tried to use the real network")

    monkeypatch.setattr(urllib.request, "urlopen", fail)


# --------------------------------------------------------------------------- helpers

@pytest.mark.parametrize("raw, expected", [
    ("rt", "RT"), ("RT", "RT"), ("abc", "ABC"), ("CBS News", "CBS"), ("fox", "Fox"), ("FOX", "Fox"),
    ("Fox News", "Fox"), ("foxnews", "Fox"), ("hpo", "HuffPost"), ("HPO", "HuffPost"),
    ("huffpost", "HuffPost"), ("Huffington Post", "HuffPost"), ("nyt", "NYT"), ("NYT", "NYT"),
    (" The New York Times ", "NYT"), ("reuters", "Reuters"),
])
def test_normalize_outlet(raw, expected):
    assert normalize_outlet(raw) == expected


def test_normalize_outlet_unknown_names_the_value():
    with pytest.raises(ValueError, match="'Pravda'"):
        normalize_outlet("Pravda")
    with pytest.raises(TypeError):
        normalize_outlet(3)


@pytest.mark.parametrize("a, b", [
    ("https://www.rt.com/news/1-x/", "http://rt.com/news/1-x"),
    ("https://www.rt.com/news/1-x/?utm_source=tw#comments", "https://www.rt.com/news/1-x"),
    ("HTTPS://WWW.RT.COM/news/1-x", "https://rt.com/news/1-x///"),
    ("https://abcnews.go.com/US/story?id=7&cid=a", "https://abcnews.go.com/US/story?cid=b&id=7"),
    ("https://rt.com:443/news/1-x", "https://rt.com/news/1-x"),
])
def test_normalize_url_equal(a, b):
    assert normalize_url(a) == normalize_url(b)


@pytest.mark.parametrize("a, b", [
    ("https://rt.com/news/1-x", "https://rt.com/news/1-y"),
    ("https://abcnews.go.com/US/story?id=7", "https://abcnews.go.com/US/story?id=8"),
    ("https://rt.com/News/1-x", "https://rt.com/news/1-x"),  # paths are case-sensitive
    ("https://rt.com/news/1-x", "https://cbsnews.com/news/1-x"),
])
def test_normalize_url_different(a, b):
    assert normalize_url(a) != normalize_url(b)


def test_normalize_url_exact_form_and_empty():
    assert normalize_url("https://www.rt.com/news/1-x/?a=1#f") == "rt.com/news/1-x"
    assert normalize_url("") == "" and normalize_url(None) == ""
    assert normalize_url("https://x.org/s?id=1&p=2", keep_query=("id", "p")) == "x.org/s?id=1&p=2"


def test_un_members_and_es11_4_vote_table():
    members = un_members()
    assert len(members) == 193 and members["iso3"].is_unique and members["name"].is_unique
    assert members["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert not {"PSE", "VAT", "TWN", "XKX"} & set(members["iso3"])  # observers / non-members
    votes = es11_4_votes()
    assert len(votes) == 193 and set(votes["iso3"]) == set(members["iso3"])
    counts = votes["vote"].value_counts().to_dict()
    assert counts == {"yes": 143, "no": 5, "abstain": 35, "not voting": 10}
    v = votes.set_index("iso3")
    assert set(v.index[v["vote"] == "no"]) == {"BLR", "PRK", "NIC", "RUS", "SYR"}
    assert {"CHN", "IND", "ZAF", "PAK", "VNM", "TZA", "LAO"} <= set(v.index[v["vote"] == "abstain"])
    assert set(v.index[v["vote"] == "not voting"]) == {"AZE", "BFA", "CMR", "DMA", "GNQ", "GRD", "GNB",
                                                      "IRN", "TKM", "VEN"}
    assert (v.loc[v["vote"] == "not voting", "source"] == "secondary source").all()
    assert (v.loc[v["vote"] != "not voting", "source"] == "GA/12458").all()
    assert v.loc["UKR", "vote"] == "yes" and v.loc["USA", "vote"] == "yes"


# --------------------------------------------------------------------------- fake corpora

def _csv(rows, topic=False):
    cols = ["Date", "URL", "Title", "Text"] + (["Topic"] if topic else [])
    return pd.DataFrame(rows, columns=cols).to_csv(index=False)


LONG = " ".join(f"Sentence {i} of the wire report on the vote count." for i in range(30))
RT1 = [
    ("2022-09-20", "https://www.rt.com/news/1-a/", "A", LONG),
    ("2022-09-21", "https://www.rt.com/news/2-b/", "B", "Text two."),
    ("2022-13-45", "https://www.rt.com/news/9-z/", "Z", "A row with an impossible date."),
]
RT2 = [
    ("2022-09-22", "http://rt.com/news/1-a?utm_source=x", "A updated", "Text one, updated."),
    ("2022-09-23", "https://www.rt.com/news/3-c/", "C", "Text two."),
    ("2022-09-24", "https://www.rt.com/news/4-d/", "D", "Text four."),
]
ABC = [
    ("2022-09-25", "https://abcnews.go.com/International/live/story?id=1", "E", "ABC text one."),
    ("2022-09-26", "https://abcnews.go.com/International/live/story?id=2", "F", "ABC text two."),
    ("2022-09-28", "https://abcnews.go.com/International/wire/story?id=3", "H", LONG + " An editor added this."),
]
FOX = [("2022-09-27", "https://www.foxnews.com/world/g", "G", "Fox text.", 5)]


def _install(tmp_path, monkeypatch, name, owner, repo, files_by_commit):
    """Write files into a fake mirror, build a manifest, make `name` resolve to it."""
    mirror = tmp_path / "mirror"
    entries = []
    for commit, files in files_by_commit.items():
        base = mirror / "github" / owner / repo / commit
        for rel, data in files.items():
            (base / rel).parent.mkdir(parents=True, exist_ok=True)
            (base / rel).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        entries += build_manifest(mirror, owner, repo, commit, list(files))
    manifest = write_manifest(name, entries, tmp_path / "manifests" / f"{name}.json")
    original = fetch.manifest_path

    def patched(n):
        return manifest if n == name else original(n)

    monkeypatch.setattr(fetch, "manifest_path", patched)
    return mirror


@pytest.fixture
def fake_news(tmp_path, monkeypatch, no_network):
    mirror = _install(tmp_path, monkeypatch, "ukraine-media", "r2nery", "ukraine-media", {
        C1: {"data/RT.csv": _csv(RT1)},
        C2: {"data/RT.csv": _csv(RT2)},
        C3: {"data_filtered/ABC.csv": _csv(ABC), "data_filtered/data_removed/Fox.csv": _csv(FOX, topic=True)},
    })
    return {"mirror": mirror, "cache": tmp_path / "cache"}


def _load(fx, name="ukraine-media", **kw):
    return load_corpus(name, mirror=fx["mirror"], cache_dir=fx["cache"], progress=False, **kw)


def test_ukraine_media_union_dedup_and_ids(fake_news):
    c = _load(fake_news)
    assert list(c.columns[:7]) == ["doc_id", "outlet", "published", "title", "text", "url", "lang"]
    assert {"subset", "topic", "file", "near_dup_of", "near_dup_similarity", "warnings"} <= set(c.columns)
    assert not {"_source", "_row"} & set(c.columns)
    assert c["published"].dtype == "datetime64[ns]"
    assert c.groupby("outlet").size().to_dict() == {"ABC": 3, "Fox": 1, "RT": 3}
    rt = c[c["outlet"] == "RT"].set_index("url")
    # the earliest copy of a duplicated URL is kept
    assert rt.loc["https://www.rt.com/news/1-a/", "title"] == "A"
    assert "https://www.rt.com/news/3-c/" not in rt.index  # exact text duplicate of 2-b
    # two ABC stories sharing a path but not ?id= are both kept
    assert c[c["outlet"] == "ABC"]["url"].nunique() == 3
    # stable ids: outlet + sha1 of the normalised URL
    expected = "RT-" + hashlib.sha1(b"rt.com/news/1-a").hexdigest()[:12]
    assert expected in set(c["doc_id"]) and c["doc_id"].is_unique
    assert c.set_index("outlet").loc["Fox", "subset"] == "removed"
    assert c.set_index("outlet").loc["Fox", "topic"] == 5
    assert set(c.loc[c["outlet"] == "RT", "subset"]) == {"all"}
    assert set(c.loc[c["outlet"] == "ABC", "subset"]) == {"filtered"}
    assert c["topic"].isna().sum() == 6


def test_ukraine_media_near_duplicates_are_flagged_not_dropped(fake_news):
    c = _load(fake_news).set_index("title")
    rt_a = "RT-" + hashlib.sha1(b"rt.com/news/1-a").hexdigest()[:12]
    assert c.loc["H", "near_dup_of"] == rt_a  # the ABC copy of the earlier RT text
    # Jaccard similarity of the 5-word shingle sets, computed directly
    def shingles(t):
        w = t.lower().replace(".", "").split()
        return {tuple(w[i:i + 5]) for i in range(len(w) - 4)}
    a, b = shingles(LONG), shingles(LONG + " An editor added this.")
    assert c.loc["H", "near_dup_similarity"] == pytest.approx(len(a & b) / len(a | b))
    assert c.loc["A", "near_dup_of"] == "" and pd.isna(c.loc["A", "near_dup_similarity"])
    assert (c.drop(index="H")["near_dup_of"] == "").all()


def test_ukraine_media_dropped_rows_carry_reasons(fake_news):
    c = _load(fake_news)
    d = c.attrs["dropped"]
    assert len(d) == 3
    reasons = dict(zip(d["title"], d["reason"]))
    assert reasons["Z"].startswith("unparseable date")
    assert reasons["A updated"].startswith("duplicate URL")
    assert reasons["C"].startswith("duplicate text")
    dup = d.set_index("title")
    assert dup["check"].to_dict() == {"Z": "unparseable_date", "A updated": "duplicate_url",
                                      "C": "duplicate_text"}
    assert dup.loc["A updated", "duplicate_of"] == "RT-" + hashlib.sha1(b"rt.com/news/1-a").hexdigest()[:12]
    assert dup.loc["Z", "row"] == 3 and dup.loc["Z", "column"] == "Date"
    assert dup.loc["C", "source"] == f"{C2[:7]}:data/RT.csv" and dup.loc["C", "row"] == 2
    prov = c.attrs["provenance"]
    assert prov["corpus"] == "ukraine-media" and len(prov["files"]) == 4
    assert prov["manifest_sha256"] == fetch.manifest_hash("ukraine-media")


def test_ukraine_media_options(fake_news):
    assert "Fox" not in set(_load(fake_news, include_removed=False)["outlet"])
    every = _load(fake_news, deduplicate=False)
    assert len(every) == 9 and every["doc_id"].is_unique
    with pytest.raises(TypeError, match="include_removd"):
        _load(fake_news, include_removd=True)
    with pytest.raises(TypeError, match="True or False"):
        _load(fake_news, include_removed="no")
    with pytest.raises(ValueError, match="unknown corpus"):
        load_corpus("no-such-corpus")


def test_parsed_cache_is_reused_and_keyed_by_options(fake_news, monkeypatch):
    first = _load(fake_news)
    parsed = sorted((fake_news["cache"] / "parsed").glob("ukraine-media-*.parquet"))
    assert parsed, "no parsed table was cached"
    # without raw files and without mirror, the parsed table must still be served from disk
    monkeypatch.setattr(corpora, "_MEMORY", {})
    for p in (fake_news["cache"] / "corpora").rglob("*.csv"):
        p.unlink()
    again = load_corpus("ukraine-media", cache_dir=fake_news["cache"], progress=False)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first.attrs["dropped"].astype(str), again.attrs["dropped"].astype(str))
    assert again.attrs["provenance"] == first.attrs["provenance"]
    # a changed option must not be served the old table (here it needs the files again)
    monkeypatch.setenv("FRAMING_OFFLINE", "1")
    with pytest.raises(FetchError, match="data/RT.csv"):
        load_corpus("ukraine-media", cache_dir=fake_news["cache"], progress=False, include_removed=False)
    monkeypatch.delenv("FRAMING_OFFLINE")
    other = _load(fake_news, include_removed=False)
    assert len(other) == len(first) - 1 and "Fox" not in set(other["outlet"])


def test_tampered_parsed_cache_is_not_served(fake_news, monkeypatch):
    first = _load(fake_news)
    table = next(p for p in (fake_news["cache"] / "parsed").glob("ukraine-media-*.parquet")
                 if not p.name.endswith(".dropped.parquet"))
    # a valid parquet file with other content, e.g. written by something else
    forged = first.assign(text="forged")
    forged.attrs = {}
    forged.to_parquet(table)
    monkeypatch.setattr(corpora, "_MEMORY", {})
    again = _load(fake_news)
    assert (again["text"] != "forged").all()
    pd.testing.assert_frame_equal(first, again)


def test_caller_mutation_does_not_reach_the_cache(fake_news):
    c = _load(fake_news)
    c.loc[:, "title"] = "changed"
    c.attrs["dropped"] = None
    again = _load(fake_news)
    assert (again["title"] != "changed").all() and len(again.attrs["dropped"]) == 3


def test_refresh_reparses(fake_news, monkeypatch):
    _load(fake_news)
    calls = []
    real = corpora._CORPORA["ukraine-media"]["loader"]
    monkeypatch.setitem(corpora._CORPORA["ukraine-media"], "loader",
                        lambda files, **o: calls.append(1) or real(files, **o))
    _load(fake_news)
    assert calls == []
    _load(fake_news, refresh=True)
    assert calls == [1]


def test_corpus_info_is_json_serialisable(fake_news):
    info = corpus_info("ukraine-media", mirror=fake_news["mirror"], cache_dir=fake_news["cache"])
    json.dumps(info)
    assert info["documents"] == 7
    assert info["per_outlet"] == {"ABC": 3, "Fox": 1, "RT": 3}
    assert info["per_year"] == {"2022": 7}
    assert info["per_day"]["2022-09-20"] == 1 and sum(info["per_day"].values()) == 7
    assert info["date_range"] == ["2022-09-20", "2022-09-28"]
    assert info["dropped"] == 3 and info["duplicates_dropped"] == 2
    assert info["dropped_reasons"] == {"duplicate_text": 1, "duplicate_url": 1, "unparseable_date": 1}
    assert info["near_duplicates_flagged"] == 1
    assert info["duplicate_doc_ids"] == 0
    assert info["manifest_sha256"] == fetch.manifest_hash("ukraine-media")


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet", ".csv.gz"])
def test_export_round_trip(fake_news, tmp_path, suffix):
    c = _load(fake_news)
    path = export_corpus("ukraine-media", tmp_path / f"out{suffix}", mirror=fake_news["mirror"],
                         cache_dir=fake_news["cache"])
    if suffix == ".parquet":
        back = pd.read_parquet(path)
    elif suffix == ".jsonl":
        back = pd.read_json(path, lines=True, dtype=False)
    else:
        back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert back["doc_id"].tolist() == c["doc_id"].tolist()
    assert back["text"].tolist() == c["text"].tolist()
    assert pd.to_datetime(back["published"]).tolist() == c["published"].tolist()
    # read_corpus brings back the dropped rows, the selection and the provenance
    again = read_corpus(path)
    assert again["doc_id"].tolist() == c["doc_id"].tolist()
    pd.testing.assert_frame_equal(dropped_rows(again), dropped_rows(c))
    assert len(dropped_rows(again)) == 3 and again.attrs["selection"] == c.attrs["selection"]
    prov = {k: v for k, v in again.attrs["provenance"].items() if k != "read_back"}
    assert prov["manifest_sha256"] == fetch.manifest_hash("ukraine-media")
    assert prov == json.loads(json.dumps(c.attrs["provenance"]))
    assert again.attrs["provenance"]["read_back"]["source"] == str(path)


def test_export_rejects_unknown_extension(tmp_path):
    c = pd.DataFrame({"doc_id": ["a"]})
    with pytest.raises(ValueError, match="out.xlsx"):
        export_corpus(c, tmp_path / "out.xlsx")


def test_list_corpora():
    t = list_corpora()
    assert t["name"].tolist() == ["ukraine-media", "ungdc", "basil"]
    assert {"title", "documents", "licence"} <= set(t.columns)
    assert (t["documents"] > 0).all()


# --- ungdc


def _speakers_xlsx() -> bytes:
    import io

    t = pd.DataFrame({
        "Year": [2022, 2022, 2022, 2022, 2021, 2022],
        "Session": [77, 77, 77, 77, 76, 77],
        "ISO Code": ["RUS", "UKR", "PSE", "IRN", "RUS", "EU"],
        "Country": ["Russia ", "Ukraine", "Palestine", "Iran", "Russia", "European Union"],
        "Name of Person Speaking": ["Speaker One", "Speaker Two", "Speaker Three", "Speaker Four",
                                    "Speaker Five", "Speaker Six"],
        "Post": ["Minister for Foreign Affairs", "President", "President", None, "Minister", "President"],
    })
    buf = io.BytesIO()
    t.to_excel(buf, index=False)
    return buf.getvalue()


@pytest.fixture
def fake_un(tmp_path, monkeypatch, no_network):
    d = "data/data_original/"
    files = {
        d + "Speakers_by_session.xlsx": _speakers_xlsx(),
        d + "README.txt": "readme",
        d + "TXT/Session 77 - 2022/RUS_77_2022.txt": "We speak of sovereignty.\n",
        d + "TXT/Session 77 - 2022/UKR_77_2022.txt": "We speak of territorial integrity.\r\n",
        d + "TXT/Session 77 - 2022/PSE_77_2022.txt": "We speak of statehood.",
        d + "TXT/Session 77 - 2022/IRN_77_2022.txt": "We speak of sanctions.",
        d + "TXT/Session 76 - 2021/RUS_76_2021.txt": "Last year we spoke too.",
    }
    mirror = _install(tmp_path, monkeypatch, "ungdc", "SarahFranzen",
                      "Emotions_in_the_United_Nations_General_Debates", {C1: files})
    return {"mirror": mirror, "cache": tmp_path / "cache"}


def test_ungdc_loader(fake_un):
    c = _load(fake_un, "ungdc").set_index("doc_id")
    assert sorted(c.index) == ["IRN-2022", "PSE-2022", "RUS-2021", "RUS-2022", "UKR-2022"]
    rus = c.loc["RUS-2022"]
    assert rus["outlet"] == "RUS" and rus["country"] == "Russian Federation"
    assert rus["year"] == 2022 and rus["session"] == 77
    assert rus["speaker"] == "Speaker One" and rus["post"] == "Minister for Foreign Affairs"
    assert rus["es11_4_vote"] == "no" and rus["es11_4_vote_source"] == "GA/12458"
    assert bool(rus["un_member"]) and rus["published"] == pd.Timestamp("2022-09-20")
    assert rus["text"] == "We speak of sovereignty."
    assert "Session%2077%20-%202022/RUS_77_2022.txt" in rus["url"]
    assert c.loc["RUS-2021", "speaker"] == "Speaker Five"
    assert c.loc["UKR-2022", "es11_4_vote"] == "yes"
    assert c.loc["IRN-2022", "es11_4_vote"] == "not voting"
    assert c.loc["IRN-2022", "es11_4_vote_source"] == "secondary source"
    assert pd.isna(c.loc["IRN-2022", "post"])
    pse = c.loc["PSE-2022"]
    assert not pse["un_member"] and pd.isna(pse["es11_4_vote"]) and pse["country"] == "State of Palestine"
    assert c["un_member"].dtype == bool and c["year"].dtype == "int64"


def _cached_speeches(fx):
    return sorted(p.name for p in (fx["cache"] / "corpora").rglob("*.txt") if p.name != "README.txt")


def test_ungdc_years_fetches_and_loads_only_those_years(fake_un):
    one = _load(fake_un, "ungdc", years=2021)
    assert one["doc_id"].tolist() == ["RUS-2021"]
    assert _cached_speeches(fake_un) == ["RUS_76_2021.txt"]  # the 2022 speeches were not fetched
    assert one.attrs["provenance"]["options"] == {"years": [2021]}
    assert one.attrs["provenance"]["files"][-1].endswith("RUS_76_2021.txt")
    assert len(one.attrs["provenance"]["files"]) == 3  # README, speaker table, one speech
    both = _load(fake_un, "ungdc", years=range(2021, 2023))
    assert len(both) == 5 and len(_cached_speeches(fake_un)) == 5
    assert _load(fake_un, "ungdc", years="all")["doc_id"].tolist() == both["doc_id"].tolist()
    assert _load(fake_un, "ungdc", years=[2022, 2022])["year"].unique().tolist() == [2022]
    # the default: the years 2021-2024 that the manifest holds
    assert _load(fake_un, "ungdc")["doc_id"].tolist() == both["doc_id"].tolist()


def test_ungdc_years_are_checked(fake_un):
    with pytest.raises(ValueError, match=r"year\(s\) \[1999\].*2021-2022"):
        _load(fake_un, "ungdc", years=[1999, 2022])
    with pytest.raises(ValueError, match="'all'"):
        _load(fake_un, "ungdc", years="every")
    with pytest.raises(TypeError, match="years"):
        _load(fake_un, "ungdc", years=[2022.0])
    with pytest.raises(TypeError, match="include_removed"):
        _load(fake_un, "ungdc", include_removed=True)
    assert not (fake_un["cache"] / "corpora").exists()  # nothing fetched for a refused request


def test_ungdc_cached_table_is_not_served_for_other_years(fake_un, monkeypatch):
    y22 = _load(fake_un, "ungdc", years=2022)
    assert sorted(y22["outlet"]) == ["IRN", "PSE", "RUS", "UKR"]
    monkeypatch.setattr(corpora, "_MEMORY", {})
    for p in (fake_un["cache"] / "corpora").rglob("*_*_*.txt"):  # the speeches
        p.unlink()
    monkeypatch.setenv("FRAMING_OFFLINE", "1")
    again = load_corpus("ungdc", cache_dir=fake_un["cache"], progress=False, years=[2022])
    pd.testing.assert_frame_equal(again, y22)  # served from the parsed cache, no file needed
    with pytest.raises(FetchError, match="RUS_76_2021.txt"):  # another choice of years needs its files
        load_corpus("ungdc", cache_dir=fake_un["cache"], progress=False, years=[2021, 2022])
    assert len(list((fake_un["cache"] / "parsed").glob("ungdc-*.json"))) == 1


def test_ungdc_membership_follows_the_year(tmp_path, monkeypatch, no_network):
    d = "data/data_original/TXT/"
    files = {
        "data/data_original/README.txt": "readme",
        d + "Session 45 - 1990/DDR_45_1990.txt": "The last speech of the German Democratic Republic.",
        d + "Session 46 - 1991/YUG_46_1991.txt": "Yugoslavia speaks.",
        d + "Session 56 - 2001/YUG_56_2001.txt": "The Federal Republic of Yugoslavia speaks.",
        d + "Session 47 - 1992/CSK_47_1992.txt": "Czechoslovakia speaks.",
        d + "Session 48 - 1993/CZE_48_1993.txt": "Czechia speaks.",
        d + "Session 16 - 1961/SYR_16_1961.txt": "Syria speaks again.",
        d + "Session 77 - 2022/RUS_77_2022.txt": "The Russian Federation speaks.",
        d + "Session 77 - 2022/VAT_77_2022.txt": "The Holy See speaks.",
    }
    mirror = _install(tmp_path, monkeypatch, "ungdc", "SarahFranzen",
                      "Emotions_in_the_United_Nations_General_Debates", {C1: files})
    c = load_corpus("ungdc", years="all", mirror=mirror, cache_dir=tmp_path / "cache", progress=False)
    c = c.set_index("doc_id")
    assert c["un_member"].to_dict() == {"SYR-1961": True, "DDR-1990": True, "YUG-1991": True, "CSK-1992": True,
                                        "CZE-1993": True, "YUG-2001": True, "RUS-2022": True,
                                        "VAT-2022": False}
    assert c.loc["DDR-1990", "country"] == "German Democratic Republic"
    assert c.loc["CSK-1992", "country"] == "Czechoslovakia"
    assert pd.isna(c.loc["DDR-1990", "es11_4_vote"]) and c.loc["RUS-2022", "es11_4_vote"] == "no"
    assert c.loc["DDR-1990", "published"] == pd.Timestamp("1990-09-01")  # debate opening known for 76-79 only
    assert c.loc["RUS-2022", "published"] == pd.Timestamp("2022-09-20")


def test_un_members_by_year():
    current = un_members()
    assert len(current) == 193 and current["member_until"].isna().all()
    assert pd.api.types.is_datetime64_any_dtype(current["admitted"])
    assert current.set_index("iso3").loc["SSD", "admitted"] == pd.Timestamp("2011-07-14")
    # 51 original Members in 1945; 55 states were Members at some time in 1946
    assert len(un_members(1945)) == 51
    y46 = un_members(1946)
    assert len(y46) == 55 and set(y46["iso3"]) - set(un_members(1945)["iso3"]) == {"AFG", "ISL", "SWE", "THA"}
    assert {"RUS", "UKR", "BLR", "CSK", "YUG", "SYR", "EGY"} <= set(y46["iso3"])
    counts = un_members(range(1945, 2025)).groupby("year").size()
    assert counts[1960] == 99 and counts[1991] == 166 and counts[2000] == 189 and counts[2024] == 193
    assert counts.index.tolist() == list(range(1945, 2025))
    syr = {y for y in range(1955, 1965) if "SYR" in set(un_members(y)["iso3"])}
    assert syr == {1955, 1956, 1957, 1958, 1961, 1962, 1963, 1964}  # United Arab Republic 1958-1961
    assert "DDR" in set(un_members(1990)["iso3"]) and "DDR" not in set(un_members(1991)["iso3"])
    assert "CZE" not in set(un_members(1992)["iso3"]) and "CSK" not in set(un_members(1993)["iso3"])
    assert "SRB" not in set(un_members(1999)["iso3"]) and "SRB" in set(un_members(2000)["iso3"])
    long = un_members([2021, 2022])
    assert len(long) == 2 * 193 and not long.duplicated(["iso3", "year"]).any()
    with pytest.raises(TypeError):
        un_members("2022")


def test_es11_4_votes_join_the_2022_members_and_the_corpus_codes(fake_un):
    votes = es11_4_votes()
    members_2022 = un_members(2022)
    joined = members_2022.merge(votes, on="iso3", how="outer", indicator=True, validate="one_to_one")
    assert (joined["_merge"] == "both").all() and len(joined) == 193
    c = _load(fake_un, "ungdc", years=2022)
    by_code = c.merge(votes, left_on="outlet", right_on="iso3", how="left")
    assert (by_code["vote"].fillna("observer") == c["es11_4_vote"].fillna("observer")).all()
    assert set(c.loc[c["un_member"], "outlet"]) <= set(votes["iso3"])



# --- basil

T = "11111111-2222-3333-4444-555555555555"
PARAS = [["First sentence here.", "Second one is short."], ["Third sentence mentions a radical plan."]]


def _article(source, uuid, title):
    return json.dumps({"title": title, "date": "2012-05-04", "uuid": uuid, "triplet-uuid": T,
                       "source": source, "url": f"https://example.org/{source}", "main-event": "An event",
                       "main-entities": ["Person A", "Person B"], "word-count": 15, "body-paragraphs": PARAS})


def _ann(uuid, spans, stance="center"):
    return json.dumps({"triplet-uuid": T, "uuid": uuid,
                       "article-level-annotations": {"relative_stance": stance},
                       "phrase-level-annotations": spans})


def _span(i, txt, start, end, bias="lex"):
    return {"id": i, "txt": txt, "start": start, "end": end, "bias": bias, "quote": "no", "speaker": "",
            "target": "Person_A", "polarity": "neg", "aim": "dir", "indirect-target-name": "",
            "indirect-ally-opponent-sentiment": "", "notes": ""}


@pytest.fixture
def fake_basil(tmp_path, monkeypatch, no_network):
    third = PARAS[1][0]
    r = third.index("radical")
    files = {
        "README.md": "readme",
        f"data/articles/2012/{T}_1.json": _article("nyt", "u-1", "Title of one"),
        f"data/articles/2012/{T}_2.json": _article("FOX", "u-2", "Title of two"),
        f"data/articles/2012/{T}_3.json": _article("hpo", "empty", "Title of three"),
        f"data/annotations/resolved/2012/{T}_1_ann.json": _ann("u-1", [
            _span("p2", "radical", r, r + 7),
            _span("p0_1", "First", 0, 5, bias="inf"),
            _span("title", "one", 9, 12),
            _span("p1", "short", 14, 18),  # upstream off-by-one end: located by search
        ]),
        f"data/annotations/resolved/2012/{T}_2_ann.json": _ann("u-2", [], stance="right"),
        # article 3 has no annotation file
    }
    mirror = _install(tmp_path, monkeypatch, "basil", "marshallwhiteorg", "emnlp19-media-bias", {C1: files})
    return {"mirror": mirror, "cache": tmp_path / "cache"}


def test_basil_loader(fake_basil):
    c = _load(fake_basil, "basil").set_index("outlet")
    assert sorted(c.index) == ["Fox", "HuffPost", "NYT"]
    nyt = c.loc["NYT"]
    assert nyt["text"] == ("First sentence here. Second one is short.\n\n"
                           "Third sentence mentions a radical plan.")
    assert nyt["doc_id"] == f"NYT-{T}_1" and nyt["triplet_uuid"] == T and nyt["uuid"] == "u-1"
    assert nyt["published"] == pd.Timestamp("2012-05-04") and nyt["year"] == 2012
    assert nyt["main_entities"] == "Person A; Person B" and nyt["relative_stance"] == "center"
    assert c.loc["Fox", "relative_stance"] == "right"
    assert pd.isna(c.loc["HuffPost", "relative_stance"])
    assert pd.isna(c.loc["HuffPost", "uuid"])  # upstream placeholder "empty"


def test_basil_annotations_offsets(fake_basil):
    corpus = _load(fake_basil, "basil").set_index("doc_id")
    a = basil_annotations(mirror=fake_basil["mirror"], cache_dir=fake_basil["cache"], progress=False)
    assert len(a) == 4 and set(a["doc_id"]) == {f"NYT-{T}_1"}
    a = a.set_index("ann_id")
    text = corpus.loc[f"NYT-{T}_1", "text"]
    rad = a.loc["p2"]
    assert rad["sentence"] == 2 and rad["paragraph"] == 1 and rad["sentence_in_paragraph"] == 0
    assert text[rad["doc_start"]:rad["doc_end"]] == "radical"
    assert text.index("radical") == rad["doc_start"]
    assert a.loc["p0_1", "doc_start"] == 0 and a.loc["p0_1", "bias"] == "inf"
    assert a.loc["title", "field"] == "title" and pd.isna(a.loc["title", "doc_start"])
    bad = a.loc["p1"]
    assert not bad["offsets_match"] and text[bad["doc_start"]:bad["doc_end"]] == "short"
    assert bad["start"] == 14 and bad["end"] == 18  # upstream values are kept
    assert a.loc["p2", "offsets_match"]


# --------------------------------------------------------------------------- integration

def _real(name, **options):
    try:
        return load_corpus(name, progress=False, **options)
    except FetchError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"corpus {name!r} not available (run `framing corpus fetch --all` or set "
                    f"FRAMING_MIRROR): {exc}")


EVENT = ("2022-09-16", "2022-10-07")


def _event_counts(c):
    inside = c["published"].between(pd.Timestamp(EVENT[0]), pd.Timestamp(EVENT[1]))
    return c.loc[inside, "outlet"].value_counts().to_dict()


@pytest.mark.integration
def test_real_ukraine_media_counts():
    c = _real("ukraine-media")
    assert len(c) == corpora._DOCUMENTS["ukraine-media"] == 4662
    assert c["doc_id"].is_unique
    assert set(c["outlet"]) == {"RT", "ABC", "CBS", "Fox", "HuffPost", "NYT", "Reuters"}
    assert _event_counts(c) == {"RT": 272, "ABC": 54, "Fox": 45, "HuffPost": 25, "CBS": 17, "NYT": 14,
                                "Reuters": 1}
    d = c.attrs["dropped"]
    assert len(d) == 342 and (d["check"] == "duplicate_url").all()
    assert (c["outlet"] == "RT").sum() == 1628  # union of the two overlapping RT scrapes
    kept = _real("ukraine-media", include_removed=False)
    assert _event_counts(kept) == {"RT": 272, "ABC": 16, "HuffPost": 25, "CBS": 17, "Reuters": 1}
    assert len(kept) == 2755


@pytest.mark.integration
def test_real_corpora_combined_and_saved_keep_their_history(tmp_path):
    """Issue 12: pd.concat + validate_corpus lost the 342 dropped rows and the manifest hashes."""
    news = select(_real("ukraine-media"), start="2022-09-16", end="2022-10-07")
    speeches = _real("ungdc")
    both = concat_corpora(news, speeches)
    assert len(both) == len(news) + len(speeches) and both["doc_id"].is_unique
    d = dropped_rows(both)
    assert len(d) == 342 and (d["check"] == "duplicate_url").all()
    parts = both.attrs["provenance"]["parts"]
    assert [p["part"] for p in parts] == ["ukraine-media", "ungdc"]
    assert parts[0]["provenance"]["manifest_sha256"] == fetch.manifest_hash("ukraine-media")
    assert parts[1]["provenance"]["manifest_sha256"] == fetch.manifest_hash("ungdc")
    assert both.attrs["selection"][0]["parts"][0]["selection"][0]["step"] == "select"
    for suffix in (".parquet", ".csv"):
        back = read_corpus(export_corpus(both, tmp_path / f"both{suffix}"))
        assert back["doc_id"].tolist() == both["doc_id"].tolist()
        assert len(dropped_rows(back)) == 342
        assert back.attrs["selection"] == json.loads(json.dumps(both.attrs["selection"], default=str))
        assert back.attrs["provenance"]["parts"][0]["provenance"]["manifest_sha256"] == \
            fetch.manifest_hash("ukraine-media")


@pytest.mark.integration
def test_real_ungdc_counts():
    c = _real("ungdc")
    assert len(c) == corpora._DOCUMENTS["ungdc"]
    assert c.groupby("year").size().to_dict() == {2021: 193, 2022: 192, 2023: 191, 2024: 191}
    members = set(un_members()["iso3"])
    y22 = c[c["year"] == 2022]
    assert int(y22["un_member"].sum()) == 190
    assert members - set(y22["outlet"]) == {"AFG", "MMR", "STP"}
    assert set(y22.loc[~y22["un_member"], "outlet"]) == {"PSE", "VAT"}
    assert y22["es11_4_vote"].value_counts().to_dict() == {"yes": 140, "abstain": 35, "not voting": 10, "no": 5}
    assert c.set_index("doc_id").loc["RUS-2022", "es11_4_vote"] == "no"
    assert c["speaker"].notna().all()


@pytest.mark.integration
def test_real_ungdc_all_years_from_the_mirror():
    """Every session upstream (1946-2024): ~10,900 speeches read from the mirror."""
    c = _real("ungdc", years="all")
    per_year = c.groupby("year").size()
    assert per_year.index.tolist() == list(range(1946, 2025))
    assert len(c) == 10938 and c["doc_id"].is_unique and len(c.attrs["dropped"]) == 0
    assert per_year[1946] == 39 and per_year[2022] == 192
    default = _real("ungdc")
    pd.testing.assert_frame_equal(c[c["year"] >= 2021].reset_index(drop=True), default)
    # every speaking state is a Member that year or an observer (PSE, VAT)
    assert set(c.loc[~c["un_member"], "outlet"]) == {"PSE", "VAT"}
    members = un_members(range(1946, 2025))
    codes = c["outlet"].where(~((c["outlet"] == "YUG") & (c["year"] >= 2000)), "SRB")
    speaking = set(zip(codes[c["un_member"]], c.loc[c["un_member"], "year"]))
    assert speaking <= set(zip(members["iso3"], members["year"]))
    # the 2022 vote groups join on the same codes
    y22 = c[(c["year"] == 2022) & c["un_member"]]
    assert set(y22["outlet"]) <= set(es11_4_votes()["iso3"])
    assert y22["es11_4_vote"].value_counts().to_dict() == {"yes": 140, "abstain": 35, "not voting": 10, "no": 5}


@pytest.mark.integration
def test_real_basil_triplets_complete():
    c = _real("basil")
    assert len(c) == corpora._DOCUMENTS["basil"] == 150
    per = c.groupby("triplet_uuid")["outlet"].agg(lambda s: tuple(sorted(s)))
    assert len(per) == 50 and (per == ("Fox", "HuffPost", "NYT")).all()
    assert c.groupby("year").size().to_dict() == {y: 30 for y in range(2010, 2015)}
    a = basil_annotations(progress=False)
    text = c.set_index("doc_id")["text"]
    body = a[a["field"] == "body"]
    assert len(a) == 750 and len(body) == 749
    assert all(text[r.doc_id][r.doc_start:r.doc_end] == r.txt for r in body.itertuples())
    assert int((~a["offsets_match"]).sum()) == 1


def test_tables_of_an_older_loader_version_are_pruned(fake_news, monkeypatch):
    _load(fake_news)
    _load(fake_news, include_removed=False)
    parsed = fake_news["cache"] / "parsed"
    assert len(list(parsed.glob("ukraine-media-*.json"))) == 2  # one per option set
    monkeypatch.setattr(corpora, "LOADER_VERSION", corpora.LOADER_VERSION + 1)
    monkeypatch.setattr(corpora, "_MEMORY", {})
    _load(fake_news)
    metas = list(parsed.glob("ukraine-media-*.json"))
    assert len(metas) == 1
    assert json.loads(metas[0].read_text())["key"]["loader_version"] == corpora.LOADER_VERSION
    assert len(list(parsed.glob("ukraine-media-*"))) == 3  # .json, .parquet, .dropped.parquet


def test_basil_loads_any_year_the_manifest_lists(fake_basil, tmp_path):
    """An extended manifest (another year folder) is used via manifest=, keyed separately."""
    base = fake_basil["mirror"] / "github" / "marshallwhiteorg" / "emnlp19-media-bias" / C1
    t2 = "99999999-8888-7777-6666-555555555555"
    for n, src in ((1, "nyt"), (2, "fox"), (3, "hpo")):
        art = json.loads(_article(src, f"v-{n}", f"Later title {n}"))
        art["triplet-uuid"], art["date"] = t2, "2016-03-01"
        path = base / f"data/articles/2016/{t2}_{n}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(art))
    entries = build_manifest(fake_basil["mirror"], "marshallwhiteorg", "emnlp19-media-bias", C1,
                             ["README.md", "data/articles/*/*.json", "data/annotations/resolved/*/*_ann.json"])
    extended = write_manifest("basil", entries, tmp_path / "basil-more.json")
    default = _load(fake_basil, "basil")
    more = _load(fake_basil, "basil", manifest=extended)
    assert len(default) == 3 and len(more) == 6
    assert more.groupby("year").size().to_dict() == {2012: 3, 2016: 3}
    assert more.groupby("triplet_uuid")["outlet"].nunique().eq(3).all()
    assert more.attrs["provenance"]["manifest_sha256"] == fetch.manifest_hash(extended)
    assert default.attrs["provenance"]["manifest_sha256"] != more.attrs["provenance"]["manifest_sha256"]
    assert len(_load(fake_basil, "basil")) == 3  # the default is still served its own table


def test_malformed_upstream_file_names_the_file(tmp_path, monkeypatch, no_network):
    from framing.corpus import CorpusError

    mirror = _install(tmp_path, monkeypatch, "ukraine-media", "r2nery", "ukraine-media", {
        C1: {"data/RT.csv": "Date,URL,Title\n2022-09-20,https://rt.com/a,A\n"}})
    with pytest.raises(CorpusError, match=r"1111111:data/RT.csv.*missing column\(s\) \['Text'\]"):
        load_corpus("ukraine-media", mirror=mirror, cache_dir=tmp_path / "cache", progress=False)
