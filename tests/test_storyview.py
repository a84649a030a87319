"""Tests for the side-by-side story view (framing.plot.storyview) and its headless-browser check."""
from __future__ import annotations

import re
import shutil
import subprocess
import warnings

import pandas as pd
import pytest

from framing.align import align_claims
from framing.plot.storyview import render_story_view, story_articles, story_order
from framing.testing import HashEncoder

META = {"A": ("Kherson votes <today>", "2022-09-23", "https://a.example/vote?x=1&y=2"),
        "B": ("Polls open in Kherson", "2022-09-24", "https://b.example/polls")}


@pytest.fixture
def sentences():
    rows = [
        ("A", "Polling stations opened Friday across Kherson regions"),
        ("A", "Soldiers escorted election workers <door to door> & more"),
        ("A", "Western capitals dismissed everything as theatre"),
        ("B", "Across Kherson regions polling stations opened Friday"),
        ("B", "Election workers <door to door> & more escorted by soldiers"),
        ("C", "Polling stations across Kherson regions opened Friday"),
        ("C", 'Grain exports "resumed" through Black Sea ports'),
    ]
    s = pd.DataFrame({"outlet": [o for o, _ in rows], "text": [t for _, t in rows]})
    s["doc_id"] = "doc" + s["outlet"]
    s["sent_id"] = s["doc_id"] + ":" + s.groupby("outlet").cumcount().astype(str)
    return s


@pytest.fixture
def alignment(sentences):
    return align_claims(sentences, encoder=HashEncoder(), story="s0001")


@pytest.fixture
def crossing():
    """Outlet B tells first what A tells last: numbering by mean position would put B's
    later sentences above its first one."""
    a = ["Regional officials counted ballots overnight", "Moscow annexation treaty signed in Kremlin hall"]
    b = ["Kremlin hall treaty signed annexation Moscow"] + [
        f"Unrelated detail number {w} about {w} things" for w in ("alpha", "bravo", "charlie", "delta", "echo",
                                                                "foxtrot", "golf", "hotel", "india")]
    s = pd.DataFrame({"outlet": ["A"] * len(a) + ["B"] * len(b), "text": a + b})
    s["doc_id"] = "doc" + s["outlet"]
    s["sent_id"] = s["doc_id"] + ":" + s.groupby("outlet").cumcount().astype(str)
    s["title"] = s["outlet"].map({"A": "Treaty signed", "B": "Annexation"})
    s["published"] = pd.Timestamp("2022-09-30")
    s["url"] = s["outlet"].map({"A": "https://a.example/t", "B": "https://b.example/t"})
    return align_claims(s, encoder=HashEncoder(), margin=1.0, min_similarity=0.5)


