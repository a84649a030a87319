"""Benchmark section ``geometry``: maps and the outlet-similarity test on the
referendum-window sentences, timed."""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from framing._compat import renamed_kwargs
from framing.bench import EVENT_WINDOW
from framing.bench.cluster import window_sentences
from framing.geometry import outlet_similarity, project_2d

__all__ = ["run"]


@renamed_kwargs(permutations="n_perm")
def run(*, random_state: int = 0, n_perm: int = 1000, tsne_points: int = 4000,
        corpus: str = "ukraine-media", window: tuple[str, str] = EVENT_WINDOW, model: Any = None) -> dict:
    """Time maps and the outlet-similarity test on the referendum-window sentences.

    Sentences of ``corpus`` published in ``window`` (near-duplicates left out) are embedded
    with :class:`framing.Encoder` (cached after the first run). Reported: seconds for a PCA
    map of all sentences, a t-SNE map of ``tsne_points`` sampled sentences, and
    :func:`framing.geometry.outlet_similarity` with ``n_perm`` article-level permutations,
    plus the results of its two tests (PERMANOVA and PERMDISP). Returns a flat
    JSON-serialisable dict.
    """
    from framing.embed import Encoder

    _, sents = window_sentences(corpus, window)
    X = Encoder(model).encode(sents["text"].astype(str).tolist())
    out: dict[str, Any] = {"n_sentences": len(sents), "n_documents": int(sents["doc_id"].nunique())}
    t = time.perf_counter()
    project_2d(X, method="pca")
    out["pca_map_seconds"] = time.perf_counter() - t
    rng = np.random.default_rng(random_state)
    idx = np.sort(rng.choice(len(X), size=min(tsne_points, len(X)), replace=False))
    t = time.perf_counter()
    project_2d(X[idx], method="tsne", random_state=random_state)
    out["tsne_points"] = len(idx)
    out["tsne_map_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    res = outlet_similarity(X, sents, n_perm=n_perm, random_state=random_state)
    out["outlet_similarity_seconds"] = time.perf_counter() - t
    out.update({"n_perm": n_perm, "permanova_F": res.test["statistic"], "permanova_r2": res.test["r2"],
                "permanova_p": res.test["p_value"], "permdisp_F": res.test["permdisp_statistic"],
                "permdisp_p": res.test["permdisp_p_value"]})
    return out
