"""Tests for the side-by-side story view (framing.storyview) and its headless-browser check."""
from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest

from framing.align import align_claims
from framing.storyview import render_story_view
from framing.testing import HashEncoder


@pytest.fixture
def alignment():
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
    return align_claims(s, encoder=HashEncoder(), story="s0001")


def test_html_has_every_outlet_and_claim_and_escapes(alignment):
    page = alignment.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert len(re.findall(r'<th class="fsv-outlet"', page)) == 3
    assert len(re.findall(r'<tr class="fsv-row', page)) == alignment.n_claims == 4
    # omissions are gap cells: one per (claim, outlet) not covered
    assert page.count('class="fsv-gap"') == len(alignment.omissions) == 4 * 3 - 7
    assert "&lt;door to door&gt; &amp; more" in page and "<door" not in page
    assert "&quot;resumed&quot;" in page
    # self-contained: no external resources
    assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', page)
    assert "<link" not in page


def test_to_html_writes_file_and_repr_has_no_script(alignment, tmp_path):
    p = tmp_path / "view.html"
    s = alignment.to_html(p, title="My story")
    assert p.read_text(encoding="utf-8") == s and "<title>My story</title>" in s
    frag = alignment._repr_html_()
    assert "<script" not in frag and "fsv-table" in frag


def test_filters(alignment):
    shared_only = render_story_view(alignment, min_outlets=2)
    assert len(re.findall(r'<tr class="fsv-row', shared_only)) == 2
    capped = render_story_view(alignment, max_claims=1)
    assert len(re.findall(r'<tr class="fsv-row', capped)) == 1 and "3 more claims" in capped


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.mark.browser
def test_story_view_renders_in_headless_browser(alignment, tmp_path):
    exe = _chromium()
    if exe is None:
        pytest.skip("no chromium on PATH (apt-get install -y chromium)")
    page = tmp_path / "view.html"
    alignment.to_html(page)
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr",
           "--v=0", "--virtual-time-budget=2000", "--dump-dom", page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", proc.stdout)
    assert body, proc.stdout[:500]
    attrs = dict(re.findall(r'(data-[\w-]+)="([^"]*)"', body.group(1)))
    assert attrs.get("data-js-errors") == "0"
    assert attrs.get("data-rendered-columns") == str(len(alignment.outlets))
    assert attrs.get("data-rendered-rows") == str(alignment.n_claims)
    assert attrs.get("data-rendered-gaps") == str(len(alignment.omissions))
    console_errors = [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln and "ERROR" in ln.upper()
                      and "file://" in ln]
    assert not console_errors, console_errors
