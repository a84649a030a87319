"""Bad input to the corpus readers: every case has one stated outcome (issue 12).

Each case is either a clear error naming file, row and column (``errors="raise"``), a
recorded drop with its reason (``errors="drop"``; the other rows are untouched), or a
documented normalisation announced by a :class:`framing.CorpusWarning`. Nothing is changed
silently. The property tests at the end check, for generated tables in CSV, TSV, JSON
lines and JSON, that every row is either kept exactly as written or dropped with a reason.

All data are written for these tests.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import framing
from framing.corpus import (
    CorpusError,
    CorpusWarning,
    concat_corpora,
    dropped_rows,
    read_corpus,
    select,
    validate_corpus,
)
from framing.corpora import export_corpus
from framing.markers import concordance
from framing.tokens import phrase_regex

HEAD = "doc_id,outlet,published,text\n"
GOOD = "g1,Herald,2022-09-21,A good row that must survive untouched.\n"
NO_SENTENCES = pd.DataFrame(columns=["doc_id", "sent_id", "start", "end"])


@dataclass
class Case:
    """One bad input and its outcome.

    outcome: "drop" (a row problem: raise names file/row/column, drop records it),
    "error" (a file problem: CorpusError whatever ``errors`` says), "keep" (read, with
    ``warns`` when a normalisation is announced).
    """

    id: str
    name: str
    content: str | bytes
    outcome: str
    check: str = ""
    row: int | None = None
    column: str | None = None
    fragment: str = ""
    kept: list[str] = field(default_factory=lambda: ["g1"])
    kwargs: dict[str, Any] = field(default_factory=dict)
    warns: str = ""
    expect: dict[str, Any] = field(default_factory=dict)  # column -> values of the kept rows


CASES = [
    # 1. a row with one field too many or too few is never shifted
    Case("extra-field-first-row", "shift.csv",
         "doc_id,outlet,title,published,text\n1,RT,Hello, world,2022-09-20,Body\n"
         "g1,Herald,Fine,2022-09-21,A good row that must survive untouched.\n",
         "drop", "field_count", 1, "text", "6 fields but the header has 5 columns",
         expect={"outlet": ["Herald"], "title": ["Fine"]}),
    Case("missing-field", "short.csv", HEAD + "1,RT,2022-09-20\n" + GOOD,
         "drop", "field_count", 1, "text", "3 fields but the header has 4 columns"),
    Case("extra-field-tsv", "shift.tsv",
         "doc_id\toutlet\tpublished\ttext\n1\tRT\t2022-09-20\tBody\textra\n"
         "g1\tHerald\t2022-09-21\tA good row that must survive untouched.\n",
         "drop", "field_count", 1, "text", "5 fields but the header has 4 columns"),
    Case("extra-field-after-multiline-row", "multi.csv",
         HEAD + 'm1,RT,2022-09-20,"two\nlines"\n' + "2,RT,Oops, comma,2022-09-20,Body\n" + GOOD,
         "drop", "field_count", 2, "text", "6 fields", kept=["m1", "g1"]),
    Case("broken-quote", "quote.csv", HEAD + '1,RT,2022-09-20,"Body"tail\n' + GOOD,
         "drop", "malformed_row", 1, None, "malformed CSV record on line 2"),
    Case("unclosed-quote", "open.csv", HEAD + GOOD + '2,RT,2022-09-20,"never closed\n3,RT,2022-09-20,x\n',
         "error", row=2, fragment="never closed"),
    Case("duplicate-header", "dup.csv", "doc_id,outlet,published,text,text\n1,RT,2022-09-20,a,b\n",
         "error", column="text", fragment="duplicate column name 'text'"),
    # 2. dates: one rule
    Case("day-first-without-order", "dmy.csv", HEAD + "1,RT,20/09/2022,a\n" + GOOD,
         "drop", "ambiguous_date", 1, "published", "can only be day first: dayfirst=True"),
    Case("ambiguous-next-to-day-first", "dmy2.csv",
         HEAD + "1,RT,20/09/2022,a\n2,RT,03/10/2022,b\n" + GOOD,
         "drop", "ambiguous_date", 1, "published", "need dayfirst=True"),
    Case("dotted-date", "dot.csv", HEAD + "1,RT,12.10.2022,a\n" + GOOD,
         "drop", "ambiguous_date", 1, "published", "ambiguous date '12.10.2022'"),
    Case("two-digit-year", "yy.csv", HEAD + "1,RT,20/09/22,a\n" + GOOD,
         "drop", "ambiguous_date", 1, "published", "two-digit year", kwargs={"dayfirst": True}),
    Case("month-first-impossible", "mdy.csv", HEAD + "1,RT,20/09/2022,a\n" + GOOD,
         "drop", "unparseable_date", 1, "published", "month 20 with dayfirst=False",
         kwargs={"dayfirst": False}),
    Case("dayfirst-true", "df.csv", HEAD + "1,RT,20/09/2022,a\n2,RT,03/10/2022,b\n3,RT,12.10.2022,c\n",
         "keep", kept=["1", "2", "3"], kwargs={"dayfirst": True},
         expect={"published": ["2022-09-20", "2022-10-03", "2022-10-12"]}),
    Case("dayfirst-false", "mf.csv", HEAD + "2,RT,03/10/2022,b\n",
         "keep", kept=["2"], kwargs={"dayfirst": False}, expect={"published": ["2022-03-10"]}),
    Case("year-only", "year.csv", HEAD + "1,RT,2022,a\n" + GOOD,
         "keep", kept=["1", "g1"], warns="dates are partial",
         expect={"published": ["2022-01-01", "2022-09-21"], "published_precision": ["year", "day"]}),
    Case("month-name-no-day", "sept.csv", HEAD + "1,RT,Sept 2022,a\n2,RT,2022-09,b\n3,RT,09/2022,c\n",
         "keep", kept=["1", "2", "3"], warns="3 of 3 dates are partial",
         expect={"published": ["2022-09-01"] * 3, "published_precision": ["month"] * 3}),
    Case("format-month-precision", "fmt.csv", HEAD + "1,RT,09/2022,a\n",
         "keep", kept=["1"], kwargs={"date_format": "%m/%Y"}, warns="dates are partial",
         expect={"published_precision": ["month"]}),
    Case("iso-with-zone-and-month-names", "iso.csv",
         HEAD + "1,RT,2022-09-20T23:30:00-05:00,a\n2,RT,20 September 2022,b\n"
         "3,RT,\"Tue, 20 Sep 2022 10:00:00 GMT\",c\n", "keep", kept=["1", "2", "3"],
         expect={"published": ["2022-09-20"] * 3}),
    # 5. JSON values that are not text
    Case("json-list-text", "list.jsonl",
         '{"doc_id": "1", "outlet": "RT", "published": "2022-09-20", "text": ["P1.", "P2."]}\n'
         '{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."}\n',
         "drop", "not_a_string", 1, "text", "text is a list (['P1.', 'P2.'])"),
    Case("json-object-text", "dict.jsonl",
         '{"doc_id": "1", "outlet": "RT", "published": "2022-09-20", "text": {"body": "x"}}\n'
         '{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."}\n',
         "drop", "not_a_string", 1, "text", "text is an object"),
    Case("json-number-text", "num.jsonl",
         '{"doc_id": "1", "outlet": "RT", "published": "2022-09-20", "text": 5}\n'
         '{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."}\n',
         "drop", "not_a_string", 1, "text", "text is a number (5)"),
    Case("json-bool-outlet", "bool.jsonl",
         '{"doc_id": "1", "outlet": true, "published": "2022-09-20", "text": "x"}\n'
         '{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."}\n',
         "drop", "not_a_string", 1, "outlet", "outlet is a boolean"),
    Case("lone-surrogate-jsonl", "sur.jsonl",
         '{"doc_id": "1", "outlet": "RT", "published": "2022-09-20", "text": "a\\ud800"}\n'
         '{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."}\n',
         "drop", "invalid_unicode", 1, "text", "lone surrogate"),
    Case("lone-surrogate-metadata", "surmeta.jsonl",
         '{"doc_id": "1", "outlet": "RT", "published": "2022-09-20", "text": "x", "tag": "\\udfff"}\n'
         '{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine.", "tag": "ok"}\n',
         "drop", "invalid_unicode", 1, "tag", "lone surrogate"),
    Case("lone-surrogate-json-array", "sur.json",
         '[{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."},'
         ' {"doc_id": "2", "outlet": "R\\ud800T", "published": "2022-09-20", "text": "x"}]',
         "drop", "invalid_unicode", 2, "outlet", "lone surrogate"),
    Case("json-array-non-object", "arr.json",
         '[{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."}, 7]',
         "drop", "invalid_json", 2, None, "not a JSON object (int)"),
    Case("jsonl-non-object", "arr.jsonl",
         '{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."}\n[1, 2]\n',
         "drop", "invalid_json", 2, None, "not a JSON object (list)"),
    Case("json-repeated-key", "dupkey.jsonl",
         '{"doc_id": "1", "outlet": "RT", "published": "2022-09-20", "text": "a", "text": "b"}\n'
         '{"doc_id": "g1", "outlet": "Herald", "published": "2022-09-21", "text": "Fine."}\n',
         "drop", "duplicate_key", 1, "text", "appears more than once"),
    # 6. silent acceptance
    Case("nul-in-outlet", "nul.csv", HEAD + "1,RT\x00,2022-09-20,a\n" + GOOD,
         "drop", "control_character", 1, "outlet", "'\\x00' (U+0000)"),
    Case("control-in-text", "bell.csv", HEAD + "1,RT,2022-09-20,ring \x07 ring\n" + GOOD,
         "drop", "control_character", 1, "text", "U+0007"),
    Case("c1-control-in-text", "c1.csv", HEAD + "1,RT,2022-09-20,quote \x93x\x94\n" + GOOD,
         "drop", "control_character", 1, "text", "encoding='cp1252'"),
    Case("zero-width-only-text", "zw.csv", HEAD + "1,RT,2022-09-20,\u200b\u200b\n" + GOOD,
         "drop", "empty_text", 1, "text", "only invisible characters: U+200B"),
    Case("bom-only-text", "bomtext.csv", HEAD + "1,RT,2022-09-20,\ufeff\n" + GOOD,
         "drop", "empty_text", 1, "text", "U+FEFF"),
    Case("zero-width-only-outlet", "zwo.csv", HEAD + "1,\u200b,2022-09-20,a\n" + GOOD,
         "drop", "missing_outlet", 1, "outlet", "missing outlet"),
    Case("invisible-ends-of-outlet", "bomout.csv", HEAD + "1,\ufeffRT\u200b,2022-09-20,a\n" + GOOD,
         "keep", kept=["1", "g1"], warns="invisible characters",
         expect={"outlet": ["RT", "Herald"]}),
    Case("utf8-read-as-latin1", "moji.csv", (HEAD + GOOD + "2,RT,2022-09-20,Café owners\n").encode(),
         "error", row=2, column="text", fragment="looks like UTF-8 read as 'latin-1'",
         kwargs={"encoding": "latin-1"}),
    Case("utf8-read-as-cp1252", "moji2.csv", (HEAD + "1,Le Monde,2022-09-20,déjà vu\n").encode(),
         "error", row=1, column="text", fragment="pass encoding='utf-8'", kwargs={"encoding": "cp1252"}),
    Case("mojibake-in-the-data", "inner.csv", HEAD + "1,RT,2022-09-20,cafÃ© owners\n",
         "keep", kept=["1"], warns="possible mojibake",
         expect={"text": ["cafÃ© owners"], "warnings": ["possible mojibake 'Ã©' in text (UTF-8 'é' read in "
                                                       "another encoding)"]}),
    Case("undecodable-bytes", "bytes.csv", (HEAD + "1,RT,2022-09-20,bad \xff byte\n").encode("latin-1"),
         "drop", "undecodable", 1, "text", "pass encoding=, e.g. 'cp1252'", kept=[]),
    Case("utf16-with-bom", "u16.csv", (HEAD + "1,RT,2022-09-20,Café\n").encode("utf-16"),
         "keep", kept=["1"], expect={"text": ["Café"]}),
    Case("utf16-be-with-bom", "u16be.csv", b"\xfe\xff" + (HEAD + "1,RT,2022-09-20,a\n").encode("utf-16-be"),
         "keep", kept=["1"]),
    Case("utf8-with-bom", "u8.csv", b"\xef\xbb\xbf" + (HEAD + "1,RT,2022-09-20,a\n").encode(),
         "keep", kept=["1"]),
    Case("utf16-bom-but-latin1-given", "u16l.csv", (HEAD + "1,RT,2022-09-20,a\n").encode("utf-16"),
         "keep", kept=["1"], kwargs={"encoding": "latin-1"}, warns="UTF-16-LE byte-order mark"),
    Case("utf16-without-bom", "u16n.csv", (HEAD + "1,RT,2022-09-20,a\n").encode("utf-16-le"),
         "error", fragment="pass encoding='utf-16-le'"),
    Case("utf32-without-bom", "u32n.csv", (HEAD + "1,RT,2022-09-20,a\n").encode("utf-32-le"),
         "error", fragment="pass encoding='utf-32-le'"),
    Case("utf32-with-bom", "u32.csv", (HEAD + "1,RT,2022-09-20,a\n").encode("utf-32"),
         "keep", kept=["1"]),
    Case("utf16-without-bom-told", "u16t.csv", (HEAD + "1,RT,2022-09-20,a\n").encode("utf-16-le"),
         "keep", kept=["1"], kwargs={"encoding": "utf-16-le"}),
]


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / case.name
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8", newline="")
    return path


def _read(path: Path, case: Case, errors: str) -> pd.DataFrame:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = read_corpus(path, errors=errors, **case.kwargs)
    out.attrs["_caught"] = [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]
    return out


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "drop"], ids=lambda c: c.id)
def test_row_problem_raises_naming_file_row_column(tmp_path, case):
    path = _write(tmp_path, case)
    with pytest.raises(CorpusError) as exc:
        _read(path, case, "raise")
    err = exc.value
    assert (Path(err.file).name, err.row, err.column) == (case.name, case.row, case.column), str(err)
    assert case.fragment in str(err)
    where = f"{path}, row {case.row}" + (f", column {case.column!r}" if case.column else "")
    assert str(err).startswith(where + ": ")


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "drop"], ids=lambda c: c.id)
def test_row_problem_is_a_recorded_drop(tmp_path, case):
    path = _write(tmp_path, case)
    c = _read(path, case, "drop")
    d = dropped_rows(c)
    first = d.iloc[0]
    assert (first["check"], first["row"], first["column"]) == (case.check, case.row, case.column or "")
    assert Path(first["source"]).name == case.name and case.fragment in first["reason"]
    assert c["doc_id"].tolist() == case.kept            # the other rows are kept ...
    if "g1" in case.kept:                                # ... exactly as written
        g = c.set_index("doc_id").loc["g1"]
        assert g["outlet"] == "Herald" and g["published"] == pd.Timestamp("2022-09-21")
    for col, values in case.expect.items():
        assert c[col].tolist() == values
    assert len(c) + len(d) == c.attrs["provenance"]["rows_read"]


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "error"], ids=lambda c: c.id)
@pytest.mark.parametrize("errors", ["raise", "drop"])
def test_file_problem_is_an_error_whatever_errors_says(tmp_path, case, errors):
    path = _write(tmp_path, case)
    with pytest.raises(CorpusError) as exc:
        _read(path, case, errors)
    err = exc.value
    assert Path(err.file).name == case.name and case.fragment in str(err), str(err)
    assert (err.row, err.column) == (case.row, case.column)


@pytest.mark.parametrize("case", [c for c in CASES if c.outcome == "keep"], ids=lambda c: c.id)
def test_accepted_input_is_read_and_normalisations_are_announced(tmp_path, case):
    path = _write(tmp_path, case)
    c = _read(path, case, "raise")
    assert c["doc_id"].tolist() == case.kept
    assert dropped_rows(c).empty
    for col, values in case.expect.items():
        got = c[col].dt.strftime("%Y-%m-%d").tolist() if col == "published" else c[col].tolist()
        assert got == values, col
    caught = " | ".join(c.attrs["_caught"])
    if case.warns:
        assert case.warns in caught
    else:
        assert not c.attrs["_caught"], caught


def test_bom_encoding_is_recorded(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEAD + "1,RT,2022-09-20,a\n").encode("utf-16"))
    assert read_corpus(path).attrs["provenance"]["encoding_read"] == "UTF-16-LE"
    assert "encoding_read" not in read_corpus(_write(tmp_path, CASES[1]), errors="drop").attrs["provenance"]


def test_dayfirst_and_date_format_together_is_an_error():
    raw = pd.DataFrame({"doc_id": ["a"], "outlet": "X", "published": ["20/09/2022"], "text": "t"})
    with pytest.raises(ValueError, match="not both"):
        validate_corpus(raw, dayfirst=True, date_format="%d/%m/%Y")
    with pytest.raises(TypeError, match="dayfirst"):
        validate_corpus(raw, dayfirst="yes")


def test_column_hint_names_both_orders_when_mixed():
    raw = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": "X", "text": "t",
                        "published": ["20/09/2022", "09/21/2022", "03/10/2022"]})
    c = validate_corpus(raw, errors="drop")
    assert c.empty
    assert "mixes day-first ('20/09/2022') and month-first ('09/21/2022')" in dropped_rows(c)["reason"].iloc[2]


def test_partial_dates_keep_their_precision_in_select():
    raw = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X", "text": "referendum",
                        "published": ["2022-09", "2022-09-20"]})
    with pytest.warns(CorpusWarning, match="1 of 2 dates are partial"):
        c = validate_corpus(raw)
    assert c["published_precision"].tolist() == ["month", "day"]
    assert c.attrs["provenance"]["validation"]["partial_dates"] == {"month": 1, "year": 0}
    with pytest.warns(CorpusWarning, match="only a month or year date"):
        s = select(c, start="2022-09-01", end="2022-09-30")
    assert s["doc_id"].tolist() == ["a", "b"]


# ----------------------------------------------------------------------------- 3. export

def _eight_dropped(tmp_path: Path) -> pd.DataFrame:
    rows = ["doc_id,outlet,published,title,text,score"]
    rows += [f"d{i},{'RT' if i % 2 else 'NYT'},2022-09-{10 + i},T{i},Story {i} on the referendum vote.,{i}.5"
             for i in range(10)]
    rows += ["x1,RT,2022-09-20,t,,1", "x2,,2022-09-20,t,body,1", "x3,RT,someday,t,body,1",
             "x4,RT,20/09/2022,t,body,1", "x5,RT,2022-09-20,t,<p>body</p>,1", "d1,RT,2022-09-20,t,dup,1",
             "x7,RT,2022-09-20,Hello, world,body,1", "x8,RT\x00,2022-09-20,t,body,1",
             "x9,RT,2022-09,t,Month only on the referendum.,2"]
    (tmp_path / "in.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        c = read_corpus(tmp_path / "in.csv", errors="drop")
        return select(c, start="2022-09-01", query="referendum*")


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl", ".csv.gz", ".jsonl.gz"])
def test_export_round_trips_dropped_rows_selection_and_provenance(tmp_path, suffix):
    event = _eight_dropped(tmp_path)
    assert len(dropped_rows(event)) == 8 and event.attrs["selection"]
    path = export_corpus(event, tmp_path / f"out{suffix}")
    assert (Path(str(path) + ".framing.json").exists()) == (suffix != ".parquet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        back = read_corpus(path)
    pd.testing.assert_frame_equal(back[event.columns], event.reset_index(drop=True),
                                  check_dtype=suffix == ".parquet")
    pd.testing.assert_frame_equal(dropped_rows(back), dropped_rows(event))
    assert back.attrs["selection"] == event.attrs["selection"]
    prov = dict(back.attrs["provenance"])
    read_back = prov.pop("read_back")
    assert prov == event.attrs["provenance"]
    assert read_back["source"] == str(path) and read_back["validation"]["rows_dropped"] == 0
    assert back["published_precision"].tolist() == event["published_precision"].tolist()
    assert "month" in back["published_precision"].tolist()


def test_export_sidecar_that_no_longer_matches_warns(tmp_path):
    event = _eight_dropped(tmp_path)
    path = export_corpus(event, tmp_path / "out.csv")
    path.write_text(path.read_text(encoding="utf-8").replace("Story 3", "Story three"), encoding="utf-8")
    with pytest.warns(CorpusWarning) as caught:
        back = read_corpus(path)
    assert any("changed after export_corpus" in str(w.message) for w in caught)
    assert len(dropped_rows(back)) == 8
    export_corpus(event, tmp_path / "plain.csv", sidecar=False)
    assert not (tmp_path / "plain.csv.framing.json").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        assert dropped_rows(read_corpus(tmp_path / "plain.csv")).empty


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_export_keeps_list_metadata_and_carriage_returns(tmp_path, suffix):
    path = tmp_path / "tags.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [
        {"doc_id": "a", "outlet": "X", "published": "2022-09-20", "text": "Line one.\r\nLine two\r",
         "tags": ["vote", "un"]},
        {"doc_id": "b", "outlet": "X", "published": "2022-09-21", "text": "\rOdd", "tags": None}]),
        encoding="utf-8")
    c = read_corpus(path)
    back = read_corpus(export_corpus(c, tmp_path / f"out{suffix}"))
    assert back["text"].tolist() == ["Line one.\r\nLine two\r", "\rOdd"]
    assert back["tags"].iloc[0] == ["vote", "un"] and pd.isna(back["tags"].iloc[1])
    assert dropped_rows(back).empty


# ----------------------------------------------------------------------------- 4. combining

def _part(name: str, ids: list[str], tmp_path: Path, extra: str = "") -> pd.DataFrame:
    lines = [f"{i},{name.title()},2022-09-2{k},Text {i} of {name}." for k, i in enumerate(ids)]
    (tmp_path / f"{name}.csv").write_text(HEAD + "\n".join(lines) + "\n" + extra, encoding="utf-8")
    return read_corpus(tmp_path / f"{name}.csv", errors="drop")


def test_concat_keeps_every_part_history(tmp_path):
    a = select(_part("herald", ["1", "2", "3"], tmp_path, "9,Herald,2022-09-20,\n"), start="2022-09-21")
    with pytest.warns(CorpusWarning, match="1 of 3 dates are partial"):
        b = _part("courier", ["4", "5"], tmp_path, "8,,2022-09-20,x\n7,Courier,2022,Year only.\n")
    both = concat_corpora(a, b)
    assert both["doc_id"].tolist() == ["2", "3", "4", "5", "7"]
    assert list(both.index) == list(range(5))
    d = dropped_rows(both)
    assert d["check"].tolist() == ["empty_text", "missing_outlet"]
    assert [Path(s).name for s in d["source"]] == ["herald.csv", "courier.csv"]
    prov = both.attrs["provenance"]
    assert [p["part"] for p in prov["parts"]] == ["herald", "courier"]
    assert prov["parts"][0]["provenance"]["sha256"] == a.attrs["provenance"]["sha256"]
    assert prov["parts"][1]["n_dropped"] == 1
    step = both.attrs["selection"][0]
    assert step["step"] == "concat_corpora" and step["parts"][0]["selection"] == a.attrs["selection"]
    # partial dates of one part; "day" for the other
    assert both["published_precision"].tolist() == ["day", "day", "day", "day", "year"]
    assert str(both["published"].dtype) == "datetime64[ns]"
    # the combination can be selected, saved and read back with all of it
    with pytest.warns(CorpusWarning, match="1 of 5 dates are partial"):
        back = read_corpus(export_corpus(both, tmp_path / "both.parquet"))
    pd.testing.assert_frame_equal(dropped_rows(back), d)
    assert back.attrs["selection"] == both.attrs["selection"]


def test_concat_doc_id_collisions(tmp_path):
    a = _part("herald", ["1", "2"], tmp_path)
    b = _part("courier", ["2", "3"], tmp_path)
    with pytest.raises(CorpusError, match=r"doc_id '2' is in parts 'herald' and 'courier'"):
        concat_corpora(a, b)
    both = concat_corpora([a, b], doc_ids="prefix")
    assert both["doc_id"].tolist() == ["herald:1", "herald:2", "courier:2", "courier:3"]
    keyed = concat_corpora(a, b, doc_ids="prefix", keys=["H", "C"])
    assert keyed["doc_id"].tolist()[:1] == ["H:1"]
    same = concat_corpora(a, a, doc_ids="prefix")       # repeated labels are made unique
    assert [p["part"] for p in same.attrs["provenance"]["parts"]] == ["herald", "herald-2"]
    with pytest.raises(ValueError, match="distinct"):
        concat_corpora(a, b, keys=["x", "x"])
    with pytest.raises(ValueError, match="doc_ids"):
        concat_corpora(a, b, doc_ids="keep")
    with pytest.raises(ValueError, match="at least one"):
        concat_corpora()


def test_concat_checks_the_schema(tmp_path):
    a = _part("herald", ["1"], tmp_path)
    raw = pd.DataFrame({"doc_id": ["9"], "outlet": ["X"], "published": ["2022-09-20"], "text": ["t"]})
    with pytest.raises(CorpusError, match=r"part 'part2' is not a corpus: no column\(s\) \['title'"):
        concat_corpora(a, raw)
    bad = a.assign(published=a["published"].astype(str))
    with pytest.raises(CorpusError, match="'published' is .*validate_corpus"):
        concat_corpora(bad)
    with pytest.raises(TypeError):
        concat_corpora(a, "ungdc")
    b = validate_corpus(pd.DataFrame({"doc_id": ["2"], "outlet": ["Y"], "published": ["2022-09-20"],
                                      "text": ["t"], "score": ["high"]}), source="b.csv")
    a2 = a.assign(score=[1.5])
    with pytest.warns(CorpusWarning, match="'score' has different types"):
        both = concat_corpora(a2, b)
    assert both["score"].tolist() == [1.5, "high"]
    c = validate_corpus(pd.DataFrame({"doc_id": ["3"], "outlet": ["Y"], "published": ["2022-09-20"],
                                      "text": ["t"], "lean": ["left"]}), source="c.csv")
    both = concat_corpora(a, c)
    assert both.attrs["provenance"]["columns_missing"] == {"lean": ["herald"]}
    assert pd.isna(both["lean"].iloc[0]) and both.columns[-1] == "warnings"


def test_pd_concat_is_what_loses_the_history(tmp_path):
    """The reporter's route, for contrast: validate_corpus(pd.concat(...)) starts afresh."""
    a = _part("herald", ["1"], tmp_path, "9,Herald,2022-09-20,\n")
    b = _part("courier", ["2"], tmp_path)
    lost = validate_corpus(pd.concat([a, b], ignore_index=True))
    assert dropped_rows(lost).empty and lost.attrs["provenance"]["source"] == "<DataFrame>"
    kept = concat_corpora(a, b)
    assert len(dropped_rows(kept)) == 1 and "herald.csv" in kept.attrs["provenance"]["source"] + str(
        kept.attrs["provenance"]["parts"][0]["provenance"]["source"])


