"""Benchmark section ``explore``: the size of the offline explorer page on the real corpora.

The size of a :func:`framing.explore_contrast` page depends on the tested terms and the
concordance lines it carries (``max_lines`` per term for the ``top`` terms of each side of
each contrast), not on the number of resamples; ``n_boot`` and ``n_perm`` are kept small so
that the interval and q columns are present (they are in the page) without their cost.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from framing.bench import EVENT_WINDOW, load_named

__all__ = ["run", "BUDGET_MB"]

#: The size budgets of the issue: the referendum window, and all of ``ukraine-media``.
BUDGET_MB = {"window": 5.0, "corpus": 25.0}

_RT, _US = "RT", ("ABC", "CBS", "Fox", "HuffPost", "NYT", "Reuters")


def _measure(result: pd.DataFrame, corpus: pd.DataFrame, *, sentences: pd.DataFrame | None, budget: float,
             fw_seconds: float, **options: Any) -> dict[str, Any]:
    """Write the page to a temporary file (it holds corpus text; it is not kept) and measure it."""
    import framing

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        explorer = framing.ContrastExplorer(result, corpus, sentences=sentences, **options)
        path = explorer.save(Path(tmp) / "explorer.html")
        seconds = time.perf_counter() - t
        mb = path.stat().st_size / 1e6
    payload = explorer.payload
    return {"articles": int(len(corpus)), "contrasts": len(payload["contrasts"]), "terms": len(payload["terms"]),
            "terms_with_lines": len(payload["lines"]),
            "lines": int(sum(len(v) for v in payload["lines"].values())),
            "max_lines": payload["max_lines"], "top": payload["top"], "mb": round(mb, 2), "budget_mb": budget,
            "within_budget": bool(mb < budget), "seconds_fightin_words": round(fw_seconds, 1),
            "seconds_explorer": round(seconds, 1)}


def run(*, n_boot: int = 20, n_perm: int = 20, min_count: int = 10, max_lines: int = 20, top: int = 300,
        random_state: int = 0) -> dict[str, dict[str, Any]]:
    """Size of the explorer page on the referendum window and on all of ``ukraine-media``.

    Two rows: the referendum window (16 Sep - 7 Oct 2022, near-duplicates left out, RT against
    the US outlets pooled, as notebook 03 writes it) and the whole ``ukraine-media`` corpus
    (every article, one contrast per outlet against the rest). Each with the page's size in MB
    against its budget (5 MB and 25 MB), what it holds (terms, terms with lines, lines) and the
    seconds of :func:`framing.fightin_words` and of the page. The page's defaults
    (``max_lines=20``, ``top=300``) are the ones measured.

    Parameters
    ----------
    n_boot, n_perm : int
        Resamples of :func:`framing.fightin_words` (small: the size does not depend on them).
    min_count : int
        Terms tested (notebook 03 uses 10).
    max_lines, top : int
        The page's size budget (:func:`framing.explore_contrast`).
    random_state : int
        Seed of the resampling.

    Returns
    -------
    dict
        ``{"referendum window, RT vs US": {...}, "ukraine-media, one-vs-rest": {...}}``.

    Examples
    --------
    >>> callable(run)
    True
    """
    import framing

    news = load_named("ukraine-media")
    options = {"max_lines": max_lines, "top": top}
    fw = {"min_count": min_count, "n_boot": n_boot, "n_perm": n_perm, "random_state": random_state}
    rows: dict[str, dict[str, Any]] = {}

    event = framing.select(news[news["near_dup_of"] == ""], start=EVENT_WINDOW[0], end=EVENT_WINDOW[1])
    sents = framing.attribute_voice(framing.find_boilerplate(framing.split_sentences(event), titles=event))
    t = time.perf_counter()
    text = framing.voice_corpus(event, voice="all", boilerplate="drop", sentences=sents)
    rt_us = framing.fightin_words(text, group={_RT: _RT, **{o: "US" for o in _US}}, mode="two", **fw)
    rows["referendum window, RT vs US"] = _measure(rt_us, event, sentences=sents, budget=BUDGET_MB["window"],
                                                   fw_seconds=time.perf_counter() - t, **options)

    t = time.perf_counter()
    every = framing.fightin_words(news, mode="one-vs-rest", **fw)
    rows["ukraine-media, one-vs-rest"] = _measure(every, news, sentences=None, budget=BUDGET_MB["corpus"],
                                                  fw_seconds=time.perf_counter() - t, **options)
    return rows
