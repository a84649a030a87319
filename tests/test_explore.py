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
    (a line repeated in five articles would be boilerplate, left out of the counts). No other
    term has the counts of 'sham', so its dot is the only one at its place (a click opens it)."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in ("A", "B"):
        for d in range(n_per_group):
            words = " ".join(rng.choice(FILLER, size=30))
            a, b, e = rng.choice(FILLER, size=3)
            text = f"The {a} vote was held on day {d} by {g}. {words}."
            if g == "A":
                text += f" It was one sham {b} vote on day {d}. Another sham {e} ballot followed {d} times."
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
    return fightin_words(corpus, mode="two", min_count=3, n_perm=200, n_boot=50, random_state=0)


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
    fw = fightin_words(c3, mode="one-vs-rest", min_count=3, n_perm=0)
    data = blob(ContrastExplorer(fw, c3, max_lines=4).html)
    assert [(x["group"], x["other"]) for x in data["contrasts"]] == [("A", "rest"), ("B", "rest"), ("C", "rest")]
    assert all(x["q"] is None and set(x["sig"]) == {None} for x in data["contrasts"])
    pairs = fightin_words(c3, mode="pairs", min_count=3, n_perm=0)
    data = blob(ContrastExplorer(pairs, c3).html)
    assert len(data["contrasts"]) == 3 and {x["label"] for x in data["contrasts"]} >= {"A vs B"}


def test_repr_html_iframe(corpus, result):
    ex = ContrastExplorer(result, corpus, max_lines=2)
    r = ex._repr_html_()
    assert "<iframe srcdoc=\"" in r and "<script" not in r and "&lt;script" in r and "ContrastExplorer" in r
    assert framing.explore_contrast is explore_contrast


def test_bad_input(tmp_path, corpus, result):
    with pytest.raises(LexicalError):
        explore_contrast(pd.DataFrame({"x": [1]}), corpus, path=tmp_path / "x.html")
    with pytest.raises(LexicalError):
        explore_contrast(result, corpus, path=tmp_path / "x.html", max_lines=-1)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    pytest.skip("no chromium on PATH (apt-get install -y chromium)")


def _browse(path, tmp_path, fragment: str = "") -> tuple[str, str]:
    """The DOM of ``path`` (a file:// URL, plus ``#fragment``) after its scripts ran, in headless
    Chromium with the network cut off (every host name unresolvable, a dead proxy), and its log."""
    cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
           "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
           "--window-size=1200,800", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000",
           "--dump-dom", path.as_uri() + (f"#{fragment}" if fragment else "")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln and ("ERROR" in ln.upper() or "Uncaught" in ln)]
    assert not errors, errors
    return proc.stdout, proc.stderr


def _attrs(dom: str, tag_re: str) -> dict[str, str]:
    """The attributes of the first element whose opening tag matches ``tag_re``."""
    m = re.search(rf"<{tag_re}[^>]*>", dom)
    assert m, f"no <{tag_re}> in the DOM: {dom[:300]}"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(0)))


def _side(dom: str) -> str:
    m = re.search(r'<div id="side"[^>]*>(.*?)</div></main>', dom, re.S)
    assert m, dom[-500:]
    return m.group(1)


def _lines(dom: str) -> list[dict[str, str]]:
    """Each concordance line the side panel shows: its attributes and its text."""
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', a), html=body)
            for a, body in re.findall(r'<div class="line"([^>]*)>(.*?)<div class="meta">', _side(dom), re.S)]


@pytest.mark.browser
def test_page_opens_offline_with_every_term_drawn(page, result, tmp_path):
    """From file:// with no network: the script runs to its end, loads nothing, and draws one
    mark per tested term (as many coloured as significant, as many large as carry lines)."""
    path, text = page
    dom, _ = _browse(path, tmp_path)
    body = _attrs(dom, "body")
    assert body.get("data-ready") == "1" and body.get("data-resources") == "0", body
    canvas = _attrs(dom, r'canvas id="plot"')
    data = blob(text)
    assert canvas["data-contrast"] == "A vs B"
    assert int(canvas["data-marks"]) == len(result) == len(data["contrasts"][0]["t"])
    assert int(canvas["data-marks-significant"]) == int((result["q"] < result.attrs["alpha"]).sum()) > 0
    assert int(canvas["data-marks-with-lines"]) == len(data["lines"]) > 0
    assert "data-opened-by" not in body and _attrs(dom, r'div id="side"').get("data-term", "") == ""


