"""Benchmark section ``cluster``: the full stability analysis on the referendum-window
sentences, timed and compared across seeds and with BERTopic (Grootendorst 2022).

BERTopic runs in a separate virtual environment (:func:`framing.bench.venv.ensure_venv`)
on the same embeddings, in a subprocess.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from framing._compat import renamed_kwargs
from framing.bench import EVENT_WINDOW, load_named
from framing.cluster import Clusterer, StableClusters

__all__ = ["run", "window_sentences", "BERTOPIC_PACKAGES", "BERTOPIC_VERSION"]

#: What the benchmark installs into its separate BERTopic environment. BERTopic's own
#: dependency on sentence-transformers (and so torch) is left out on purpose: it is given
#: the precomputed embeddings and never embeds anything.
BERTOPIC_PACKAGES = ("hdbscan==0.8.44", "umap-learn==0.5.12", "numba==0.68.1", "llvmlite==0.50.0",
                     "pynndescent==0.7.0", "plotly==7.1.0", "pyyaml", "numpy==2.4.6", "pandas==3.1.1",
                     "scikit-learn==1.9.1", "scipy==1.17.1", "tqdm")
BERTOPIC_VERSION = "0.17.4"

_BERTOPIC_RUNNER = r'''
import json, sys, time
import numpy as np
t0 = time.perf_counter()
from bertopic import BERTopic
from umap import UMAP
import_s = time.perf_counter() - t0
work = sys.argv[1]
X = np.load(f"{work}/embeddings.npy")
docs = json.load(open(f"{work}/docs.json", encoding="utf-8"))
seeds = json.loads(sys.argv[2])
out = {"import_seconds": import_s, "fits": []}
for seed in seeds:
    # BERTopic defaults; only UMAP's seed is fixed (UMAP's default parameters as BERTopic sets them)
    umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=False,
                      random_state=seed)
    t = time.perf_counter()
    topics, _ = BERTopic(umap_model=umap_model).fit_transform(docs, embeddings=X)
    out["fits"].append({"seed": seed, "seconds": time.perf_counter() - t, "topics": [int(v) for v in topics]})
import bertopic, umap, hdbscan
out["versions"] = {"bertopic": bertopic.__version__, "umap-learn": umap.__version__}
json.dump(out, open(f"{work}/result.json", "w"))
'''


def window_sentences(corpus: str = "ukraine-media", window: tuple[str, str] = EVENT_WINDOW) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Articles of ``corpus`` published in ``window`` (inclusive), near-duplicates left out
    (a syndicated text counts once, as in the notebooks), and their sentences."""
    from framing.segment import split_sentences

    docs = load_named(corpus)
    if "near_dup_of" in docs.columns:
        docs = docs[docs["near_dup_of"].fillna("") == ""]
    docs = docs[(docs["published"] >= pd.Timestamp(window[0])) & (docs["published"] <= pd.Timestamp(window[1]))]
    return docs, split_sentences(docs)


def _selection_record(table: pd.DataFrame | None) -> list[dict] | None:
    """The k-selection table as JSON-friendly rows (rounded), for the benchmark report."""
    if table is None:
        return None
    cols = [c for c in ("k", "score", "se", "lower", "accepted", "chosen", "n_fits") if c in table.columns]
    out = []
    for row in table[cols].to_dict("records"):
        out.append({c: (round(float(v), 4) if isinstance(v, (float, np.floating)) else
                        bool(v) if isinstance(v, (bool, np.bool_)) else int(v)) for c, v in row.items()})
    return out


def _ari_pairs(labelings: list[np.ndarray], mask_fn: Any = None) -> list[float]:
    out = []
    for i in range(len(labelings)):
        for j in range(i + 1, len(labelings)):
            a, b = labelings[i], labelings[j]
            keep = np.ones(len(a), dtype=bool) if mask_fn is None else mask_fn(a, b)
            out.append(float(adjusted_rand_score(a[keep], b[keep])) if keep.sum() > 1 else float("nan"))
    return out


def _both_stable(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a >= 0) & (b >= 0)


def _timed_runs(clusterer: Clusterer, X: np.ndarray, seeds: Sequence[int], n_boot: int) -> list[tuple[float, StableClusters]]:
    runs = []
    for seed in seeds:
        t = time.perf_counter()
        sc = StableClusters(clusterer, n_boot=n_boot, random_state=int(seed)).fit(X)
        runs.append((time.perf_counter() - t, sc))
    return runs


