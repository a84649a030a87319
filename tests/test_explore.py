"""framing.explore: the offline HTML explorer of a Fightin' Words result."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import framing
from framing.explore import ContrastExplorer, explore_contrast
from framing.lexical import LexicalError, fightin_words

FILLER = [f"w{i:02d}" for i in range(40)]


def planted(n_per_group: int = 12, seed: int = 0) -> pd.DataFrame:
    """Outlets A and B from one filler vocabulary; 'sham' only in A, in quoted speech in
    one document; a '</script>' in the text of one document. Sentences vary between documents
    (a line repeated in five articles would be boilerplate, left out of the counts)."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in ("A", "B"):
        for d in range(n_per_group):
            words = " ".join(rng.choice(FILLER, size=30))
            a, b, e = rng.choice(FILLER, size=3)
            text = f"The {a} vote was held on day {d} by {g}. {words}."
            if g == "A":
                text += f" It was a sham {b} vote on day {d}. Another sham {e} ballot followed {d} times."
                if d == 0:
                    text += ' Officials said the vote was "a sham and a farce from start to end".'
                if d == 1:
                    text += " The page said </script><script>alert(1)</script> sham <!-- here."
            rows.append({"doc_id": f"{g}{d:02d}", "outlet": g, "text": text,
                         "published": pd.Timestamp("2022-09-20") + pd.Timedelta(days=d)})
    return pd.DataFrame(rows)


def blob(page: str) -> dict:
    m = re.search(r'<script id="framing-explorer-data" type="application/json">(.*?)</script>', page, re.S)
    assert m, "no data blob"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return planted()


@pytest.fixture(scope="module")
def result(corpus) -> pd.DataFrame:
    return fightin_words(corpus, mode="two", min_count=3, permutations=200, bootstrap=50, random_state=0)


@pytest.fixture(scope="module")
def page(tmp_path_factory, corpus, result) -> tuple:
    path = explore_contrast(result, corpus, path=tmp_path_factory.mktemp("ex") / "sub" / "ex.html", max_lines=5)
    return path, path.read_text(encoding="utf-8")


def test_file_written_and_self_contained(page):
    path, text = page
    assert path.exists() and path.name == "ex.html"
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img|iframe)[^>]*(src|href)\s*=", text, re.I)
    assert "http://" not in text and "https://" not in text
    # exactly two script elements: the data and the code (the corpus's </script> is escaped)
    assert len(re.findall(r"<script\b", text)) == 2 and text.count("</script>") == 2
    assert "alert(1)" in text  # the text is there, as data


def test_planted_term_with_counts(page, result):
    _, text = page
    data = blob(text)
    (c,) = data["contrasts"]
    assert (c["group"], c["other"]) == ("A", "B")
    k = data["terms"].index("sham")
    i = c["t"].index(k)
    row = result.set_index("term").loc["sham"]
    assert c["cg"][i] == row["count_group"] > 0 and c["co"][i] == row["count_other"] == 0
    assert c["dg"][i] == row["docs_group"] and c["do"][i] == row["docs_other"]
    assert c["sig"][i] == int(row["q"] < result.attrs["alpha"]) == 1
    assert c["lo"][i] is not None and c["q"][i] == pytest.approx(row["q"], rel=1e-2)
    assert "at most 5 concordance lines" not in text  # wording below
    assert "at most 5 per term" in text and "top 300 terms" in text


def test_lines_respect_max_lines_and_carry_voice(page):
    _, text = page
    data = blob(text)
    k = str(data["terms"].index("sham"))
    lines = data["lines"][k]
    assert len(lines) == 5 and data["hits"][k] >= 5
    assert all(len(line) <= 5 for line in data["lines"].values())
    outlet, doc_id, date, voice, speaker, left, match, right = lines[0]
    assert outlet == "A" and match.lower() == "sham" and re.fullmatch(r"\d{4}-\d\d-\d\d", date)
    assert {ln[3] for ln in lines} <= {"own", "direct", "reported", "mixed"}
    assert len({ln[1] for ln in lines}) == 5  # one line per document first