@pytest.mark.browser
def test_search_finds_the_planted_term(page, tmp_path):
    """The search box (typed through its input event) finds 'sham', also by a prefix in
    another case, and says so when a term is not there."""
    path, text = page
    for typed in ("sham", "SHA"):
        dom, _ = _browse(path, tmp_path, f"q={typed}")
        side = _attrs(dom, r'div id="side"')
        assert side["data-term"] == "sham" and side["data-lines"] == "5", (typed, side)
        assert "<b>sham</b><br>count A:" in _side(dom)
        assert "data-opened-by" not in _attrs(dom, "body")
    dom, _ = _browse(path, tmp_path, "q=nosuchterm")
    assert 'No tested term "nosuchterm"' in _side(dom) and _attrs(dom, r'div id="side"')["data-term"] == ""


@pytest.mark.browser
def test_click_on_the_term_shows_its_concordance_lines(page, result, tmp_path):
    """A click on the dot of 'sham' (a mouse event at its position, handled by the canvas's
    click listener) fills the side panel with its stored lines: outlet, document, voice, match."""
    path, text = page
    dom, _ = _browse(path, tmp_path, "open=sham")
    assert _attrs(dom, "body")["data-opened-by"] == "click"
    data = blob(text)
    stored = data["lines"][str(data["terms"].index("sham"))]
    side = _attrs(dom, r'div id="side"')
    assert side["data-term"] == "sham" and int(side["data-lines"]) == len(stored) == 5
    shown = _lines(dom)
    assert [(ln["data-outlet"], ln["data-doc"], ln["data-voice"]) for ln in shown] == \
        [(s[0], s[1], s[3]) for s in sorted(stored, key=lambda s: s[0])]
    assert all(re.search(r"<b>sham</b>", ln["html"], re.I) for ln in shown)
    assert "<h3>A (5)</h3>" in _side(dom)
    row = result.set_index("term").loc["sham"]
    assert f"count A: {int(row['count_group'])} · B: 0" in _side(dom).replace("&middot;", "·")


@pytest.mark.browser
def test_contrast_selector_and_click_with_three_outlets(tmp_path):
    """With one-vs-rest contrasts, the selector (its change event) switches the marks, and a
    click there opens the term in that contrast."""
    c = planted(8)
    extra = c[c["outlet"] == "B"].assign(outlet="C", doc_id=lambda d: "C" + d["doc_id"])
    c3 = pd.concat([c, extra], ignore_index=True)
    fw = fightin_words(c3, mode="one-vs-rest", min_count=3, n_perm=0)
    path = explore_contrast(fw, c3, path=tmp_path / "three.html", max_lines=4)
    dom, _ = _browse(path, tmp_path, "contrast=C%20vs%20rest&open=sham")
    canvas = _attrs(dom, r'canvas id="plot"')
    assert canvas["data-contrast"] == "C vs rest"
    assert int(canvas["data-marks"]) == int(((fw["group"] == "C") & (fw["other"] == "rest")).sum())
    assert _attrs(dom, "body")["data-opened-by"] == "click"
    assert {ln["data-outlet"] for ln in _lines(dom)} == {"A"}
    assert re.search(r'<option value="2"[^>]*>C vs rest</option>', dom)


def test_fragment_steps_go_through_the_readers_controls():
    """The fragment handler drives the page only by events on the controls a reader uses (so
    the browser tests above exercise the real listeners), and those listeners are bound."""
    from framing.explore import _JS

    route = _JS[_JS.index("function route()"):]
    route = route[:route.index("window.addEventListener('hashchange'")]
    assert "pick.dispatchEvent(new Event('change'))" in route
    assert "q.dispatchEvent(new Event('input'))" in route
    assert "cv.dispatchEvent(new MouseEvent('click'" in route
    assert "find(" not in route and "C=" not in route.replace("C===", "")
    for bound in ("q.addEventListener('input',find)", "cv.addEventListener('click'",
                  "pick.addEventListener('change'"):
        assert bound in _JS