def _ours(base: Clusterer, runs: list[tuple[float, StableClusters]], n_boot: int) -> dict[str, Any]:
    """Seconds, k chosen, stable clusters and ARI across seeds of the stability analysis."""
    stab = [sc.stable_labels_ for _, sc in runs]
    ari_core = _ari_pairs(stab, _both_stable)
    ks = [sc.n_clusters_ for _, sc in runs]
    pairs = [(i, j) for i in range(len(runs)) for j in range(i + 1, len(runs))]
    return {
        "method": f"StableClusters({base.method}, criterion={base.criterion}, k_range={tuple(base.k_range)}, "
                  f"n_components={base.n_components}), {n_boot} subsample resamples",
        "k_rule": ("largest k with score - se >= min_stability (one-SE rule; subsample fits, "
                   f"selection_fraction={base.selection_fraction}, n_fits={base.n_fits}, max_fits={base.max_fits}, "
                   f"min_stability={base.min_stability})"
                   if base.criterion == "stability" and base.n_clusters is None else None),
        "seconds": [s for s, _ in runs],
        "seconds_max": max(s for s, _ in runs),
        "n_clusters": ks,
        "selection": [_selection_record(sc.reference_.selection_) for _, sc in runs],
        "n_stable": [len(sc.stable_clusters_) for _, sc in runs],
        "unclustered_share": [sc.unclustered_["share"] for _, sc in runs],
        "not_in_stable_cluster_share": [sc.unclustered_["share_not_stable"] for _, sc in runs],
        "pairwise_ari_within_run": [sc.ari_summary_["pairwise_mean"] for _, sc in runs],
        "ari_across_seeds_stable_labels_all_points": _ari_pairs(stab),
        "ari_across_seeds_stable_clusters_core": ari_core,
        "ari_across_seeds_stable_clusters_core_same_k": [v for (i, j), v in zip(pairs, ari_core) if ks[i] == ks[j]],
        "seed_pairs": pairs,
        "stable_cluster_jaccard": [sc.clusters_.loc[sc.clusters_["stable"], "jaccard_mean"].round(3).tolist()
                                   for _, sc in runs],
    }


def _ours_fixed_k(k: int, runs: list[tuple[float, StableClusters]]) -> dict[str, Any]:
    fstab = [sc.stable_labels_ for _, sc in runs]
    return {
        "k": k,
        "seconds": [s for s, _ in runs],
        "n_stable": [len(sc.stable_clusters_) for _, sc in runs],
        "unclustered_share": [sc.unclustered_["share"] for _, sc in runs],
        "not_in_stable_cluster_share": [sc.unclustered_["share_not_stable"] for _, sc in runs],
        "ari_across_seeds_stable_labels_all_points": _ari_pairs(fstab),
        "ari_across_seeds_stable_clusters_core": _ari_pairs(fstab, _both_stable),
    }


def _bertopic(X: np.ndarray, texts: list[str], seeds: Sequence[int], venv: str | os.PathLike | None,
              install_timeout: float, bertopic_timeout: float) -> dict[str, Any]:
    """BERTopic fits on the same embeddings in its own environment; ``status`` says ``skipped`` and why
    when it cannot be installed or run."""
    from framing.bench.venv import ensure_venv

    bt: dict[str, Any] = {}
    try:
        env_info = ensure_venv("bertopic", [["--no-deps", f"bertopic=={BERTOPIC_VERSION}"], list(BERTOPIC_PACKAGES)],
                               check="import bertopic, umap, hdbscan",
                               path=venv or os.environ.get("FRAMING_BERTOPIC_VENV") or None, timeout=install_timeout)
        bt["install"] = env_info
        with tempfile.TemporaryDirectory(prefix="framing-bertopic-") as work:
            np.save(Path(work) / "embeddings.npy", X)
            (Path(work) / "docs.json").write_text(json.dumps(texts), encoding="utf-8")
            (Path(work) / "runner.py").write_text(_BERTOPIC_RUNNER, encoding="utf-8")
            env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
            t = time.perf_counter()
            r = subprocess.run([env_info["python"], str(Path(work) / "runner.py"), work,
                                json.dumps([int(s) for s in seeds])], capture_output=True, text=True,
                               timeout=bertopic_timeout, env=env)
            if r.returncode != 0:
                raise RuntimeError("BERTopic run failed: " + " | ".join((r.stderr or "").strip().splitlines()[-5:]))
            out = json.loads((Path(work) / "result.json").read_text())
    except (OSError, RuntimeError, TimeoutError, subprocess.TimeoutExpired, ValueError, KeyError) as exc:
        return {"status": "skipped", "reason": f"{type(exc).__name__}: {exc}"}
    fits = out["fits"]
    topics = [np.asarray(f["topics"]) for f in fits]
    bt.update({
        "status": "ok",
        "versions": out.get("versions", {}),
        "process_seconds": time.perf_counter() - t,
        "import_seconds": out["import_seconds"],
        "seconds_first_fit": fits[0]["seconds"],
        "seconds_warm_fits": [f["seconds"] for f in fits[1:]],
        "n_topics": [int(len(np.unique(tp[tp >= 0]))) for tp in topics],
        "outlier_share": [float((tp == -1).mean()) for tp in topics],
        "ari_across_seeds_all_points": _ari_pairs(topics),
        "ari_across_seeds_non_outliers": _ari_pairs(topics, _both_stable),
    })
    return bt


