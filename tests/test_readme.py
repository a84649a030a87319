"""The README's code examples run as written."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _block_after(heading: str) -> str:
    section = README.split(heading, 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_own_corpus_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({
        "body": ["The referendum was held on Friday in the region.", "   ",
                 "Officials called the referendum a sham vote on Monday.",
                 "Officials called the referendum a sham vote on Monday."],
        "source": ["Herald", "Herald", "Courier", "Gazette"],
        "date": ["2022-09-23", "2022-09-24", "2022-09-26", "2022-09-26"],
        "headline": ["Vote held", "Empty", "A sham", "A sham"],
    }).to_csv("my_articles.csv", index=False)
    with open("wire.jsonl", "w", encoding="utf-8") as fh:
        for rec in [{"doc_id": "w1", "outlet": "Wire", "published": "20/09/2022", "text": "Polls opened."},
                    {"doc_id": "w2", "outlet": "Wire", "published": "03/10/2022", "text": "Results came in."},
                    {"doc_id": "w3", "outlet": "Wire", "published": "04/10/2022", "text": ["P1.", "P2."]}]:
            fh.write(json.dumps(rec) + "\n")
    ns: dict = {}
    exec(_block_after("## Your own corpus"), ns)
    framing = ns["framing"]
    dropped = framing.dropped_rows(ns["corpus"])
    assert "empty" in " ".join(dropped["reason"].astype(str)).lower()
    assert ns["dups"]["dup_group"].notna().sum() >= 2           # the wire copy under two outlets
    assert len(ns["event"]) == 2                                  # one copy left, plus the Friday article
    step = ns["event"].attrs["selection"][-1]
    assert step["step"] == "select" and step["n_after"] == 2
    assert "referendum" in repr(step["criteria"])
    # day-first dates read as such; the JSON list is dropped, not stored as its repr
    assert ns["wire"]["published"].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-20", "2022-10-03"]
    assert framing.dropped_rows(ns["wire"])["check"].tolist() == ["not_a_string"]
    both = ns["both"]
    assert len(both) == 4 and both["doc_id"].is_unique
    assert sorted(framing.dropped_rows(both)["check"]) == ["duplicate", "empty_text", "not_a_string"]
    assert [p["part"] for p in both.attrs["provenance"]["parts"]] == ["my_articles", "wire"]
    assert both.attrs["provenance"]["parts"][0]["provenance"]["sha256"]
    assert [s["step"] for s in both.attrs["selection"][0]["parts"][0]["selection"]] == [
        "drop_duplicates", "select"]
    again = ns["again"]
    pd.testing.assert_frame_equal(again[both.columns], both)
    pd.testing.assert_frame_equal(framing.dropped_rows(again), framing.dropped_rows(both))
    assert again.attrs["selection"] == both.attrs["selection"]
    assert {k: v for k, v in again.attrs["provenance"].items() if k != "read_back"} == \
        both.attrs["provenance"]


@pytest.mark.integration
def test_what_it_does_example_runs():
    ns: dict = {}
    exec(_block_after("## What it does"), ns)
    assert len(ns["X"]) == len(ns["sents"])
    assert set(ns["fw"]["group"]) == {"RT", "US"}
    assert {"story_id", "story_confidence"} <= set(ns["linked"].columns)


@pytest.mark.integration
def test_whose_words_example_runs():
    ns: dict = {}
    exec(_block_after("## Whose words?"), ns)
    rates, said = ns["rates"], ns["said"]
    assert rates.attrs["voice"] == "own" and said.attrs["voice"] == "attributed"
    rt_sham = lambda t: int(t.query("group == 'RT' and marker == 'sham'")["count"].sum())  # noqa: E731
    assert rt_sham(said) > rt_sham(rates)       # RT mostly reports others calling the votes a sham
    assert {"voice", "speaker"} <= set(ns["framing"].concordance(ns["event"], "sham", sentences=ns["sents"]).columns)
    assert len(ns["framing"].excluded_rows(rates)) > 0


def _blocks_after(heading: str) -> list[str]:
    section = README.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_checked_against_coding_example_runs(tmp_path, monkeypatch):
    import numpy as np

    import framing
    from framing.testing import HashEncoder

    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    texts = {"legitimizing": "residents voted freely in a fair referendum",
             "delegitimizing": "a sham vote staged at gunpoint under occupation",
             "none": "the weather was cold in the region"}
    stances = rng.choice(list(texts), 300)
    sents = pd.DataFrame({"doc_id": [f"d{i // 3}" for i in range(300)], "sent_id": [f"s{i}" for i in range(300)],
                          "outlet": rng.choice(["A", "B", "C"], 300),
                          "text": [texts[s] + f" {i}" for i, s in enumerate(stances)]})
    enc = HashEncoder(dim=64)
    axes = [framing.Axis("legitimacy", ["a free and fair vote", "residents voted freely"],
                         ["a sham vote at gunpoint", "staged under occupation"]).fit(enc)]
    first, second = _blocks_after("## Checked against coding")
    ns: dict = {"sents": sents, "enc": enc, "axes": axes}
    exec(first, ns)
    sheet = pd.read_csv("sheet.csv", dtype=str, keep_default_na=False)
    truth = dict(zip(sents["sent_id"], stances))
    sheet["stance"] = sheet["sent_id"].map(truth)
    sheet.to_csv("sheet.csv", index=False)
    sheet.to_csv("sheet_b.csv", index=False)
    import shutil
    shutil.copy("sheet.csv.json", "sheet_b.csv.json")
    exec(second, ns)
    assert ns["coder"].cv_report_["metrics"].set_index("metric").loc["accuracy", "estimate"] > 0.9
    assert set(ns["shares"]["method"]) == {"ppi", "classify_and_count", "coded_only"}


@pytest.mark.integration
def test_framing_over_time_example_runs():
    import matplotlib
    matplotlib.use("Agg")
    ns: dict = {}
    exec(_block_after("## Framing over time"), ns)
    daily, changes = ns["daily"], ns["changes"]
    assert {"date", "group", "estimate", "ci_low", "ci_high", "n_docs", "thin"} <= set(daily.columns)
    assert set(daily["group"]) == {"RT", "US"} and daily["date"].nunique() == 22
    assert {"group", "date", "ci_low", "ci_high"} <= set(changes.columns)