def _positions_by_outlet(page: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for o, p in re.findall(r'<td class="fsv-cell" data-outlet="([^"]*)" data-position="([^"]*)"', page):
        out.setdefault(o, []).extend(int(x) for x in p.split(","))
    return out


def test_html_has_every_outlet_and_claim_and_escapes(alignment):
    page = render_story_view(alignment)
    assert page.startswith("<!DOCTYPE html>")
    assert len(re.findall(r'<th class="fsv-outlet"', page)) == 3
    assert len(re.findall(r'<tr class="fsv-row', page)) == alignment.n_claims == 4
    # omissions are gap cells: one per (claim, outlet) not covered
    assert page.count('class="fsv-gap"') == len(alignment.omissions) == 4 * 3 - 7
    assert "&lt;door to door&gt; &amp; more" in page and "<door" not in page
    assert "&quot;resumed&quot;" in page
    # self-contained: no external resources
    assert not re.search(r'src\s*=\s*["\']?(?:https?:)?//', page)
    assert "<link" not in page and "href" not in page  # no article urls in this corpus: no links


def test_path_writes_file_and_repr_is_compact(alignment, tmp_path):
    p = tmp_path / "view.html"
    s = render_story_view(alignment, path=p, title="My story")
    assert p.read_text(encoding="utf-8") == s and "<title>My story</title>" in s
    frag = alignment._repr_html_()
    assert "<script" not in frag and "ClaimAlignment" in frag and "fsv-table" not in frag


def test_filters(alignment):
    shared_only = render_story_view(alignment, min_outlets=2)
    assert len(re.findall(r'<tr class="fsv-row', shared_only)) == 2
    capped = render_story_view(alignment, max_claims=1)
    assert len(re.findall(r'<tr class="fsv-row', capped)) == 1 and "3 more claims" in capped
    frag = render_story_view(alignment, standalone=False)
    assert "<script" not in frag and "fsv-table" in frag


def test_headers_carry_title_date_and_link(sentences):
    s = sentences.assign(title=sentences["outlet"].map({k: v[0] for k, v in META.items()}),
                         published=pd.to_datetime(sentences["outlet"].map({k: v[1] for k, v in META.items()})),
                         url=sentences["outlet"].map({k: v[2] for k, v in META.items()}))
    al = align_claims(s, encoder=HashEncoder(), story="s0001")
    assert al.articles["title"].tolist()[:2] == [META["A"][0], META["B"][0]]
    corpus = pd.DataFrame({"doc_id": ["docC"], "title": ["Grain and votes"], "published": ["2022-09-25"],
                           "url": ["https://c.example/g"]})
    page = render_story_view(al, corpus=corpus)
    heads = dict(re.findall(r'<th class="fsv-outlet" data-outlet="(\w)">(.*?)</th>', page))
    assert "Kherson votes &lt;today&gt;" in heads["A"] and "2022-09-23" in heads["A"]
    assert 'href="https://a.example/vote?x=1&amp;y=2"' in heads["A"]
    assert "Polls open in Kherson" in heads["B"] and "2022-09-24" in heads["B"]
    assert "Grain and votes" in heads["C"] and 'href="https://c.example/g"' in heads["C"]
    # without metadata the header is the outlet alone
    assert 'class="fsv-article"' not in render_story_view(align_claims(sentences, encoder=HashEncoder()))
    assert story_articles(al, corpus).set_index("doc_id").loc["docC", "url"] == "https://c.example/g"


def test_rows_follow_the_articles(crossing, alignment):
    numbered = list(crossing.coverage.index)
    order = story_order(crossing)
    assert sorted(order) == sorted(numbered) and order != numbered
    page = render_story_view(crossing)
    pos = _positions_by_outlet(page)
    assert pos["A"] == [0, 1] and pos["B"] == list(range(10))
    # when the articles agree, reading order is the numbering
    assert story_order(alignment) == list(alignment.coverage.index)


def test_old_module_still_imports_with_a_warning():
    import importlib
    import sys

    sys.modules.pop("framing.storyview", None)
    with pytest.warns(DeprecationWarning, match="framing.storyview"):
        old = importlib.import_module("framing.storyview")
    assert old.render_story_view is render_story_view


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _dump_dom(page, tmp_path) -> str:
    exe = _chromium()
    if exe is None:
        pytest.skip("no chromium on PATH (apt-get install -y chromium)")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
           "--v=0", "--virtual-time-budget=2000", "--dump-dom", page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console_errors = [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln and "ERROR" in ln.upper()
                      and "file://" in ln]
    assert not console_errors, console_errors
    return proc.stdout


@pytest.mark.browser
def test_story_view_renders_in_headless_browser(alignment, tmp_path):
    page = tmp_path / "view.html"
    render_story_view(alignment, path=page)
    dom = _dump_dom(page, tmp_path)
    body = re.search(r"<body([^>]*)>", dom)
    assert body, dom[:500]
    attrs = dict(re.findall(r'(data-[\w-]+)="([^"]*)"', body.group(1)))
    assert attrs.get("data-js-errors") == "0"
    assert attrs.get("data-rendered-columns") == str(len(alignment.outlets))
    assert attrs.get("data-rendered-rows") == str(alignment.n_claims)
    assert attrs.get("data-rendered-gaps") == str(len(alignment.omissions))
    assert attrs.get("data-rendered-articles") == "0"


@pytest.mark.browser
def test_headers_and_order_in_headless_browser(crossing, tmp_path):
    page = tmp_path / "view.html"
    render_story_view(crossing, path=page)
    dom = _dump_dom(page, tmp_path)
    attrs = dict(re.findall(r'(data-[\w-]+)="([^"]*)"', re.search(r"<body([^>]*)>", dom).group(1)))
    assert attrs.get("data-js-errors") == "0" and attrs.get("data-rendered-articles") == "2"
    # the headers as the browser built them: title, date and link of each outlet's article
    arts = re.findall(r'<span class="fsv-article" data-doc="(\w+)" data-title="([^"]*)" data-published="([^"]*)" '
                      r'data-url="([^"]*)"><a class="fsv-link" href="([^"]*)"[^>]*>([^<]*)</a>', dom)
    assert [(d, t, p, h, text) for d, t, p, _u, h, text in arts] == [
        ("docA", "Treaty signed", "2022-09-30", "https://a.example/t", "Treaty signed"),
        ("docB", "Annexation", "2022-09-30", "https://b.example/t", "Annexation")]
    # rows in the DOM: each column reads in article order, and the rows are story_order's
    assert _positions_by_outlet(dom) == {"A": [0, 1], "B": list(range(10))}
    assert re.findall(r'<tr class="fsv-row [^"]*" data-claim="(c\d+)"', dom) == story_order(crossing)