@renamed_kwargs(n_resamples="n_boot")
def run(*, corpus: str = "ukraine-media", window: tuple[str, str] = EVENT_WINDOW,
        model: Any = None, cache_dir: str | os.PathLike | None = None, n_boot: int = 20,
        seeds: Sequence[int] = (1, 2, 3, 4, 5), clusterer: Clusterer | None = None, bertopic: bool = True,
        bertopic_venv: str | os.PathLike | None = None, install_timeout: float = 900,
        bertopic_timeout: float = 1800) -> dict:
    """Time the full stability analysis on the referendum-window sentences; compare BERTopic.

    Steps: load ``corpus``, keep articles published in ``window`` (inclusive) that are not
    flagged as near-duplicates (``near_dup_of``), split into sentences, embed them with
    :class:`framing.Encoder` (``model=None``: the default model; vectors come from the
    embedding cache after the first run). Then, for each seed in ``seeds``, run
    :class:`~framing.cluster.StableClusters` (default clusterer: k-means after PCA to 50, k
    chosen over 2-30 by the stability criterion with its one-standard-error rule; ``n_boot``
    subsamples of 80 % of the sentences) and time it. Reported: seconds per full analysis,
    the k chosen per seed with the selection table behind it (``selection``: score, standard
    error, lower bound, fits used per k scanned), clusters found and flagged stable, the
    unclustered share (no consensus) and the share outside stable clusters, and the ARI
    across seeds of (a) the stable-cluster labelling over all sentences (-1 counted as one
    class) and (b) the same restricted to sentences that are in a stable cluster in both
    runs; then the same with k held fixed at the most frequent choice (``ours_fixed_k``),
    which separates the variability of the choice of k from that of the clusters.

    BERTopic (Grootendorst 2022) with default settings and a fixed UMAP seed runs for
    comparison on the same embeddings (saved as ``.npy``) in a subprocess of a separate
    virtual environment (``bertopic_venv``, else ``$FRAMING_BERTOPIC_VENV``, else
    :func:`framing.bench.venv.default_venv_dir`), which is created on first use and
    time-boxed by ``install_timeout``; its first fit (includes numba compilation), warm
    fits, outlier share and ARI across seeds are reported. If it cannot be installed or
    run, ``result["bertopic"]["status"]`` says ``"skipped"`` with the reason.

    Returns
    -------
    dict
        JSON-serialisable: ``data``, ``ours``, ``ours_fixed_k``, ``bertopic``, ``targets``.
    """
    from framing.embed import Encoder

    result: dict[str, Any] = {"benchmark": "framing.cluster", "corpus": corpus, "window": list(window)}
    docs, sents = window_sentences(corpus, window)
    texts = sents["text"].astype(str).tolist()
    enc = Encoder(model) if cache_dir is None else Encoder(model, cache_dir=cache_dir)
    t = time.perf_counter()
    X = enc.encode(texts)
    result["data"] = {"n_documents": int(docs["doc_id"].nunique()), "n_sentences": len(texts),
                      "outlets": {str(k): int(v) for k, v in docs["outlet"].value_counts().items()},
                      "embedding_model": getattr(enc, "name", str(model)), "embedding_dim": int(X.shape[1]),
                      "embed_seconds": time.perf_counter() - t}
    base = clusterer if clusterer is not None else Clusterer()
    result["ours"] = _ours(base, _timed_runs(base, X, seeds, n_boot), n_boot)
    k_mode = int(pd.Series(result["ours"]["n_clusters"]).mode().min())  # k fixed: isolates the choice of k
    result["ours_fixed_k"] = _ours_fixed_k(k_mode, _timed_runs(clone(base).set_params(n_clusters=k_mode), X, seeds,
                                                               n_boot))
    bt = (_bertopic(X, texts, seeds, bertopic_venv, install_timeout, bertopic_timeout) if bertopic
          else {"status": "not run"})
    result["bertopic"] = bt
    core = [v for v in result["ours"]["ari_across_seeds_stable_clusters_core"] if np.isfinite(v)]
    fcore = [v for v in result["ours_fixed_k"]["ari_across_seeds_stable_clusters_core"] if np.isfinite(v)]
    result["targets"] = {
        "ari_stable_clusters_across_seeds>=0.9": bool(core) and min(core) >= 0.9,
        "ari_stable_clusters_across_seeds_fixed_k>=0.9": bool(fcore) and min(fcore) >= 0.9,
        "stability_analysis_faster_than_one_bertopic_fit":
            (result["ours"]["seconds_max"] < bt["seconds_first_fit"]) if bt.get("status") == "ok" else None,
    }
    return result