def test_explorer_result_protocol_and_group_keyword(corpus, result):
    ex = ContrastExplorer(result, corpus, max_lines=3, top=5)
    frame = ex.to_frame()
    assert len(frame) == len(result) and (frame["lines"] >= 0).all() and (frame["lines"] <= 3).any()
    assert (frame["lines"] > 0).sum() == ex.summary()["terms_with_lines"].sum()
    s = ex.summary()
    assert list(s.columns) == ["group", "other", "n_terms", "n_significant", "terms_with_lines"]
    assert s["n_terms"].tolist() == [len(result)]
    assert "ContrastExplorer" in ex._repr_html_()
    with pytest.warns(DeprecationWarning, match="group"):
        old = ContrastExplorer(result, corpus, max_lines=3, top=5, by="outlet")
    assert old.html == ex.html


@pytest.fixture(scope="module")
def window_page(tmp_path_factory) -> tuple:
    """Notebook 03's explorer: the referendum window of ukraine-media, near-duplicates left out,
    RT against the US outlets pooled, with the page's default budget. n_boot and n_perm are
    small: the page's size depends on the terms and lines, not on the resamples (the interval
    and q columns are present all the same)."""
    try:
        news = framing.load_corpus("ukraine-media", progress=False)
    except Exception as exc:  # noqa: BLE001 - no corpus here: nothing to measure
        pytest.skip(f"ukraine-media not available: {exc}")
    event = framing.select(news[news["near_dup_of"] == ""], start="2022-09-16", end="2022-10-07")
    sents = framing.attribute_voice(framing.find_boilerplate(framing.split_sentences(event), titles=event))
    text = framing.voice_corpus(event, voice="all", boilerplate="drop", sentences=sents)
    sides = {"RT": "RT", **{o: "US" for o in ("ABC", "CBS", "Fox", "HuffPost", "NYT", "Reuters")}}
    rt_us = fightin_words(text, group=sides, mode="two", min_count=10, n_boot=20, n_perm=20, random_state=0)
    path = explore_contrast(rt_us, event, sentences=sents, path=tmp_path_factory.mktemp("window") / "rt_us.html")
    return path, rt_us, event


@pytest.mark.integration
def test_referendum_window_page_is_under_5_mb(window_page):
    path, rt_us, event = window_page
    text = path.read_text(encoding="utf-8")
    size_mb = path.stat().st_size / 1e6
    assert 0.1 < size_mb < 5.0, f"{size_mb:.2f} MB"
    data = blob(text)
    assert data["max_lines"] == 20 and data["top"] == 300
    assert len(data["contrasts"][0]["t"]) == len(rt_us) > 1000
    assert 300 < len(data["lines"]) <= 600 and all(len(v) <= 20 for v in data["lines"].values())
    outlets = {ln[0] for v in data["lines"].values() for ln in v}
    assert "RT" in outlets and len(outlets) > 2 and outlets <= set(event["outlet"])
    # nothing the page itself would fetch (corpus text in the data may mention a web address)
    code = text.replace(re.search(r'<script id="framing-explorer-data"[^>]*>.*?</script>', text, re.S).group(0), "")
    assert not re.search(r"(src|href)\s*=|https?://|url\(|@import", code, re.I)


@pytest.mark.integration
@pytest.mark.browser
def test_referendum_window_page_opens_offline(window_page, tmp_path):
    """The real page in the browser: every term drawn, and a click on RT's most distinctive
    term shows its lines."""
    path, rt_us, _ = window_page
    term = str(rt_us.loc[rt_us["z"].idxmax(), "term"])
    dom, _ = _browse(path, tmp_path, f"open={term}")
    body = _attrs(dom, "body")
    assert body.get("data-ready") == "1" and body.get("data-resources") == "0"
    assert body.get("data-opened-by") == "click"
    assert int(_attrs(dom, r'canvas id="plot"')["data-marks"]) == len(rt_us)
    data = blob(path.read_text(encoding="utf-8"))
    side = _attrs(dom, r'div id="side"')
    assert side["data-term"] == term and int(side["data-lines"]) == len(data["lines"][str(data["terms"].index(term))])
    assert len(_lines(dom)) == int(side["data-lines"]) > 0