# ----------------------------------------------------------------------------- 9. wildcard

WILD = validate_corpus(pd.DataFrame({
    "doc_id": ["a", "b", "c", "d"], "outlet": ["X", "X", "Y", "Y"], "published": "2022-09-30",
    "text": ["Russia vetoed the draft.", "Two vetoes and a veto.", "The avetoes are not words.",
             "A sham vote, sham votes."]}))


@pytest.mark.parametrize("term, docs, matches", [
    ("veto*", ["a", "b"], ["vetoed", "vetoes", "veto"]),
    ("veto", ["b"], ["veto"]),
    ("sham vote*", ["d"], ["sham vote", "sham votes"]),
    ("VETO*", ["a", "b"], ["vetoed", "vetoes", "veto"]),
])
def test_one_wildcard_rule_for_select_concordance_and_markers(term, docs, matches):
    assert select(WILD, query=term)["doc_id"].tolist() == docs
    kw = concordance(WILD, term, sentences=NO_SENTENCES)
    assert sorted(set(kw["doc_id"])) == docs and kw["match"].tolist() == matches
    import re

    pattern = re.compile(phrase_regex([term]), re.IGNORECASE)
    assert [m.group() for t in WILD["text"] for m in pattern.finditer(t)] == matches


@pytest.mark.parametrize("term", ["*veto", "ve*to", "veto**", "*", "f***"])
def test_a_star_elsewhere_is_an_error_everywhere(term):
    with pytest.raises(ValueError, match="wildcard only right after a letter or digit"):
        select(WILD, query=term)
    with pytest.raises(ValueError, match="wildcard only right after a letter or digit"):
        concordance(WILD, term, sentences=NO_SENTENCES)
    with pytest.raises(ValueError, match="wildcard only right after a letter or digit"):
        phrase_regex([term])
    assert len(select(WILD, query=r"f\*\*\*", regex=True)) == 0   # the literal route


