"""Benchmark section ``segmentation``: sentences per second of sentence splitting."""
from __future__ import annotations

import time
from typing import Any

from framing.bench import load_named

__all__ = ["run"]


def run(*, random_state: int = 0) -> dict[str, dict[str, Any]]:
    """Sentences per second of :func:`~framing.segment.split_sentences` per named corpus.

    On ``ukraine-media``, ``ungdc`` and ``basil`` (each whole), after one warm-up call that
    loads the sentence model; ``random_state`` is accepted for the runner and unused (the
    corpora are not sampled).

    Returns
    -------
    dict
        ``{corpus: {documents, sentences, seconds, sentences_per_s, chars_per_s}}``.
    """
    from framing.segment import split_sentences, split_text

    rows: dict[str, dict[str, Any]] = {}
    for name in ("ukraine-media", "ungdc", "basil"):
        corpus = load_named(name)
        split_text("Warm up. The model loads once.")
        t = time.perf_counter()
        s = split_sentences(corpus)
        dt = time.perf_counter() - t
        rows[name] = {"documents": len(corpus), "sentences": len(s), "seconds": round(dt, 3),
                      "sentences_per_s": round(len(s) / dt), "chars_per_s": round(corpus["text"].str.len().sum() / dt)}
    return rows
