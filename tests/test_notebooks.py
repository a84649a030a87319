"""Every notebook executes headless and writes its figures (quick resampling sizes)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))
import _run  # noqa: E402

sys.path.pop(0)

SOURCES = _run.notebook_sources()


@pytest.mark.integration
@pytest.mark.parametrize("src", SOURCES, ids=[p.stem for p in SOURCES])
def test_notebook_executes_and_writes_figures(src, tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMING_QUICK", "1")
    _run.execute(src, tmp_path, timeout=1200)
    pngs = sorted(tmp_path.glob("*.png"))
    assert pngs, f"{src.name} wrote no figure"
    for png in pngs:
        assert png.name.startswith(src.stem[:3]), f"{png.name}: figures are prefixed with their notebook number"
        assert png.with_suffix(".pdf").exists()
        record = json.loads(png.with_suffix(".json").read_text())
        assert record["notebook"] == src.stem
        assert record["framing_version"]
    assert os.environ.get("FRAMING_NOTEBOOK") is None  # the runner restores the environment
