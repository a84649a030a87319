"""Tests for framing.corpus: readers, validation, dropped rows, duplicates, selection.

All texts are written for these tests (tests/fixtures/corpus/ and the strings below).
"""
from __future__ import annotations

import copy
import csv
import hashlib
import itertools
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from framing.corpus import (
    DROPPED_COLUMNS,
    SCHEMA,
    CorpusError,
    CorpusWarning,
    drop_duplicates,
    drop_summary,
    dropped_rows,
    find_duplicates,
    read_corpus,
    select,
    validate_corpus,
)
from framing.testing import HashEncoder

FIX = Path(__file__).parent / "fixtures" / "corpus"
CSV_ARGS = dict(published="Date", outlet="Source", title="Headline", text="Body", url="Link")


# ----------------------------------------------------------------------------- helpers

def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def raw_frame(**overrides_row3) -> pd.DataFrame:
    """Four valid documents; keyword arguments change row 3 (1-based)."""
    rows = [
        {"doc_id": "a1", "outlet": "Herald", "published": "2022-09-20", "title": "One",
         "text": "The harbour bridge reopened on Tuesday."},
        {"doc_id": "a2", "outlet": "Courier", "published": "2022-09-21", "title": "Two",
         "text": "The council approved the budget."},
        {"doc_id": "a3", "outlet": "Herald", "published": "2022-09-22", "title": "Three",
         "text": "A storm warning was issued for the coast."},
        {"doc_id": "a4", "outlet": "Courier", "published": "2022-09-23", "title": "Four",
         "text": "Ferry crews ended their strike."},
    ]
    rows[2].update(overrides_row3)
    return pd.DataFrame(rows)


def frozen(df: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    return df.copy(deep=True), copy.deepcopy(df.attrs)


def assert_unchanged(df: pd.DataFrame, before: tuple[pd.DataFrame, dict]) -> None:
    pd.testing.assert_frame_equal(df, before[0])
    assert set(df.attrs) == set(before[1])
    for key, value in before[1].items():
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(pd.DataFrame(df.attrs[key]), pd.DataFrame(value))
        else:
            assert df.attrs[key] == value


def word_shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    """Independent reference: set of word n-grams of the lower-cased text."""
    words = re.findall(r"[^\W_]+", text.lower())
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: str, b: str, n: int = 5) -> float:
    sa, sb = word_shingles(a, n), word_shingles(b, n)
    return len(sa & sb) / len(sa | sb)


@pytest.fixture
def corpus() -> pd.DataFrame:
    raw = pd.DataFrame({
        "doc_id": ["r1", "r2", "n1", "n2", "f1", "c1"],
        "outlet": ["RT", "RT", "NYT", "NYT", "Fox", "CBS"],
        "published": ["2022-09-15", "2022-09-16", "2022-09-23", "2022-10-07", "2022-10-08",
                      "2022-09-30"],
        "title": ["Grain deal", "Referendum announced", "Votes condemned", "Annexation signed",
                  "Markets fall", "Kherson referendum"],
        "text": [
            "Ships carrying grain left the port under the export deal.",
            "Officials announced a referendum on joining Russia in four regions.",
            "Western governments condemned the referendums as a sham.",
            "The annexation treaties were signed in the Kremlin.",
            "Stock markets fell sharply on Friday as bond yields rose.",
            "Voting in Kherson took place under military supervision.",
        ],
    })
    return validate_corpus(raw, source="fixture")


# ----------------------------------------------------------------------------- readers

