"""Benchmark section ``voice``: voice attribution and boilerplate flags against sentence splitting."""
from __future__ import annotations

import time
from typing import Any

from framing.bench import EVENT_WINDOW, load_named

__all__ = ["run"]


def run(*, repeats: int = 3) -> dict[str, dict[str, Any]]:
    """Voice attribution and boilerplate flags against sentence splitting, same run, same text.

    On the ``ukraine-media`` event window (16 Sep - 7 Oct 2022) and the 2022 General Debate
    speeches: sentences per second of :func:`framing.split_sentences` (the baseline),
    :func:`framing.attribute_voice` and :func:`framing.find_boilerplate` on its output; the
    ratio ``vs_split`` is the target (attribute_voice at least 0.5). Each is repeated
    ``repeats`` times, alternating, and the fastest run counts.

    Returns
    -------
    dict
        ``{"<corpus>: <step>": {sentences, seconds, sentences_per_s, vs_split}}``.
    """
    from framing.corpus import select
    from framing.segment import split_text

    news = load_named("ukraine-media")
    un = load_named("ungdc")
    corpora = {"ukraine-media event window": select(news, start=EVENT_WINDOW[0], end=EVENT_WINDOW[1]),
               "ungdc 2022": un[un["year"] == 2022]}
    split_text("Warm up. The model loads once.")
    rows: dict[str, dict[str, Any]] = {}
    for name, corpus in corpora.items():
        n, best = _fastest(corpus, repeats)
        for step, label in (("split", "split_sentences"), ("voice", "attribute_voice"),
                            ("boilerplate", "find_boilerplate")):
            rows[f"{name}: {label}"] = {"sentences": n, "seconds": round(best[step], 3),
                                        "sentences_per_s": round(n / best[step]),
                                        "vs_split": round(best["split"] / best[step], 2)}
    return rows


def _fastest(corpus: Any, repeats: int) -> tuple[int, dict[str, float]]:
    """Sentences of ``corpus`` and the fastest time of each step over ``repeats`` alternating runs."""
    from framing.boilerplate import find_boilerplate
    from framing.segment import split_sentences
    from framing.voice import attribute_voice

    best = {"split": float("inf"), "voice": float("inf"), "boilerplate": float("inf")}
    sents = None
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        sents = split_sentences(corpus)
        best["split"] = min(best["split"], time.perf_counter() - t)
        t = time.perf_counter()
        attribute_voice(sents)
        best["voice"] = min(best["voice"], time.perf_counter() - t)
        t = time.perf_counter()
        find_boilerplate(sents)
        best["boilerplate"] = min(best["boilerplate"], time.perf_counter() - t)
    return len(sents), best
