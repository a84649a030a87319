"""Benchmark section ``themes``: the two-level themes of :func:`framing.fit_themes` on the
referendum-window sentences, timed, and their agreement across seeds.

BERTopic's numbers (topics, outliers, ARI across seeds) come from the ``cluster`` section
(:mod:`framing.bench.cluster`), which fits BERTopic on the same sentences and embeddings; this
section reads them from the latest benchmark report rather than fitting BERTopic again.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from framing.bench import EVENT_WINDOW
from framing.bench.cluster import window_sentences
from framing.themes import UNCLUSTERED_THEME, fit_themes

__all__ = ["run", "bertopic_from_report"]


def _ari_pairs(labelings: list[np.ndarray], *, stable_part: bool) -> list[float]:
    """ARI of every pair of labelings; ``stable_part``: on the sentences in a stable theme in both."""
    codes = [pd.factorize(pd.Series(lab, dtype=object))[0] for lab in labelings]
    out = []
    for i in range(len(labelings)):
        for j in range(i + 1, len(labelings)):
            keep = np.ones(len(codes[i]), dtype=bool)
            if stable_part:
                keep = (labelings[i] != UNCLUSTERED_THEME) & (labelings[j] != UNCLUSTERED_THEME)
            out.append(float(adjusted_rand_score(codes[i][keep], codes[j][keep])) if keep.sum() > 1 else float("nan"))
    return out


def _find_bertopic(node: Any) -> dict | None:
    if isinstance(node, dict):
        bt = node.get("bertopic")
        if isinstance(bt, dict) and bt.get("status") == "ok":
            return bt
        for value in node.values():
            found = _find_bertopic(value)
            if found is not None:
                return found
    return None


def bertopic_from_report(report: str | os.PathLike | None = None) -> dict[str, Any]:
    """BERTopic's results from a benchmark report's ``cluster`` section (the newest
    ``bench/report-*.json`` that has them, unless ``report`` names a file).

    Returns ``{"status": "not available", "note": ...}`` when no report holds them.

    Examples
    --------
    >>> bertopic_from_report("no-such-report.json")["status"]
    'not available'
    """
    paths = [Path(report)] if report is not None else sorted(Path("bench").glob("report-*.json"), reverse=True)
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found = _find_bertopic(data.get("sections", {}).get("cluster", {}))
        if found is not None:
            keep = ("n_topics", "outlier_share", "ari_across_seeds_all_points", "ari_across_seeds_non_outliers",
                    "seconds_first_fit", "seconds_warm_fits", "versions")
            return {"status": "from report", "report": str(path), **{k: found[k] for k in keep if k in found}}
    return {"status": "not available",
            "note": "no benchmark report with a BERTopic result; run `framing bench --sections cluster` first"}


def _seed_record(tree: Any, seconds: float) -> dict[str, Any]:
    s = tree.summary()
    leaves = s[s["leaf"]]
    return {"seconds": seconds, "n_coarse": int(tree.coarse_.n_clusters_), "n_themes": tree.n_themes_,
            "n_stable": tree.n_stable_, "unclustered_coarse": tree.unclustered_["coarse"],
            "unclustered_theme": tree.unclustered_["fine"], "not_in_stable_theme": tree.unclustered_["not_stable"],
            "sub_themes_per_coarse": s[s["level"] == "fine"].groupby("parent").size().astype(int).to_dict(),
            "labels": leaves.loc[leaves["stable"], "label"].tolist()}


def run(*, corpus: str = "ukraine-media", window: tuple[str, str] = EVENT_WINDOW, model: Any = None,
        cache_dir: str | os.PathLike | None = None, n_boot: int = 20, seeds: Sequence[int] = (1, 2, 3, 4, 5),
        report: str | os.PathLike | None = None) -> dict:
    """Time :func:`framing.fit_themes` on the referendum-window sentences; agreement across seeds.

    Steps: the sentences of ``corpus`` in ``window`` (near-duplicates left out,
    :func:`framing.bench.cluster.window_sentences`), embedded with :class:`framing.Encoder`
    (``model=None``: the default model; from the cache after the first run); then, for each
    seed, :func:`framing.fit_themes` with its defaults and ``n_boot``. Reported per seed: seconds,
    coarse themes, themes, stable themes, the unclustered shares and the stable themes' labels;
    across seeds: the ARI of every pair of runs (a) on the sentences in a stable theme in both
    runs (the *stable part*), (b) on all sentences (sentences outside stable themes as one
    class), and (c) of the coarse level. BERTopic's numbers on the same sentences are read from
    the ``cluster`` section's report (:func:`bertopic_from_report`), not refitted.

    Returns
    -------
    dict
        JSON-serialisable: ``data``, ``ours`` (per seed and across seeds), ``bertopic``,
        ``targets``.
    """
    from framing.embed import Encoder

    result: dict[str, Any] = {"benchmark": "framing.themes", "corpus": corpus, "window": list(window)}
    docs, sents = window_sentences(corpus, window)
    enc = Encoder(model) if cache_dir is None else Encoder(model, cache_dir=cache_dir)
    X = enc.encode(sents["text"].astype(str).tolist())
    result["data"] = {"n_documents": int(docs["doc_id"].nunique()), "n_sentences": len(sents),
                      "embedding_model": getattr(enc, "name", str(model))}
    runs, leaves, coarse = [], [], []
    for seed in seeds:
        t = time.perf_counter()
        tree = fit_themes(sents, embeddings=X, n_boot=n_boot, random_state=int(seed))
        runs.append(_seed_record(tree, time.perf_counter() - t))
        leaves.append(tree.labels(stable_only=True))
        coarse.append(tree.labels(level="coarse"))
    stable_part = _ari_pairs(leaves, stable_part=True)
    result["ours"] = {
        "method": "fit_themes defaults (k by stability: coarse on half-samples, sub-themes on 80 % subsamples; "
                  "a theme is stable when it also replicates in n_refits=2 refits from independent seeds), "
                  f"n_boot={n_boot}",
        "seeds": [int(s) for s in seeds], "per_seed": runs,
        "seconds_max": max(r["seconds"] for r in runs),
        "ari_stable_part": stable_part,
        "ari_all_sentences": _ari_pairs(leaves, stable_part=False),
        "ari_coarse": _ari_pairs(coarse, stable_part=False),
    }
    result["bertopic"] = bertopic_from_report(report)
    finite = [v for v in stable_part if np.isfinite(v)]
    result["targets"] = {"ari_stable_part_across_seeds>=0.9": bool(finite) and min(finite) >= 0.9,
                         "stable_themes>=15": min(r["n_stable"] for r in runs) >= 15}
    return result