def test_concat_corpora_is_public():
    assert framing.concat_corpora is concat_corpora


# ----------------------------------------------------------------------------- properties

# Values drawn to be awkward: delimiters, quotes, newlines, control and invisible
# characters, non-Latin scripts, surrogates (JSON only), non-string JSON values.
_AWKWARD = ["", " ", ",", "\t", '"', '""', "'", "\n", "\r\n", "a,b", 'say "hi"', "x\ny", "\x00",
            "\x07", "\x85", "\u200b", "\ufeff", "caf\u00e9", "cafÃ©", "Київ", "<p>", "&nbsp;", "NA",
            "null", "None"]
_DATES = ["2022-09-20", "2022-09-20T23:30:00-05:00", "20 September 2022", "20/09/2022",
          "03/10/2022", "12.10.2022", "2022", "2022-09", "Sept 2022", "someday", "", "2022-13-45",
          "20/09/22"]
_piece = st.one_of(st.sampled_from(_AWKWARD), st.text(min_size=0, max_size=12))
_value = st.lists(_piece, min_size=0, max_size=4).map("".join)


@st.composite
def _tables(draw, json_values: bool = False):
    n = draw(st.integers(min_value=0, max_value=8))
    rows = []
    for i in range(n):
        row = {"doc_id": f"d{i}" + draw(st.sampled_from(["", " ", "\u200b"])),
               "outlet": draw(st.one_of(st.sampled_from(["RT", "NYT", " RT ", ""]), _value)),
               "published": draw(st.sampled_from(_DATES)),
               "title": draw(_value), "text": draw(_value)}
        if json_values and draw(st.booleans()):
            row[draw(st.sampled_from(["text", "title", "outlet"]))] = draw(st.sampled_from(
                [["P1.", "P2."], {"a": 1}, 5, True, None, "a\ud800", "\udfffb"]))
        rows.append(row)
    return rows