def test_voice_of_quoted_line(tmp_path, corpus, result):
    data = blob(ContrastExplorer(result, corpus, max_lines=50).html)
    lines = data["lines"][str(data["terms"].index("sham"))]
    quoted = [ln for ln in lines if ln[1] == "A00" and "farce" in ln[7]]
    assert quoted and quoted[0][3] == "direct" and quoted[0][4]
    assert any(ln[3] == "own" for ln in lines)


def test_script_in_corpus_text_round_trips(page):
    _, text = page
    data = blob(text)
    all_text = json.dumps(data)
    assert "</script><script>alert(1)</script>" in all_text.replace("\\/", "/")
    assert "<!--" in all_text


def test_top_budget(tmp_path, corpus, result):
    data = blob(ContrastExplorer(result, corpus, max_lines=3, top=1).html)
    kept = {data["terms"][int(k)] for k in data["lines"]}
    assert kept == {result["term"].iloc[0], result["term"].iloc[-1]}
    assert len(data["contrasts"][0]["t"]) == len(result)  # every tested term is still a dot
    none = blob(ContrastExplorer(result, corpus, max_lines=0).html)
    assert none["lines"] == {}


def test_several_contrasts_and_untested(tmp_path):
    c = planted(8)
    extra = c[c["outlet"] == "B"].assign(outlet="C", doc_id=lambda d: "C" + d["doc_id"])
    c3 = pd.concat([c, extra], ignore_index=True)
    fw = fightin_words(c3, mode="one-vs-rest", min_count=3, permutations=0)
    data = blob(ContrastExplorer(fw, c3, max_lines=4).html)
    assert [(x["group"], x["other"]) for x in data["contrasts"]] == [("A", "rest"), ("B", "rest"), ("C", "rest")]
    assert all(x["q"] is None and set(x["sig"]) == {None} for x in data["contrasts"])
    pairs = fightin_words(c3, mode="pairs", min_count=3, permutations=0)
    data = blob(ContrastExplorer(pairs, c3).html)
    assert len(data["contrasts"]) == 3 and {x["label"] for x in data["contrasts"]} >= {"A vs B"}


def test_repr_html_iframe(corpus, result):
    ex = ContrastExplorer(result, corpus, max_lines=2)
    r = ex._repr_html_()
    assert r.startswith("<iframe srcdoc=\"") and "<script" not in r and "&lt;script" in r
    assert framing.explore_contrast is explore_contrast


def test_bad_input(tmp_path, corpus, result):
    with pytest.raises(LexicalError):
        explore_contrast(pd.DataFrame({"x": [1]}), corpus, path=tmp_path / "x.html")
    with pytest.raises(LexicalError):
        explore_contrast(result, corpus, path=tmp_path / "x.html", max_lines=-1)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not on PATH")
def test_page_loads_in_headless_chromium(page, tmp_path):
    """The script runs to its end (it sets a flag) without an error, in a real browser."""
    path, text = page
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace(
        "<script id=", "<script>window.onerror=function(m){document.title='JSERROR '+m;};</script><script id=", 1)
        .replace("</body>", "<script>if(!document.title.startsWith('JSERROR'))document.title="
                 "window.__framingExplorerReady?'READY':'NOTREADY';document.body.setAttribute('data-t',document.title)"
                 ";</script></body>"), encoding="utf-8")
    try:
        out = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                              probe.as_uri()], capture_output=True, text=True, timeout=60)
    except (subprocess.TimeoutExpired, OSError) as exc:
        pytest.skip(f"chromium did not run: {exc}")
    if out.returncode != 0 and "data-t" not in out.stdout:
        pytest.skip(f"chromium failed to start: {out.stderr[-300:]}")
    assert 'data-t="READY"' in out.stdout, out.stdout[-500:]