def test_read_csv_maps_columns_types_and_provenance():
    path = FIX / "articles.csv"
    c = read_corpus(path, **CSV_ARGS)
    assert list(c.columns[:len(SCHEMA)]) == list(SCHEMA)
    assert list(c.columns[len(SCHEMA):]) == ["section", "warnings"]
    assert str(c["published"].dtype) == "datetime64[ns]"
    for col in ("doc_id", "outlet", "title", "text", "url", "lang", "section"):
        assert pd.api.types.is_string_dtype(c[col].dtype), col
    assert list(c["doc_id"]) == ["articles-1", "articles-2", "articles-3"]
    assert list(c["outlet"]) == ["Herald", "Courier", "Herald"]
    assert list(c["lang"]) == ["en"] * 3
    # a time-zone-aware timestamp keeps the wall-clock date, normalised to the day
    assert list(c["published"]) == [pd.Timestamp("2022-09-20"), pd.Timestamp("2022-09-21"),
                                    pd.Timestamp("2022-09-22")]
    assert c["text"].iloc[0].startswith("The old harbour bridge") and "\n\n" in c["text"].iloc[0]
    assert dropped_rows(c).empty and list(dropped_rows(c).columns[:4]) == list(DROPPED_COLUMNS)
    assert c.attrs["selection"] == []
    prov = c.attrs["provenance"]
    assert prov["format"] == "csv"
    assert prov["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert prov["columns"]["text"] == "Body" and prov["columns"]["doc_id"] is None


def test_read_csv_defaults_and_absent_columns(tmp_path):
    path = write_csv(tmp_path / "plain.csv", ["text", "published", "year"],
                     [["First story.", "2022-09-20", "2022"], ["Second story.", "2022-09-21", "NA"]])
    c = read_corpus(path, default_outlet="Wire", default_lang="de")
    assert list(c["outlet"]) == ["Wire", "Wire"] and list(c["lang"]) == ["de", "de"]
    assert list(c["title"]) == ["", ""] and list(c["url"]) == ["", ""]
    assert list(c["doc_id"]) == ["plain-1", "plain-2"]
    # metadata columns are typed, with the usual missing-value markers
    assert c["year"].iloc[0] == 2022 and pd.isna(c["year"].iloc[1])
    # schema columns are verbatim strings: a text "NA" is not a missing value
    path2 = write_csv(tmp_path / "na.csv", ["text", "published", "outlet", "title"],
                      [["NA", "2022-09-20", "X", "None"]])
    c2 = read_corpus(path2)
    assert c2["text"].iloc[0] == "NA" and c2["title"].iloc[0] == "None"


def test_read_csv_metadata_selection_and_column_errors(tmp_path):
    c = read_corpus(FIX / "articles.csv", metadata=(), **CSV_ARGS)
    assert list(c.columns) == [*SCHEMA, "warnings"]
    with pytest.raises(CorpusError, match=r"articles\.csv.*column 'Bodyy'.*not found"):
        read_corpus(FIX / "articles.csv", **{**CSV_ARGS, "text": "Bodyy"})
    with pytest.raises(CorpusError, match=r"missing required column 'published'.*published=None"):
        read_corpus(FIX / "articles.csv", text="Body", outlet="Source")
    with pytest.raises(CorpusError, match=r"default_outlet"):
        read_corpus(FIX / "articles.csv", text="Body", published="Date")
    with pytest.raises(CorpusError, match=r"metadata column\(s\) \['nope'\]"):
        read_corpus(FIX / "articles.csv", metadata=["nope"], **CSV_ARGS)
    # published=None keeps documents without dates
    c = read_corpus(FIX / "articles.csv", published=None, outlet="Source", text="Body",
                    metadata=())
    assert c["published"].isna().all() and str(c["published"].dtype) == "datetime64[ns]"


def test_read_csv_unmapped_schema_name_clashes(tmp_path):
    path = write_csv(tmp_path / "two.csv", ["text", "body", "outlet", "published"],
                     [["teaser", "Full story.", "Herald", "2022-09-20"]])
    with pytest.raises(CorpusError, match=r"two\.csv, column 'text': .*clash"):
        read_corpus(path, text="body")
    c = read_corpus(path, text="body", metadata=())
    assert c["text"].tolist() == ["Full story."]


def test_duplicate_index_labels_are_fine(corpus):
    doubled = pd.concat([corpus, corpus.assign(doc_id=corpus["doc_id"] + "-copy")])
    assert not doubled.index.is_unique
    d = find_duplicates(doubled)
    assert (d["dup_kind"] == "exact").sum() == len(corpus)
    s = select(doubled, semantic="referendum", encoder=HashEncoder(), top_k=2)
    assert len(s) == 2 and s["similarity"].notna().all()


def test_read_tsv(tmp_path):
    path = tmp_path / "news.tsv"
    path.write_text("doc_id\toutlet\tpublished\ttext\nx1\tHerald\t2022-09-20\tTabs, not commas.\n",
                    encoding="utf-8")
    c = read_corpus(path)
    assert c["text"].iloc[0] == "Tabs, not commas." and c.attrs["provenance"]["format"] == "tsv"


def test_read_jsonl_rows_are_line_numbers_and_bad_lines(tmp_path):
    args = dict(doc_id="id", outlet="paper", published="when", title="headline", text="body")
    c = read_corpus(FIX / "articles.jsonl", **args)
    assert list(c["doc_id"]) == ["101", "102"]  # numbers become strings
    assert c["tags"].iloc[0] == ["transport", "labour"]
    assert list(c["published"]) == [pd.Timestamp("2022-09-23"), pd.Timestamp("2022-09-24")]
    lines = (FIX / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    lines.insert(1, '{"id": 103, "paper": "Herald", "when": "2022-09-25", "body": broken}')
    lines.append('{"id": 104, "paper": "Herald", "when": "2022-09-26", "body": ""}')
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad\.jsonl, row 2: invalid JSON") as exc:
        read_corpus(path, **args)
    assert exc.value.row == 2
    c = read_corpus(path, errors="drop", **args)
    assert list(c["doc_id"]) == ["101", "102"]
    d = dropped_rows(c)
    # line 2 is the broken one; line 3 is blank; the empty text is on line 5
    assert d[["row", "column", "check"]].values.tolist() == [[2, "", "invalid_json"],
                                                             [5, "text", "empty_text"]]
    assert d["source"].str.endswith("bad.jsonl").all()


def test_read_json_array(tmp_path):
    path = tmp_path / "docs.json"
    path.write_text(json.dumps({"articles": [
        {"doc_id": "j1", "outlet": "Herald", "published": "2022-09-20", "text": "Array of objects."}]}),
        encoding="utf-8")
    c = read_corpus(path)
    assert list(c["doc_id"]) == ["j1"]
    path.write_text(json.dumps([{"doc_id": "j1"}, 3]), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"docs\.json, row 2: not a JSON object"):
        read_corpus(path)


def test_read_parquet_with_datetime_and_tz(tmp_path):
    df = pd.DataFrame({
        "doc_id": ["p1", "p2"], "outlet": ["Herald", "Courier"],
        "published": pd.to_datetime(["2022-09-20 23:30", "2022-09-21 01:00"]).tz_localize("America/New_York"),
        "text": ["Parquet one.", "Parquet two."], "score": [0.5, 1.5]})
    path = tmp_path / "docs.parquet"
    df.to_parquet(path)
    c = read_corpus(path)
    assert list(c["published"]) == [pd.Timestamp("2022-09-20"), pd.Timestamp("2022-09-21")]
    assert str(c["published"].dtype) == "datetime64[ns]"
    assert c["score"].tolist() == [0.5, 1.5]


def test_read_txt_folder_with_subfolder_outlets():
    c = read_corpus(FIX / "txt", published=None)
    assert list(c["doc_id"]) == ["Courier/c-001", "Herald/h-001"]
    assert list(c["outlet"]) == ["Courier", "Herald"]
    assert list(c["file"]) == ["Courier/c-001.txt", "Herald/h-001.txt"]
    assert c["text"].iloc[1].startswith("The museum") and not c["text"].iloc[1].endswith("\n")
    c2 = read_corpus(FIX / "txt", published=None, default_outlet="Wire")
    assert list(c2["outlet"]) == ["Wire", "Wire"]
    with pytest.raises(CorpusError, match=r"missing required column 'published'"):
        read_corpus(FIX / "txt")


def test_read_txt_folder_with_metadata_table(tmp_path):
    c = read_corpus(FIX / "txt_meta")
    assert list(c["doc_id"]) == ["gazette-7", "tribune-3"]  # linked with and without extension
    assert list(c["outlet"]) == ["Gazette", "Tribune"]
    assert list(c["title"]) == ["Orchard harvest begins", "School term delayed"]
    assert list(c["file"]) == ["gazette-7.txt", "tribune-3.txt"]
    assert list(c["published"]) == [pd.Timestamp("2022-09-25"), pd.Timestamp("2022-09-26")]
    assert c["text"].iloc[0].startswith("Apple growers")
    assert c.attrs["provenance"]["files"] == 3  # the table and two texts


def test_txt_folder_unlisted_missing_and_bad_files(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("First text.", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"Line one.\nLine two.\nBad \xff\xfe bytes here.\n")
    (folder / "stray.txt").write_text("Not listed anywhere.", encoding="utf-8")
    write_csv(folder / "metadata.csv", ["file", "outlet", "published"],
              [["a.txt", "Herald", "2022-09-20"], ["b.txt", "Herald", "2022-09-21"],
               ["gone.txt", "Herald", "2022-09-22"]])
    with pytest.raises(CorpusError) as exc:
        read_corpus(folder)
    assert "metadata.csv" in str(exc.value) and "row 3" in str(exc.value)
    assert "'file'" in str(exc.value) and "gone.txt" in str(exc.value)
    c = read_corpus(folder, errors="drop")
    assert list(c["doc_id"]) == ["a"]
    d = dropped_rows(c).set_index("check")
    assert set(d.index) == {"missing_file", "unlisted_file", "undecodable"}
    assert d.loc["missing_file", "row"] == 3
    assert d.loc["unlisted_file", "source"].endswith("stray.txt")
    assert d.loc["undecodable", "row"] == 2 and d.loc["undecodable", "column"] == "text"
    assert "line 3" in d.loc["undecodable", "reason"] and "b.txt" in d.loc["undecodable", "reason"]


def test_txt_folder_headline_line_is_removed_and_recorded(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    files = {
        # the headline again, with other case, quotes and spacing
        "a.txt": "Ferry Crews End  “Strike”\n\nThe ferry crews went back to work on Monday.",
        # a breadcrumb first: looked past and kept
        "b.txt": "News / Harbour\n\nBridge reopens after repairs\n\nThe bridge reopened on Tuesday.",
        # a headline wrapped over two lines, then a blank line
        "c.txt": "Harbour bridge reopens after\nrepairs lasting a year\n\nThe bridge reopened.",
        # a different first line: untouched
        "d.txt": "Bridge reopens\n\nThe bridge reopened after repairs.",
        # the headline is all there is: kept, nothing removed
        "e.txt": "Ferry crews end strike",
        # the headline later in the text: untouched
        "f.txt": "The crews voted.\n\nFerry crews end strike\n\nThey went back.",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    write_csv(folder / "metadata.csv", ["file", "outlet", "published", "title"],
              [["a.txt", "Herald", "2022-09-20", 'Ferry crews end "strike"'],
               ["b.txt", "Herald", "2022-09-21", "Bridge reopens after repairs"],
               ["c.txt", "Herald", "2022-09-22", "Harbour bridge reopens after repairs lasting a year"],
               ["d.txt", "Herald", "2022-09-23", "Bridge reopens after repairs"],
               ["e.txt", "Herald", "2022-09-24", "Ferry crews end strike"],
               ["f.txt", "Herald", "2022-09-25", "Ferry crews end strike"]])
    c = read_corpus(folder)
    assert c["text"].tolist() == [
        "The ferry crews went back to work on Monday.",
        "News / Harbour\n\nThe bridge reopened on Tuesday.",
        "The bridge reopened.",
        files["d.txt"], files["e.txt"], files["f.txt"]]
    assert c.attrs["provenance"]["title_lines_removed"] == [
        {"file": "a.txt", "line": "Ferry Crews End  “Strike”"},
        {"file": "b.txt", "line": "Bridge reopens after repairs"},
        {"file": "c.txt", "line": "Harbour bridge reopens after\nrepairs lasting a year"}]
    # no title column: nothing to compare with, nothing removed
    (folder / "metadata.csv").unlink()
    c2 = read_corpus(folder, published=None, default_outlet="Herald")
    assert c2["text"].tolist() == list(files.values())
    assert c2.attrs["provenance"]["title_lines_removed"] == []
    # the record survives selection
    assert select(c, start="2022-09-20").attrs["provenance"]["title_lines_removed"][0]["file"] == "a.txt"


def test_read_html_folder_extracts_body_not_boilerplate():
    c = read_corpus(FIX / "html", default_outlet="Web")
    assert list(c["doc_id"]) == ["bridge", "ferry"]
    bridge, ferry = c["text"].tolist()
    assert bridge.startswith("The old harbour bridge reopened")
    assert "brass band" in bridge and "twelve million crowns" in bridge
    for junk in ("World news", "Subscribe", "All rights reserved", "cookies", "Sport results"):
        assert junk not in bridge
    assert "four percent" in ferry
    for junk in ("Most read", "Lottery winner", "Privacy policy", "Sign in", "Opinion"):
        assert junk not in ferry
    assert not bridge.startswith("Harbour bridge reopens")  # headline line removed from text
    assert c.attrs["provenance"]["title_lines_removed"] == [
        {"file": "bridge.html", "line": "Harbour bridge reopens after repairs"},
        {"file": "ferry.html", "line": "Ferry crews end strike"}]
    assert list(c["title"]) == ["Harbour bridge reopens after repairs", "Ferry crews end strike"]
    assert list(c["published"]) == [pd.Timestamp("2022-09-20"), pd.Timestamp("2022-09-23")]
    assert c["url"].iloc[0] == "https://gazette.example/news/bridge-reopens"
    assert list(c["sitename"]) == ["Example Gazette", "Coast Courier"]
    assert (c["warnings"] == "").all()


def test_read_html_folder_metadata_table_wins(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("bridge.html", "ferry.html"):
        (folder / name).write_bytes((FIX / "html" / name).read_bytes())
    write_csv(folder / "metadata.csv", ["file", "outlet", "title", "published"],
              [["bridge", "Gazette", "Bridge open again", ""], ["ferry.html", "Courier", "", "2022-10-01"]])
    c = read_corpus(folder)
    assert list(c["outlet"]) == ["Gazette", "Courier"]
    assert list(c["title"]) == ["Bridge open again", "Ferry crews end strike"]  # blank -> page
    assert list(c["published"]) == [pd.Timestamp("2022-09-20"), pd.Timestamp("2022-10-01")]


def test_format_inference_and_errors(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"")
    with pytest.raises(CorpusError, match=r"x\.xlsx.*extension '\.xlsx'"):
        read_corpus(tmp_path / "x.xlsx")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.txt").write_text("x", encoding="utf-8")
    (mixed / "b.html").write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(CorpusError, match="both .txt and .html"):
        read_corpus(mixed)
    with pytest.raises(ValueError, match="unknown format 'docx'"):
        read_corpus(FIX / "articles.csv", format="docx")
    with pytest.raises(CorpusError, match="reads a folder"):
        read_corpus(FIX / "articles.csv", format="txt")
    with pytest.raises(FileNotFoundError):
        read_corpus(tmp_path / "missing.csv")
    # an explicit format overrides the extension
    (tmp_path / "data.txt").write_text("doc_id,outlet,published,text\nq,Herald,2022-09-20,Hi.\n",
                                       encoding="utf-8")
    assert read_corpus(tmp_path / "data.txt", format="csv")["doc_id"].tolist() == ["q"]
    with pytest.raises(CorpusError, match="errors.csv"):
        (tmp_path / "errors.csv").write_text('a,b\n"unclosed,1\n', encoding="utf-8")
        read_corpus(tmp_path / "errors.csv", text="a", published="b", default_outlet="X")


# ----------------------------------------------------------------------------- validation

BAD_ROWS = [
    # overrides of row 3, column, message fragment, check
    ({"text": ""}, "text", "empty text", "empty_text"),
    ({"text": "  \n\t "}, "text", "empty text", "empty_text"),
    ({"published": "2022-13-45"}, "published", "unparseable date '2022-13-45'", "unparseable_date"),
    ({"published": "now"}, "published", "unparseable date 'now'", "unparseable_date"),
    ({"published": "1500-01-01"}, "published", "unparseable date '1500-01-01'", "unparseable_date"),
    ({"published": ""}, "published", "missing date", "missing_date"),
    ({"published": None}, "published", "missing date", "missing_date"),
    ({"doc_id": "a1"}, "doc_id", "duplicate doc_id 'a1' (first at news.csv, row 1)", "duplicate_doc_id"),
    ({"doc_id": " "}, "doc_id", "missing doc_id", "missing_doc_id"),
    ({"outlet": ""}, "outlet", "missing outlet", "missing_outlet"),
    ({"text": "The vote <p>was held</p> on Sunday."}, "text", "HTML markup in text: '<p>'", "html_markup"),
    ({"text": 'See <a href="x.html">the results</a>.'}, "text", "HTML markup", "html_markup"),
    ({"title": "Bad \ufffd title"}, "title", "undecodable bytes in title", "undecodable"),
]


@pytest.mark.parametrize("override, column, fragment, check", BAD_ROWS)
def test_validation_error_names_file_row_column(override, column, fragment, check):
    raw = raw_frame(**override)
    with pytest.raises(CorpusError) as exc:
        validate_corpus(raw, source="news.csv")
    msg = str(exc.value)
    assert msg.startswith(f"news.csv, row 3, column {column!r}: "), msg
    assert fragment in msg
    assert (exc.value.file, exc.value.row, exc.value.column) == ("news.csv", 3, column)


@pytest.mark.parametrize("override, column, fragment, check", BAD_ROWS)
def test_validation_drop_records_row(override, column, fragment, check):
    raw = raw_frame(**override)
    before = frozen(raw)
    c = validate_corpus(raw, source="news.csv", errors="drop")
    assert_unchanged(raw, before)
    assert list(c["doc_id"]) == ["a1", "a2", "a4"]
    d = dropped_rows(c)
    assert len(d) == 1
    rec = d.iloc[0]
    assert (rec["source"], rec["row"], rec["column"], rec[ "check"]) == ("news.csv", 3, column, check)
    assert fragment in rec["reason"]
    assert rec["title"] == raw["title"].iloc[2]  # the dropped row's fields are kept
    assert drop_summary(c)[["check", "count"]].values.tolist() == [[check, 1]]


def test_missing_required_column_always_raises():
    raw = raw_frame().drop(columns=["outlet"])
    for errors in ("raise", "drop"):
        with pytest.raises(CorpusError, match=r"^news\.csv, column 'outlet': missing required column"):
            validate_corpus(raw, source="news.csv", errors=errors)
    with pytest.raises(ValueError, match="errors must be"):
        validate_corpus(raw_frame(), errors="ignore")
    with pytest.raises(TypeError):
        validate_corpus([1, 2, 3])


def test_drop_counts_several_problems_and_first_problem_wins():
    raw = pd.concat([raw_frame(), raw_frame()], ignore_index=True)  # 8 rows, ids repeat
    raw.loc[1, "text"] = ""
    raw.loc[1, "published"] = "bad"  # same row: text is checked first
    raw.loc[5, "published"] = "bad"  # a2 again, but dropped for its date, not as duplicate
    c = validate_corpus(raw, errors="drop")
    assert list(c["doc_id"]) == ["a1", "a3", "a4"]
    d = dropped_rows(c)
    assert d["row"].tolist() == [2, 5, 6, 7, 8]
    assert d["check"].tolist() == ["empty_text", "duplicate_doc_id", "unparseable_date",
                                   "duplicate_doc_id", "duplicate_doc_id"]
    summary = drop_summary(c)
    assert summary.set_index("check")["count"].to_dict() == {
        "duplicate_doc_id": 3, "empty_text": 1, "unparseable_date": 1}
    assert summary["check"].iloc[0] == "duplicate_doc_id"
    assert c.attrs["provenance"]["validation"] == {"rows_in": 8, "rows_out": 3, "rows_dropped": 5,
                                                  "rows_with_warnings": 0}


def test_undecodable_bytes_in_csv(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(
        b"doc_id,outlet,published,text\n"
        b"u1,Herald,2022-09-20,Fine text.\n"
        b"u2,Herald,2022-09-21,\"First line.\nBroken \xff\xfe bytes.\"\n"
        b"u3,Courier,2022-09-22,Caf\xc3\xa9 owners protested.\n")
    with pytest.raises(CorpusError) as exc:
        read_corpus(path)
    msg = str(exc.value)
    assert "broken.csv" in msg and "row 2" in msg and "'text'" in msg and "undecodable" in msg
    assert "line 2 of the field" in msg
    c = read_corpus(path, errors="drop")
    assert list(c["doc_id"]) == ["u1", "u3"]
    assert c["text"].iloc[1] == "Café owners protested."  # the rest decodes fine
    assert dropped_rows(c)["row"].tolist() == [2]


def test_combined_files_report_their_own_file_and_row():
    a = raw_frame().assign(_source="a.csv", _row=[1, 2, 3, 4])
    b = raw_frame(text="").assign(doc_id=["b1", "b2", "b3", "b4"], _source="b.csv", _row=[1, 2, 3, 4])
    combined = pd.concat([a, b], ignore_index=True)
    with pytest.raises(CorpusError, match=r"^b\.csv, row 3, column 'text': empty text"):
        validate_corpus(combined, source="loader")
    c = validate_corpus(combined, source="loader", errors="drop")
    assert "_source" not in c.columns and "_row" not in c.columns
    assert dropped_rows(c)[["source", "row"]].values.tolist() == [["b.csv", 3]]
    # the same through rows=
    rows = pd.DataFrame({"source": ["a.csv"] * 4 + ["b.csv"] * 4, "row": [2, 3, 4, 5] * 2})
    with pytest.raises(CorpusError, match=r"^b\.csv, row 4, column 'text'"):
        validate_corpus(combined.drop(columns=["_source", "_row"]), rows=rows)
    with pytest.raises(CorpusError, match=r"^x\.csv, row 12, column 'text'"):
        validate_corpus(raw_frame(text=""), source="x.csv", rows=[10, 11, 12, 13])
    with pytest.raises(ValueError, match="rows= has 2 entries"):
        validate_corpus(raw_frame(), rows=[1, 2])


@pytest.mark.parametrize("value, expected", [
    ("2022-09-20", "2022-09-20"),
    ("2022-09-20T23:30:00-05:00", "2022-09-20"),  # wall-clock date, not the UTC day
    ("2022-09-20 10:15:00", "2022-09-20"),
    ("20 September 2022", "2022-09-20"),
    ("Sep 20, 2022", "2022-09-20"),
    (pd.Timestamp("2022-09-20 10:00", tz="Europe/Moscow"), "2022-09-20"),
    (20220920, "2022-09-20"),
    ("2022/09/20", "2022-09-20"),
    ("2022-9-20 7:05 PM", "2022-09-20"),
    ("Tue, 20 Sep 2022 10:00:00 GMT", "2022-09-20"),
    ("September 20, 2022", "2022-09-20"),
])
def test_date_parsing(value, expected):
    c = validate_corpus(raw_frame(published=value))
    assert c["published"].iloc[2] == pd.Timestamp(expected)
    assert str(c["published"].dtype) == "datetime64[ns]"
    assert (c["published"] == c["published"].dt.normalize()).all()


def test_date_parsing_mixed_zones_formats_and_datetime_columns():
    raw = raw_frame()
    raw["published"] = ["2022-09-20T10:00:00+03:00", "2022-09-21", "2022-09-22T01:00:00Z",
                        "23 September 2022"]
    c = validate_corpus(raw)
    assert c["published"].dt.strftime("%Y-%m-%d").tolist() == [
        "2022-09-20", "2022-09-21", "2022-09-22", "2022-09-23"]
    raw["published"] = ["03/04/2022", "13/04/2022", "01/12/2022", "31/12/2022"]
    c = validate_corpus(raw, date_format="%d/%m/%Y")
    assert c["published"].dt.strftime("%Y-%m-%d").tolist() == [
        "2022-04-03", "2022-04-13", "2022-12-01", "2022-12-31"]
    raw.loc[1, "published"] = "2022-04-13"
    with pytest.raises(CorpusError, match=r"row 2, column 'published': unparseable date "
                                          r"'2022-04-13' \(expected format '%d/%m/%Y'\)"):
        validate_corpus(raw, date_format="%d/%m/%Y")
    raw["published"] = pd.to_datetime(["2022-09-20 13:45", None, "2022-09-22", "2022-09-23"],
                                      format="ISO8601")
    c = validate_corpus(raw, allow_missing_dates=True)
    assert c["published"].iloc[0] == pd.Timestamp("2022-09-20") and pd.isna(c["published"].iloc[1])
    with pytest.raises(CorpusError, match="row 2, column 'published': missing date"):
        validate_corpus(raw)


def test_warnings_are_kept_and_conservative():
    long_para = ("The regulator said on Monday that websites telling visitors 'we use cookies' "
                 "without a real choice break the law, and it fined three retailers. " * 3)
    texts = {
        "a1": "Prices rose&nbsp;sharply in September.",
        "a2": "Profits at AT&T rose; R&D spending fell and Q&A sessions were cancelled.",
        "a3": "The ferry strike ended on Friday.\nSubscribe to our newsletter\n",
        "a4": "Opening paragraph about the referendum vote. " * 10 + long_para
              + "Closing paragraph about the referendum vote. " * 10,
    }
    raw = raw_frame()
    raw["text"] = [texts[i] for i in raw["doc_id"]]
    with pytest.warns(CorpusWarning, match="2 of 4 documents"):
        c = validate_corpus(raw)
    assert len(c) == 4 and dropped_rows(c).empty
    w = dict(zip(c["doc_id"], c["warnings"]))
    assert w["a1"] == "HTML entity '&nbsp;' in text"
    assert w["a2"] == ""
    assert "possible boilerplate 'Subscribe to our newsletter' on a short line" == w["a3"]
    assert w["a4"] == ""  # a story about cookie banners is not boilerplate


def test_real_looking_text_passes_clean():
    text = ("Officials in the region said 87% of voters backed the proposal, a figure Kyiv "
            "rejected as \"fabricated\". <Reuters> could not verify the count; turnout was "
            "put at 3 < 4 million. Click-through rates & engagement were not affected.")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = validate_corpus(raw_frame(text=text))
    assert c["warnings"].iloc[2] == ""


# ----------------------------------------------------------------------------- attrs and mutation

def test_dropped_rows_and_summary_on_plain_frames():
    d = dropped_rows(pd.DataFrame({"a": [1]}))
    assert d.empty and list(d.columns[:4]) == list(DROPPED_COLUMNS)
    assert type(d) is pd.DataFrame
    s = drop_summary(pd.DataFrame())
    assert s.empty and list(s.columns) == ["check", "count", "example"]
    with pytest.raises(TypeError):
        dropped_rows("not a frame")


def test_attrs_survive_selection_and_deduplication(corpus):
    raw = raw_frame(text="")
    c = validate_corpus(raw, source="news.csv", errors="drop")
    prov = copy.deepcopy(c.attrs["provenance"])
    s = select(c, outlets=["Herald", "Courier"], start="2022-09-20")
    f = find_duplicates(s)
    dd = drop_duplicates(f)
    for out in (s, f, dd):
        assert dropped_rows(out)["row"].tolist()[:1] == [3]
        assert out.attrs["provenance"] == prov
    assert [step["step"] for step in dd.attrs["selection"]] == ["select", "drop_duplicates"]
    assert f.attrs["selection"] == s.attrs["selection"]
    # the stored dropped table does not break pd.concat of two corpora
    both = pd.concat([c, corpus], ignore_index=True)
    assert len(both) == len(c) + len(corpus)
    same = pd.concat([c.iloc[:1], c.iloc[1:]])
    assert len(dropped_rows(same)) == 1


def test_functions_do_not_mutate_inputs(corpus):
    raw = raw_frame(text="")
    before = frozen(raw)
    validate_corpus(raw, errors="drop")
    assert_unchanged(raw, before)
    before = frozen(corpus)
    select(corpus, query="referendum", semantic="referendum", encoder=HashEncoder(), top_k=1)
    find_duplicates(corpus)
    drop_duplicates(corpus)
    assert_unchanged(corpus, before)


# ----------------------------------------------------------------------------- duplicates

STRIKE = [
    "Dock workers at the northern port walked out at dawn on Monday over pay and night shifts.",
    "The union said about four hundred members had joined the stoppage by mid morning.",
    "Cranes stood idle and a queue of lorries stretched back along the coast road.",
    "The port authority said perishable cargo would be diverted to the southern terminal.",
    "Talks between the union and the operators broke down late on Sunday evening.",
    "Operators offered a raise of three percent, which union leaders called an insult.",
    "Fishermen who share the harbour said their catch could not reach the market in time.",
    "A spokeswoman for the regional government urged both sides to return to the table.",
    "Police reported no incidents at the gates, where pickets lit small fires to keep warm.",
    "Shipping agents warned that a long strike would push up prices in local shops.",
    "The last comparable stoppage, eleven years ago, lasted almost three weeks.",
    "Several ferry routes were not affected because they use a separate quay.",
    "Union members voted on Saturday by a large majority to reject the final offer.",
    "The operators said their costs had risen sharply since the start of the year.",
    "A mediator from the labour ministry is expected to arrive on Tuesday.",
    "Local businesses said they had stocked up in anticipation of the walkout.",
    "Students from the maritime college joined the pickets in the afternoon.",
    "The mayor said the city would not intervene in what he called a private dispute.",
    "Two container ships anchored offshore to wait for the strike to end.",
    "Exporters of timber and paper said they would miss delivery deadlines abroad.",
    "The union has asked for a guaranteed rest day after every three night shifts.",
    "Pension rules for dock workers were changed last year without consultation.",
    "Officials said emergency medical supplies would still be unloaded by volunteers.",
    "Rail freight from the port fell to a handful of trains during the day.",
    "The chamber of commerce estimated daily losses at several million crowns.",
    "A second round of talks is planned for Wednesday at the ministry in the capital.",
    "Some younger workers said they could no longer afford rents near the harbour.",
    "The operators declined to comment on reports that they would hire temporary staff.",
    "Weather forecasters predicted calm seas for the rest of the week.",
    "Union leaders said the strike would continue until a written offer was made.",
]
# another article on the same event, in other words (must not count as a duplicate)
STRIKE_OTHER = [
    "Hundreds of port workers stopped work on Monday in a dispute about wages.",
    "The strike at the northern port is the first in more than a decade.",
    "According to the union, the operators refused to discuss night shift bonuses.",
    "Lorry drivers waited for hours on the coast road as loading stopped.",
    "The port authority said it was diverting some cargo to the southern terminal.",
    "Economists said the dispute could hurt exports if it lasts beyond a week.",
    "Pickets gathered at the main gate while police watched from a distance.",
    "The regional government called on the union and the operators to resume talks.",
    "A mediator from the labour ministry will try to broker a deal this week.",
    "Shop owners in the harbour district said deliveries were already late.",
] * 3


def article(sentences) -> str:
    return " ".join(sentences)


@pytest.fixture
def dup_corpus() -> pd.DataFrame:
    base = article(STRIKE)
    exact_variant = re.sub(r"\s+", "   ", base.upper()).replace(",", "").replace(".", " !")
    changed = list(STRIKE)
    changed[15] = "Bakers near the quay said they had sold out of bread by nine in the morning."
    wire_copy = base + " (Reporting by a staff correspondent; editing by the night desk.)"
    raw = pd.DataFrame({
        "doc_id": ["orig", "scraped-again", "edited", "other-story", "wire-copy", "unrelated"],
        "outlet": ["Reuters", "Reuters", "Herald", "Herald", "CBS", "Courier"],
        "published": ["2022-09-20", "2022-09-22", "2022-09-21", "2022-09-20", "2022-09-19",
                      "2022-09-20"],
        "text": [base, exact_variant, article(changed), article(STRIKE_OTHER), wire_copy,
                 "The council approved next year's budget by a narrow margin on Wednesday."],
    })
    return validate_corpus(raw, source="dups")


def test_find_duplicates_exact_near_and_not_same_topic(dup_corpus):
    d = find_duplicates(dup_corpus).set_index("doc_id")
    texts = dup_corpus.set_index("doc_id")["text"]
    # planted near copy is above the threshold by an independent calculation ...
    assert 0.9 <= jaccard(texts["orig"], texts["edited"]) < 0.95
    # ... and the other article on the same event shares phrases but is far below it
    assert 0 < jaccard(texts["orig"], texts["other-story"]) < 0.1
    group = d.loc["orig", "dup_group"]
    assert group >= 0
    members = set(d.index[d["dup_group"] == group])
    assert members == {"orig", "scraped-again", "edited", "wire-copy"}
    # earliest published is the representative: the wire copy of 19 Sep
    assert set(d.loc[list(members), "dup_of"]) == {"wire-copy"}
    assert d.loc["wire-copy", "dup_kind"] == ""
    assert d.loc["orig", "dup_kind"] == "near" and d.loc["edited", "dup_kind"] == "near"
    for doc in ("other-story", "unrelated"):
        assert (d.loc[doc, "dup_group"], d.loc[doc, "dup_kind"], d.loc[doc, "dup_of"]) == (-1, "", "")
        assert np.isnan(d.loc[doc, "dup_similarity"])
    # similarity to the representative = Jaccard of word 5-gram sets, computed independently
    for doc in ("orig", "edited", "scraped-again"):
        assert d.loc[doc, "dup_similarity"] == pytest.approx(jaccard(texts[doc], texts["wire-copy"]))
    assert str(d["dup_group"].dtype) == "int64"


def test_exact_duplicates_whitespace_punctuation_case(dup_corpus):
    d = find_duplicates(dup_corpus, near=False).set_index("doc_id")
    assert d.loc["scraped-again", "dup_kind"] == "exact"
    assert d.loc["scraped-again", "dup_of"] == "orig" and d.loc["orig", "dup_kind"] == ""
    assert d.loc["scraped-again", "dup_similarity"] == 1.0
    assert (d.drop(index=["orig", "scraped-again"])["dup_group"] == -1).all()
    d_last = find_duplicates(dup_corpus, near=False, keep="last").set_index("doc_id")
    assert d_last.loc["orig", "dup_of"] == "scraped-again"
    assert d_last.loc["orig", "dup_kind"] == "exact"


def test_same_date_ties_go_to_first_row():
    raw = pd.DataFrame({"doc_id": ["x", "y", "z"], "outlet": ["A", "B", "C"],
                        "published": ["2022-09-20"] * 3, "text": ["Same words here."] * 3})
    d = find_duplicates(validate_corpus(raw))
    assert d["dup_of"].tolist() == ["x", "x", "x"]
    assert d["dup_kind"].tolist() == ["", "exact", "exact"]
    assert d["dup_group"].tolist() == [0, 0, 0]


def test_near_duplicate_groups_match_brute_force():
    """Documents made of overlapping windows of sentences span all similarity levels; the
    groups must equal the connected components of the pairs whose exact Jaccard (computed
    here with Python sets) reaches the threshold -- i.e. the candidate step misses nothing."""
    rng = np.random.default_rng(7)
    pool = [f"{s} {w}" for s, w in itertools.product(STRIKE[:20], ("Sources agreed.", "Others doubted it."))]
    texts = []
    for k in range(24):  # sliding windows: neighbours share most sentences
        texts.append(" ".join(pool[k:k + 14]))
    for _ in range(16):  # random mixtures
        texts.append(" ".join(rng.choice(pool, size=12, replace=False)))
    raw = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "outlet": "X",
                        "published": "2022-09-20", "text": texts})
    corpus = validate_corpus(raw)
    sets = [word_shingles(t) for t in texts]
    jac = {(i, j): len(sets[i] & sets[j]) / len(sets[i] | sets[j])
           for i, j in itertools.combinations(range(len(texts)), 2)}
    for threshold in (0.5, 0.7, 0.85):
        parent = list(range(len(texts)))

        def root(i):
            while parent[i] != i:
                i = parent[i]
            return i

        for (i, j), value in jac.items():
            if value >= threshold:
                parent[root(i)] = root(j)
        expected = {}
        for i in range(len(texts)):
            expected.setdefault(root(i), set()).add(f"d{i}")
        expected_groups = sorted(sorted(g) for g in expected.values() if len(g) > 1)
        d = find_duplicates(corpus, threshold=threshold)
        got = sorted(sorted(g) for _, g in d[d["dup_group"] >= 0].groupby("dup_group")["doc_id"])
        assert got == expected_groups, threshold
        assert expected_groups  # the fixture does produce groups at every threshold


def test_find_duplicates_arguments(dup_corpus):
    with pytest.raises(ValueError, match="threshold"):
        find_duplicates(dup_corpus, threshold=0)
    with pytest.raises(ValueError, match="ngram"):
        find_duplicates(dup_corpus, ngram=0)
    with pytest.raises(ValueError, match="keep"):
        find_duplicates(dup_corpus, keep="longest")
    with pytest.raises(ValueError, match=r"no column\(s\) \['text'\]"):
        find_duplicates(dup_corpus.drop(columns=["text"]))
    empty = find_duplicates(dup_corpus.iloc[:0])
    assert len(empty) == 0 and "dup_group" in empty.columns


def test_drop_duplicates_records_removed_rows(dup_corpus):
    out = drop_duplicates(dup_corpus)
    assert list(out["doc_id"]) == ["other-story", "wire-copy", "unrelated"]
    assert list(out.columns) == list(dup_corpus.columns)
    d = dropped_rows(out)
    assert sorted(d["doc_id"]) == ["edited", "orig", "scraped-again"]
    assert set(d["reason"]) == {"duplicate of wire-copy"} and set(d["check"]) == {"duplicate"}
    assert d["source"].eq("dups").all() and d["row"].isna().all()
    # kinds are relative to the representative: the re-scraped copy of "orig" is near the wire copy
    assert set(d["dup_kind"]) == {"near"}
    step = out.attrs["selection"][-1]
    assert step["step"] == "drop_duplicates" and (step["n_before"], step["n_after"]) == (6, 3)
    assert drop_summary(out).set_index("check")["count"].to_dict() == {"duplicate": 3}
    exact_only = drop_duplicates(dup_corpus, near=False)
    assert list(exact_only["doc_id"]) == ["orig", "edited", "other-story", "wire-copy", "unrelated"]


# ----------------------------------------------------------------------------- selection

def test_select_date_window_inclusive(corpus):
    s = select(corpus, start="2022-09-16", end="2022-10-07")
    assert list(s["doc_id"]) == ["r2", "n1", "n2", "c1"]
    assert list(s.index) == [1, 2, 3, 5]  # original labels kept
    step = s.attrs["selection"][-1]
    assert step["step"] == "select" and (step["n_before"], step["n_after"]) == (6, 4)
    assert step["criteria"] == [{"criterion": "date", "start": "2022-09-16", "end": "2022-10-07",
                                 "n_after": 4}]
    assert list(select(corpus, end=pd.Timestamp("2022-09-16 18:00"))["doc_id"]) == ["r1", "r2"]
    assert list(select(corpus, start="2022-10-08")["doc_id"]) == ["f1"]
    with pytest.raises(ValueError, match="before start"):
        select(corpus, start="2022-10-01", end="2022-09-01")
    with pytest.raises(ValueError, match="not a date"):
        select(corpus, start="last week")


def test_select_outlets(corpus):
    assert list(select(corpus, outlets="RT")["doc_id"]) == ["r1", "r2"]
    assert list(select(corpus, outlets=["NYT", "CBS"])["doc_id"]) == ["n1", "n2", "c1"]
    with pytest.raises(ValueError, match=r"unknown outlet\(s\) \['BBC'\]; known outlets: "
                                         r"\['CBS', 'Fox', 'NYT', 'RT'\]"):
        select(corpus, outlets=["RT", "BBC"])
    with pytest.raises(ValueError, match="empty"):
        select(corpus, outlets=[])


def test_select_keyword_query(corpus):
    assert list(select(corpus, query="referendum")["doc_id"]) == ["r2", "c1"]  # not "referendums"
    assert list(select(corpus, query="referendum*")["doc_id"]) == ["r2", "n1", "c1"]
    assert list(select(corpus, query="Referendum", case=True)["doc_id"]) == ["r2"]
    assert list(select(corpus, query="referendum", fields=["text"])["doc_id"]) == ["r2"]
    assert list(select(corpus, query=["grain", "annexation"])["doc_id"]) == ["r1", "n2"]
    assert list(select(corpus, query="bond  yields")["doc_id"]) == ["f1"]  # phrase, any spacing
    hits = select(corpus, query=r"referendums?\b", regex=True, fields=["text"])
    assert list(hits["doc_id"]) == ["r2", "n1"]
    s = select(corpus, start="2022-09-20", outlets=["NYT", "CBS"], query="referendum*")
    assert list(s["doc_id"]) == ["n1", "c1"]
    assert [(c["criterion"], c["n_after"]) for c in s.attrs["selection"][-1]["criteria"]] == [
        ("date", 4), ("outlets", 3), ("query", 2)]
    with pytest.raises(ValueError, match="not a valid regular expression"):
        select(corpus, query="(unclosed", regex=True)
    with pytest.raises(ValueError, match="non-empty"):
        select(corpus, query=" ")


def test_select_semantic_matches_direct_cosines(corpus):
    enc = HashEncoder(dim=64)
    emb = enc.encode((corpus["title"] + "\n" + corpus["text"]).tolist())
    q = enc.encode(["referendum voting in Kherson"])[0]
    sims = emb.astype(np.float64) @ q.astype(np.float64)
    expected_top2 = corpus["doc_id"].to_numpy()[np.sort(np.argsort(-sims)[:2])].tolist()
    s = select(corpus, semantic="referendum voting in Kherson", encoder=enc, top_k=2)
    assert list(s["doc_id"]) == expected_top2
    np.testing.assert_allclose(s["similarity"].to_numpy(), np.sort(sims)[::-1][:2][np.argsort(
        np.argsort(-sims)[:2])], rtol=1e-5)
    # with given embeddings and a threshold
    thr = float(np.sort(sims)[-3]) - 1e-9
    s2 = select(corpus, semantic="referendum voting in Kherson", encoder=enc, embeddings=emb,
                min_similarity=thr)
    assert list(s2["doc_id"]) == corpus["doc_id"][sims >= thr].tolist() and len(s2) == 3
    # a query vector needs no encoder; selection steps are recorded
    s3 = select(corpus, semantic=q, embeddings=emb, top_k=1, outlets=["RT", "CBS"])
    assert len(s3) == 1 and s3["doc_id"].iloc[0] in {"r1", "r2", "c1"}
    crit = s3.attrs["selection"][-1]["criteria"][-1]
    assert crit["criterion"] == "semantic" and crit["query"] == "<vector>" and crit["n_after"] == 1
    assert s.attrs["selection"][-1]["criteria"][-1]["encoder"] == enc.name


def test_select_semantic_errors(corpus):
    enc = HashEncoder()
    with pytest.raises(ValueError, match="needs top_k"):
        select(corpus, semantic="vote", encoder=enc)
    with pytest.raises(ValueError, match="need a semantic"):
        select(corpus, top_k=3)
    with pytest.raises(ValueError, match="needs an encoder"):
        select(corpus, semantic="vote", embeddings=np.ones((len(corpus), 4)), top_k=1)
    with pytest.raises(ValueError, match="embeddings= .* or an encoder"):
        select(corpus, semantic="vote", top_k=1)
    with pytest.raises(ValueError, match=r"shape \(len\(corpus\), dim\)"):
        select(corpus, semantic="vote", encoder=enc, embeddings=np.ones((2, 64)), top_k=1)
    with pytest.raises(ValueError, match="top_k"):
        select(corpus, semantic="vote", encoder=enc, top_k=0)
    with pytest.raises(ValueError, match="min_similarity"):
        select(corpus, semantic="vote", encoder=enc, min_similarity=2)


def test_select_semantic_uses_only_the_encoders_encode(corpus):
    """select(semantic=) reaches the embedding stage only through ``encoder.encode``."""
    class Recorder:  # no name, no other method: duck typing is all select may rely on
        def __init__(self):
            self.calls = []
            self.inner = HashEncoder(dim=32)

        def encode(self, texts):
            self.calls.append(list(texts))
            return self.inner.encode(texts)

    enc = Recorder()
    s = select(corpus, outlets=["RT", "NYT"], semantic="referendum", encoder=enc, top_k=2)
    left = corpus[corpus["outlet"].isin(["RT", "NYT"])]
    assert enc.calls == [[f"{t}\n{x}" if t else x for t, x in zip(left["title"], left["text"])], ["referendum"]]
    sims = enc.inner.encode(enc.calls[0]).astype(np.float64) @ enc.inner.encode(["referendum"])[0]
    assert list(s["doc_id"]) == left["doc_id"].to_numpy()[np.sort(np.argsort(-sims, kind="stable")[:2])].tolist()
    assert s.attrs["selection"][-1]["criteria"][-1]["encoder"] is None

    class Broken:
        def encode(self, texts):
            return np.ones((1, 4))

    with pytest.raises(ValueError, match="rows"):
        select(corpus, semantic="vote", encoder=Broken(), top_k=1)
    emb = HashEncoder(dim=8).encode(corpus["text"].tolist())
    emb[2] = np.nan
    with pytest.raises(ValueError, match="row 2"):
        select(corpus, semantic=emb[0], embeddings=emb, top_k=1)


def test_the_subpackage_keeps_every_public_name():
    import pickle

    import framing.corpus as fc

    for name in [*fc.__all__, "REQUIRED", "Errors", "EXPORT_KEY", "SIDECAR_SUFFIX", "_DroppedTable"]:
        assert hasattr(fc, name), name
    assert fc.CorpusError.__module__ == "framing.corpus"
    err = pickle.loads(pickle.dumps(CorpusError("bad", file="f.csv", row=2, column="text")))
    assert isinstance(err, CorpusError) and str(err) == "f.csv, row 2, column 'text': bad"


def test_select_chain_appends_steps(corpus):
    s = select(select(corpus, outlets=["RT"]), query="grain")
    assert [st["n_after"] for st in s.attrs["selection"]] == [2, 1]
    assert corpus.attrs["selection"] == []


@pytest.mark.parametrize("value, reason", [
    ("20/09/2022", "ambiguous date"),        # not ISO: the order must be given
    ("2022-02-30", "no such day"),
    ("2022-09-20T25:00", "no such time"),
    ("20 September", "no four-digit year"),
    ("1500-01-01", "year outside"),
])
def test_date_rule_rejects_with_a_reason(value, reason):
    c = validate_corpus(raw_frame(published=value), errors="drop")
    assert list(c["doc_id"]) == ["a1", "a2", "a4"]
    assert reason in dropped_rows(c)["reason"].iloc[0]


def test_read_gzipped_csv_and_jsonl(tmp_path):
    import gzip

    (tmp_path / "n.csv.gz").write_bytes(gzip.compress(b"doc_id,outlet,published,text\nz1,X,2022-09-20,Zipped.\n"))
    (tmp_path / "n.jsonl.gz").write_bytes(gzip.compress(
        b'{"doc_id": "z2", "outlet": "X", "published": "2022-09-20", "text": "Zipped too."}\n'))
    assert read_corpus(tmp_path / "n.csv.gz")["doc_id"].tolist() == ["z1"]
    c = read_corpus(tmp_path / "n.jsonl.gz")
    assert c["doc_id"].tolist() == ["z2"] and c.attrs["provenance"]["format"] == "jsonl"