def _check_rows(corpus: pd.DataFrame, rows: list[dict[str, Any]], n_in: int) -> None:
    d = dropped_rows(corpus)
    assert len(corpus) + len(d) == n_in                       # rows in = kept + dropped
    assert corpus["doc_id"].is_unique
    by_id = {r["doc_id"].strip().strip("\u200b"): r for r in rows}
    for rec in corpus.to_dict("records"):                     # a kept row is its own row, unshifted
        src = by_id[rec["doc_id"]]
        assert rec["text"] == src["text"] and isinstance(src["text"], str)
        assert rec["title"] == (src["title"] if isinstance(src["title"], str) else  # a JSON number
                                "" if src["title"] is None else str(src["title"]))
        outlet = src["outlet"] if isinstance(src["outlet"], str) else str(src["outlet"])
        assert rec["outlet"] == outlet.strip().strip("\u200b\ufeff").strip()
        assert isinstance(src["published"], str) and src["published"]


def _settings():
    return settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_settings()
@given(rows=_tables(), sep=st.sampled_from([",", "\t"]), corrupt=st.sets(st.integers(0, 7), max_size=3))
def test_property_delimited_rows_are_kept_or_dropped(rows, sep, corrupt):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")  # quotes a value holding "\r"
    w.writerow(["doc_id", "outlet", "published", "title", "text"])
    for i, r in enumerate(rows):
        if i in corrupt:  # an unquoted extra field, as in the "Hello, world"
            buf.write(sep.join([f"d{i}", "RT", "2022-09-20", "Hello", "world", "Body"]) + "\r\n")
        else:
            w.writerow([r["doc_id"], r["outlet"], r["published"], r["title"], r["text"]])
    kept_rows = [r for i, r in enumerate(rows) if i not in corrupt]
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        path = Path(tmp) / ("t.csv" if sep == "," else "t.tsv")
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        c = read_corpus(path, errors="drop", dayfirst=True)
    _check_rows(c, kept_rows, len(rows))
    d = dropped_rows(c)
    assert set(d.loc[d["check"] == "field_count", "row"]) == {i + 1 for i in corrupt if i < len(rows)}


@_settings()
@given(rows=_tables(json_values=True), array=st.booleans())
def test_property_json_rows_are_kept_or_dropped(rows, array):
    if not rows:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("t.json" if array else "t.jsonl")
            path.write_text("[]" if array else "", encoding="utf-8")
            with pytest.raises(CorpusError, match="no JSON records"):
                read_corpus(path)
        return
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        if array:
            path = Path(tmp) / "t.json"
            path.write_text(json.dumps(rows), encoding="utf-8")
        else:
            path = Path(tmp) / "t.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        c = read_corpus(path, errors="drop", dayfirst=False)
    for rec in c.to_dict("records"):   # no Python repr of a list or dict ever becomes text
        assert not rec["text"].startswith(("[", "{")) or rec["text"] in [r["text"] for r in rows]
    _check_rows(c, rows, len(rows))
