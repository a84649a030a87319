"""Benchmark section ``timeline``: trajectories (:func:`framing.over_time`) on a whole corpus.

Issue 15 asks that trajectories on the full ``ukraine-media`` corpus finish in seconds once
the sentence embeddings are cached. This section prepares the sentence table once (split,
boilerplate, voice), fills the embedding cache (a first axis trajectory, timed as
``first_axes_s``: it includes encoding whatever is not cached yet) and then times each
trajectory with the cache warm: weekly volume, weekly own-voice marker rates for the whole
default lexicon, weekly axis positions on the default axes.
"""
from __future__ import annotations

import time
import warnings
from typing import Any

import pandas as pd

from framing.bench.lexical import _bench_corpus

__all__ = ["run"]


def _timed(fn: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def run(corpus: pd.DataFrame | None = None, *, name: str = "ukraine-media", encoder: Any = None, freq: str = "W",
        measures: tuple[str, ...] = ("volume", "markers", "axes"), n_boot: int = 1000, random_state: int = 0) -> dict:
    """Time :func:`framing.over_time` for volume, markers and axes on a whole corpus.

    Parameters
    ----------
    corpus : DataFrame, optional
        Defaults to ``framing.load_corpus(name)`` (``name``: default ``"ukraine-media"``).
    encoder : object with ``encode(texts)``, optional
        Defaults to ``framing.Encoder()`` (the default model, with its embedding cache).
    freq : {"D", "W", "M"}
        Bins of the trajectories.
    measures : tuple of {"volume", "markers", "axes"}
        The trajectories to time (leave out ``"axes"`` to skip the embeddings).
    n_boot, random_state
        Passed to :func:`framing.over_time` (bootstrap resamples per bin and group).

    Returns
    -------
    dict
        ``n_docs``, ``n_sentences``, ``n_bins``; ``prepare_s`` (sentences, boilerplate,
        voice: done once, shared by every trajectory), ``first_axes_s`` (the first axis
        trajectory, which fills the embedding cache), then with the cache warm:
        ``volume_s``, ``markers_s``, ``axes_s`` (those measured) and their sum ``trajectories_s``.
    """
    import framing
    from framing.axes import load_axes

    unknown = sorted(set(measures) - {"volume", "markers", "axes"})
    if unknown:
        raise ValueError(f"timeline bench: unknown measures {unknown}; choose from volume, markers, axes")
    corpus, source = _bench_corpus(corpus, name)
    sents, prepare_s = _timed(lambda: framing.attribute_voice(
        framing.find_boilerplate(framing.split_sentences(corpus), titles=corpus)))
    opts = {"freq": freq, "n_boot": n_boot, "random_state": random_state}
    out: dict[str, Any] = {"benchmark": "framing.bench.timeline:run", "corpus": source, "n_docs": len(corpus),
                           "n_sentences": len(sents), "freq": freq, "n_boot": int(n_boot),
                           "prepare_s": round(prepare_s, 2)}
    times: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # thin groups and unreliable axes warn; timing only here
        vol, times["volume_s"] = _timed(lambda: framing.over_time(corpus, "volume", **opts))
        out["n_bins"] = int(vol["date"].nunique())
        if "markers" in measures:
            _, times["markers_s"] = _timed(lambda: framing.over_time(sents, "markers", **opts))
        if "axes" in measures:
            encoder = framing.Encoder() if encoder is None else encoder
            axes = [a.fit(encoder) for a in load_axes()]
            _, out["first_axes_s"] = _timed(lambda: framing.over_time(sents, "axes", axes=axes, encoder=encoder,
                                                                      **opts))
            out["first_axes_s"] = round(out["first_axes_s"], 2)
            _, times["axes_s"] = _timed(lambda: framing.over_time(sents, "axes", axes=axes, encoder=encoder, **opts))
    if "volume" not in measures:
        times.pop("volume_s")
    out.update({k: round(v, 3) for k, v in times.items()})
    out["trajectories_s"] = round(sum(times.values()), 2)
    return out
