"""Readable themes: stable clusters at two levels, each labelled by its distinctive terms.

A single stable clustering of news sentences settles on a few broad clusters: they agree
across seeds but tell a reader little. :func:`fit_themes` builds a two-level tree instead:

1. **Coarse themes.** :class:`framing.StableClusters` on all sentences (k chosen by the
   clusterer's stability criterion, then checked on ``n_boot`` subsamples).
2. **Sub-themes.** The sentences of each coarse theme (its consensus members) are clustered
   again by :class:`framing.StableClusters`, with k chosen *by the same criterion* on those
   sentences alone (after their own PCA), and checked the same way. A coarse theme for which
   no k passes the criterion is not split: it is a theme of its own.

Every theme keeps its stability (mean best-match Jaccard over the subsamples, Hennig 2007):
a theme below ``threshold``, or under an unstable parent, is *flagged* (``stable=False``),
never dropped, and sentences without a consensus are counted as *unclustered* at each
level. Each theme is labelled by the terms that distinguish it from the rest of its parent
(coarse themes: from the rest of the corpus) -- Fightin' Words (Monroe, Colaresi & Quinn
2008), the log-odds ratio with an informative Dirichlet prior ranked by its z -- and by its
most typical sentences (closest to its centroid) from several outlets.

References
----------
Hennig, C. (2007). Cluster-wise assessment of cluster stability. *Computational Statistics
& Data Analysis* 52(1), 258-271.

Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature
selection and evaluation for identifying the content of political conflict. *Political
Analysis* 16(4), 372-403.

Grootendorst, M. (2022). BERTopic: Neural topic modeling with a class-based TF-IDF
procedure. arXiv:2203.05794 (hierarchical topics; c-TF-IDF labels, not used here).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from framing._checks import GroupSpec, group_labels, require_columns, resolve_embeddings
from framing._display import html_summary
from framing.cluster import Clusterer, StableClusters, outlet_shares
from framing.lexical import fightin_words, term_counts
from framing.stats import MIN_DOCS, as_rng

__all__ = ["ThemeTree", "fit_themes", "UNCLUSTERED_THEME", "ENGLISH_CONTRACTIONS"]

#: The theme id of sentences without a theme (no consensus, or in no sub-theme of their parent).
UNCLUSTERED_THEME = "unclustered"

_MIN_SPLIT = 20          # a coarse theme with fewer sentences is not split
_PER_SUBTHEME = 10       # the largest k tried on n sentences is at most n // 10
_LABEL_TERMS = 3
#: English contractions added to scikit-learn's English stop words for ``stop_words="english"``.
ENGLISH_CONTRACTIONS = ("i'm", "i've", "i'd", "i'll", "you're", "you've", "you'll", "you'd", "he's", "she's",
                        "we're", "we've", "we'll", "we'd", "they're", "they've", "they'll", "they'd", "that's",
                        "there's", "what's", "who's", "let's", "don't", "doesn't", "didn't", "isn't", "aren't",
                        "wasn't", "weren't", "won't", "wouldn't", "can't", "couldn't", "shouldn't", "haven't",
                        "hasn't", "hadn't")
_MIN_Z = 1.96            # terms less distinctive than this (even counting tokens as independent) are not listed


@dataclass
class _Split:
    """The sub-level of one coarse theme: its rows, the fitted stability analysis, whether it split."""

    rows: np.ndarray
    result: StableClusters | None
    split: bool
    reason: str


def _check_clusterer(value: Any, name: str, default: Clusterer) -> Clusterer:
    if value is None:
        return default
    if not isinstance(value, Clusterer):
        raise TypeError(f"fit_themes: {name} must be a framing.Clusterer or None, got {type(value).__name__}")
    return value


def _stability(clusterer: Clusterer, X: np.ndarray, n_boot: int, threshold: float, min_agreement: float,
               seed: int) -> StableClusters:
    return StableClusters(clusterer, n_boot=n_boot, threshold=threshold, min_agreement=min_agreement,
                          random_state=seed).fit(X)


def _split(rows: np.ndarray, X: np.ndarray, fine: Clusterer, n_boot: int, threshold: float,
           min_agreement: float, seed: int) -> _Split:
    """Cluster the rows of one coarse theme; no split when no k passes the criterion."""
    n = len(rows)
    if fine.n_clusters is None:
        k_hi = min(int(fine.k_range[1]), n // _PER_SUBTHEME)
        if n < _MIN_SPLIT or k_hi < int(fine.k_range[0]):
            return _Split(rows, None, False, f"too few sentences to split ({n})")
        fine = clone(fine).set_params(k_range=(int(fine.k_range[0]), k_hi))
    elif n <= 2 * int(fine.n_clusters):
        return _Split(rows, None, False, f"too few sentences for {fine.n_clusters} sub-themes ({n})")
    sc = _stability(fine, X[rows], n_boot, threshold, min_agreement, seed)
    sel = sc.reference_.selection_
    if sel is not None and "accepted" in sel.columns and not bool(sel["accepted"].any()):
        return _Split(rows, sc, False, "no k passes the stability criterion")
    return _Split(rows, sc, True, f"k = {sc.n_clusters_}")


def _theme_rows(coarse: StableClusters, splits: dict[int, _Split], n: int) -> pd.DataFrame:
    """One row per theme (coarse and sub-themes) with size, share and stability."""
    rows = []
    ctab = coarse.clusters_.set_index("cluster")
    for c, sp in splits.items():
        cr = ctab.loc[c]
        rows.append({"theme": f"{c + 1}", "level": "coarse", "parent": None, "coarse": c, "fine": -1,
                     "size": int(cr["size"]), "share": int(cr["size"]) / n, "share_of_parent": np.nan,
                     "agreement": float(cr["jaccard_mean"]), "stable": bool(cr["stable"]), "leaf": not sp.split,
                     "split": sp.reason})
        if not sp.split:
            continue
        for fr in sp.result.clusters_.query("cluster >= 0").itertuples():
            rows.append({"theme": f"{c + 1}.{fr.cluster + 1}", "level": "fine", "parent": f"{c + 1}", "coarse": c,
                         "fine": int(fr.cluster), "size": int(fr.size), "share": int(fr.size) / n,
                         "share_of_parent": int(fr.size) / len(sp.rows), "agreement": float(fr.jaccard_mean),
                         "stable": bool(fr.stable) and bool(cr["stable"]), "leaf": True, "split": ""})
    return pd.DataFrame(rows)


def _assignments(coarse: StableClusters, splits: dict[int, _Split], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Coarse and fine label per sentence (-1: none)."""
    fine = np.full(n, -1, dtype=np.int64)
    for sp in splits.values():
        if sp.split:
            fine[sp.rows] = sp.result.labels_
    return np.asarray(coarse.labels_, dtype=np.int64), fine


def _leaf_ids(coarse: np.ndarray, fine: np.ndarray, splits: dict[int, _Split]) -> np.ndarray:
    out = np.full(len(coarse), UNCLUSTERED_THEME, dtype=object)
    for c, sp in splits.items():
        rows = np.flatnonzero(coarse == c)
        if not sp.split:
            out[rows] = f"{c + 1}"
        else:
            f = fine[rows]
            out[rows[f >= 0]] = [f"{c + 1}.{v + 1}" for v in f[f >= 0]]
    return out


def _contrast_terms(texts: pd.Series, labels: np.ndarray, counts: tuple[Any, np.ndarray], top_terms: int,
                    min_count: int) -> pd.DataFrame:
    """Fightin' Words one-vs-rest (no permutation test: a ranking) of every label against the rest."""
    corpus = pd.DataFrame({"text": texts.to_numpy(), "theme": labels.astype(object)})
    if corpus["theme"].nunique() < 2:
        return pd.DataFrame(columns=["theme", "rank", "term", "z", "delta", "count_group", "docs_group"])
    fw = fightin_words(corpus, group="theme", mode="one-vs-rest", n_perm=0, voice="all", boilerplate="keep",
                       counts=counts, min_count=min_count)
    fw = fw[(fw["z"] >= _MIN_Z) & (fw["delta"] > 0)].sort_values(["group", "z"], ascending=[True, False])
    fw = fw.groupby("group", sort=False).head(top_terms).rename(columns={"group": "theme"})
    fw["rank"] = fw.groupby("theme").cumcount() + 1
    return fw[["theme", "rank", "term", "z", "delta", "count_group", "docs_group"]]


def _terms(table: pd.DataFrame, themes: pd.DataFrame, coarse: np.ndarray, leaf: np.ndarray,
           splits: dict[int, _Split], top_terms: int, stop_words: Any, min_count: int) -> pd.DataFrame:
    """Distinctive terms of every theme: coarse themes against the rest of the corpus, sub-themes
    against the rest of their parent."""
    texts = table["text"].astype(str)
    if isinstance(stop_words, str) and stop_words == "english":
        stop_words = sorted(ENGLISH_STOP_WORDS | set(ENGLISH_CONTRACTIONS))
    X, vocab = term_counts(table, stop_words=stop_words)
    cid = np.array([f"{c + 1}" if c >= 0 else UNCLUSTERED_THEME for c in coarse], dtype=object)
    parts = [_contrast_terms(texts, cid, (X, vocab), top_terms, min_count)]
    for c, sp in splits.items():
        if sp.split:
            rows = sp.rows
            parts.append(_contrast_terms(texts.iloc[rows], leaf[rows], (X[rows], vocab), top_terms, min_count))
    out = pd.concat(parts, ignore_index=True)
    return out[out["theme"].isin(set(themes["theme"]))].reset_index(drop=True)


def _exemplars(table: pd.DataFrame, X: np.ndarray, themes: pd.DataFrame, members: dict[str, np.ndarray],
               groups: pd.Series, exemplars: int, per_group: int) -> pd.DataFrame:
    """The sentences closest to each theme's centroid (cosine), at most ``per_group`` per group and
    no repeated text."""
    texts = table["text"].astype(str).to_numpy()
    gvals = groups.to_numpy(dtype=object)
    ids = {c: table[c].to_numpy() for c in ("doc_id", "sent_id") if c in table.columns}
    rows = []
    for theme in themes["theme"]:
        idx = members[theme]
        if len(idx) == 0:
            continue
        centre = X[idx].mean(axis=0)
        centre = centre / (np.linalg.norm(centre) or 1.0)
        sims = X[idx] @ centre
        taken: dict[Any, int] = {}
        seen: set[str] = set()
        for j in np.argsort(-sims, kind="stable"):
            i, g = idx[j], gvals[idx[j]]
            key = "" if pd.isna(g) else g
            if texts[i] in seen or taken.get(key, 0) >= per_group:
                continue
            seen.add(texts[i])
            taken[key] = taken.get(key, 0) + 1
            rows.append({"theme": theme, "rank": len(seen), "group": g, **{c: v[i] for c, v in ids.items()},
                         "text": texts[i], "similarity": float(sims[j])})
            if len(seen) >= exemplars:
                break
    cols = ["theme", "rank", "group", *ids, "text", "similarity"]
    return pd.DataFrame(rows, columns=cols)


def _outlet_mix(groups: pd.Series, members: dict[str, np.ndarray], top: int = 3) -> dict[str, str]:
    """'RT 41%, NYT 20%, ...': the groups with most sentences in each theme."""
    out = {}
    g = groups.to_numpy(dtype=object)
    for theme, idx in members.items():
        vc = pd.Series(g[idx]).dropna().value_counts()
        total = max(int(vc.sum()), 1)
        out[theme] = ", ".join(f"{k} {v / total:.0%}" for k, v in vc.head(top).items())
    return out


def _members(themes: pd.DataFrame, coarse: np.ndarray, leaf: np.ndarray) -> dict[str, np.ndarray]:
    out = {}
    for r in themes.itertuples():
        out[r.theme] = np.flatnonzero(coarse == r.coarse) if r.level == "coarse" else np.flatnonzero(leaf == r.theme)
    return out


def _fit_levels(X: np.ndarray, coarse_cl: Clusterer, fine_cl: Clusterer, n_boot: int, threshold: float,
                min_agreement: float, rng: np.random.Generator) -> tuple[StableClusters, dict[int, _Split]]:
    """The coarse stability analysis and the split of each coarse theme, seeded from ``rng``."""
    top = _stability(coarse_cl, X, n_boot, threshold, min_agreement, int(rng.integers(2**31 - 1)))
    seeds = rng.integers(2**31 - 1, size=top.n_clusters_)
    splits = {c: _split(np.flatnonzero(top.labels_ == c), X, fine_cl, n_boot, threshold, min_agreement,
                        int(seeds[c])) for c in range(top.n_clusters_)}
    return top, splits


def _stable_ids(top: StableClusters, splits: dict[int, _Split], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Coarse and leaf ids per sentence of one fit, ``-1`` / unclustered outside its stable themes."""
    themes = _theme_rows(top, splits, n)
    coarse, fine = _assignments(top, splits, n)
    leaf = _leaf_ids(coarse, fine, splits)
    ok_leaf = set(themes.loc[themes["leaf"] & themes["stable"], "theme"])
    ok_coarse = set(themes.loc[(themes["level"] == "coarse") & themes["stable"], "coarse"])
    leaf = np.where(pd.Series(leaf).isin(ok_leaf).to_numpy(), leaf, UNCLUSTERED_THEME)
    coarse = np.where(np.isin(coarse, list(ok_coarse)), coarse, -1)
    return coarse, leaf


def _best_jaccard(ids: np.ndarray, other: np.ndarray, none: Any) -> dict[Any, float]:
    """For each id of ``ids`` (except ``none``), the largest Jaccard index of its sentences with
    the sentences of one id of ``other`` (except ``none``)."""
    a, b = pd.Series(ids), pd.Series(other)
    keep = (a != none).to_numpy()
    tab = pd.crosstab(a[keep], b[keep]) if keep.any() else pd.DataFrame()
    tab = tab.drop(columns=[none], errors="ignore")
    size_a, size_b = a.value_counts(), b.value_counts()
    out = {}
    for t in a[keep].unique():
        if tab.shape[1] == 0:
            out[t] = 0.0
            continue
        inter = tab.loc[t].to_numpy(dtype=float)
        union = size_a[t] + size_b[tab.columns].to_numpy(dtype=float) - inter
        out[t] = float(np.max(inter / union))
    return out


def _replication(themes: pd.DataFrame, coarse: np.ndarray, leaf: np.ndarray,
                 refits: list[tuple[np.ndarray, np.ndarray]]) -> pd.Series:
    """Per theme: the smallest, over the refits, best-match Jaccard with a stable theme of the
    refit at the same level (coarse with coarse, leaves with leaves)."""
    rep = pd.Series(np.inf, index=themes["theme"].to_numpy())
    for r_coarse, r_leaf in refits:
        bc = _best_jaccard(coarse, r_coarse, -1)
        bl = _best_jaccard(leaf, r_leaf, UNCLUSTERED_THEME)
        for t in themes.itertuples():
            j = bl.get(t.theme, 0.0) if t.leaf and t.level == "fine" else bc.get(t.coarse, 0.0)
            if t.leaf and t.level == "coarse":      # an unsplit coarse theme is a leaf: it may match either
                j = max(j, bl.get(t.theme, 0.0))
            rep[t.theme] = min(rep[t.theme], j)
    return rep


def _check_options(n_boot: int, threshold: float, min_agreement: float, top_terms: int, exemplars: int,
                   per_group: int) -> None:
    for name, v, lo in (("n_boot", n_boot, 2), ("top_terms", top_terms, 1), ("exemplars", exemplars, 0),
                        ("per_group", per_group, 1)):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise ValueError(f"fit_themes: {name} must be an int >= {lo}, got {v!r}")
    for name, v in (("threshold", threshold), ("min_agreement", min_agreement)):
        if not (isinstance(v, (int, float)) and 0 <= float(v) <= 1):
            raise ValueError(f"fit_themes: {name} must be between 0 and 1, got {v!r}")


def fit_themes(sentences: pd.DataFrame, *, embeddings: Any = None, encoder: Any = None,
               coarse: Clusterer | None = None, fine: Clusterer | None = None, n_boot: int = 20,
               n_refits: int = 2, threshold: float = 0.75, min_agreement: float = 0.5, group: GroupSpec = "outlet",
               top_terms: int = 10, exemplars: int = 5, per_group: int = 1,
               stop_words: str | list[str] | None = "english", min_count: int = 5,
               random_state: int | np.random.Generator | None = None) -> "ThemeTree":
    """Stable themes at two levels (coarse themes and their sub-themes), each labelled.

    1. **Coarse level.** :class:`framing.StableClusters` (``n_boot`` subsamples of 80 % of the
       sentences, Hennig 2007) with the ``coarse`` clusterer on all sentences -- by default
       the package's stable clusters as they are: ``Clusterer()``, k-means after PCA to 50
       dimensions, k over 2-30 by the stability criterion (the largest k whose least stable
       cluster keeps a mean pairwise Jaccard of at least 0.75 by one standard error, on
       half-samples).
    2. **Sub-themes.** The consensus members of each coarse theme are clustered again with
       the ``fine`` clusterer and checked the same way. By default k is chosen by the same
       criterion on subsamples of 80 % (``Clusterer(selection_fraction=0.8)``: the subsample
       size of the check, so a k is chosen when every one of its sub-themes would pass the
       check; half-samples of a coarse theme of a few thousand sentences are too small to
       tell sub-themes apart). The largest k tried is at most a tenth of the sentences of the
       coarse theme; a coarse theme of fewer than 20 sentences, or one for which no k passes
       the criterion, is not split (it is a theme of its own, ``split`` says why).
    3. **Flags.** A theme is ``stable`` when its mean Jaccard is at least ``threshold``,
       (sub-themes) its parent's is too, and it *replicates*: the whole tree is fitted
       ``n_refits`` more times from independent seeds, and in every refit some stable theme of
       the same level shares at least ``threshold`` of its sentences (best-match Jaccard,
       column ``replication``: the smallest over the refits). The subsample check alone is
       conditional on the k chosen; the choice of k at each level sits near the stability bar
       and moves with the seed (and with float-level differences in the embeddings), and a
       theme that exists only under one choice is not one to name. Unstable themes stay in
       every table, flagged.
       Sentences without a majority across resamples are *unclustered*: at the coarse level,
       and within their parent at the sub-level; both shares are in ``unclustered_``.
    4. **Labels.** Terms: Fightin' Words (:func:`framing.fightin_words`, one-vs-rest, log-odds
       with the pooled Dirichlet prior, ranked by z, no permutation test: a description, not a
       test) of each coarse theme against the rest of the corpus, and of each sub-theme against
       the rest of its parent. Fightin' Words is used rather than c-TF-IDF (Grootendorst
       2022) because its prior shrinks the log-odds of rare terms and its z accounts for how
       many tokens stand behind an estimate, so a term used three times in one small theme
       does not top the list. Only terms with z >= 1.96 are listed (z counts tokens as
       independent draws, so this is a floor against listing noise, not a test); ``label``
       joins the top three terms (``"theme <id>"`` when none qualifies). Typical sentences: the
       ``exemplars`` sentences most cosine-similar to the theme's mean embedding, at most
       ``per_group`` per group (outlet) and no text twice.

    Parameters
    ----------
    sentences : DataFrame
        Sentence table (:func:`framing.split_sentences`) with ``text``; ``doc_id``,
        ``published`` and the group column are needed for shares and trajectories.
    embeddings : array, optional
        One row per sentence, same order; else ``encoder`` embeds ``sentences["text"]``.
    encoder : object with ``encode(texts)``, optional
    coarse, fine : Clusterer or None
        Clustering of each level (defaults: ``Clusterer()`` and
        ``Clusterer(selection_fraction=0.8)``, see above). A ``fine`` clusterer with a fixed
        ``n_clusters`` splits every coarse theme into that many sub-themes.
    n_boot : int
        Subsamples of each stability check (``StableClusters(n_boot=...)``).
    n_refits : int
        Refits of the whole tree from independent seeds that a theme must replicate in to be
        ``stable`` (0: the subsample check only). Each refit costs as much as the fit.
    threshold : float
        Mean Jaccard at or above which a theme is stable (Hennig's 0.75).
    min_agreement : float
        A sentence joins its consensus theme when more than this share of its resamples agree.
    group : str, mapping, (column, mapping) or None
        The glossary's ``group=``, for the typical sentences and the ``outlets`` column.
    top_terms, exemplars, per_group : int
        Terms and typical sentences kept per theme; most typical sentences per group.
    stop_words : "english", list of str or None
        Words left out of the term counts (:func:`framing.term_counts`); ``"english"`` is
        scikit-learn's English list plus :data:`ENGLISH_CONTRACTIONS`.
    min_count : int
        Fewest occurrences (theme + rest) for a term to be ranked.
    random_state : int, numpy Generator or None
        Seeds every level; the same value gives the same tree.

    Returns
    -------
    ThemeTree

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> centres = np.repeat(rng.standard_normal((2, 16)) * 4, 2, axis=0) + rng.standard_normal((4, 16)) * 1.5
    >>> X = np.vstack([c + rng.standard_normal((40, 16)) * 0.3 for c in centres])
    >>> words = ["vote ballot", "vote count", "missile strike", "missile drone"]
    >>> t = pd.DataFrame({"doc_id": np.arange(160) // 4, "outlet": np.tile(["A", "B"], 80),
    ...                   "text": [f"{words[i // 40]} today" for i in range(160)]})
    >>> tree = fit_themes(t, embeddings=X, coarse=Clusterer(n_clusters=2), fine=Clusterer(n_clusters=2),
    ...                   n_boot=10, min_count=2, random_state=0)
    >>> tree.summary()[["theme", "level", "size", "stable"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['1', 'coarse', 80, True], ['1.1', 'fine', 40, True], ['1.2', 'fine', 40, True],
     ['2', 'coarse', 80, True], ['2.1', 'fine', 40, True], ['2.2', 'fine', 40, True]]
    >>> sorted(tree.summary().query("level == 'fine'")["label"].str.split(", ").str[0])
    ['ballot', 'count', 'drone', 'strike']
    """
    require_columns(sentences, ["text"], name="sentences")
    _check_options(n_boot, threshold, min_agreement, top_terms, exemplars, per_group)
    if not isinstance(n_refits, (int, np.integer)) or isinstance(n_refits, bool) or n_refits < 0:
        raise ValueError(f"fit_themes: n_refits must be an int >= 0, got {n_refits!r}")
    coarse_cl = _check_clusterer(coarse, "coarse", Clusterer())
    fine_cl = _check_clusterer(fine, "fine", Clusterer(selection_fraction=0.8))
    table = sentences.reset_index(drop=True)
    X = resolve_embeddings(table["text"].astype(str).tolist(), embeddings=embeddings, encoder=encoder,
                           name="embeddings", what="sentence")
    groups = group_labels(table, group, name="sentences")
    rng = as_rng(random_state)
    top, splits = _fit_levels(X, coarse_cl, fine_cl, n_boot, threshold, min_agreement, rng)
    refits = [_stable_ids(*_fit_levels(X, coarse_cl, fine_cl, n_boot, threshold, min_agreement, rng), len(X))
              for _ in range(n_refits)]
    params = {"n_boot": n_boot, "n_refits": n_refits, "threshold": threshold, "min_agreement": min_agreement,
              "group": group,
              "random_state": random_state if not isinstance(random_state, np.random.Generator) else "Generator",
              "labels": "fightin_words one-vs-rest (pooled prior, z ranking, n_perm=0)",
              "stop_words": stop_words, "min_count": min_count}
    tree = ThemeTree._build(table, X, groups, top, splits, params, refits, top_terms=top_terms,
                            exemplars=exemplars, per_group=per_group)
    tree.index_ = sentences.index
    return tree


class ThemeTree:
    """Themes at two levels with their stability, labels, typical sentences and per-sentence labels.

    Built by :func:`fit_themes`. Theme ids are strings: ``"2"`` for the second coarse theme,
    ``"2.3"`` for its third sub-theme (both 1-based; the integer columns ``coarse`` and
    ``fine`` are 0-based cluster numbers, -1 for none). The *themes* a reader scans are the
    leaves: the sub-themes, and the coarse themes that were not split.

    Attributes
    ----------
    themes_ : DataFrame
        One row per theme (coarse and sub-themes): ``theme``, ``level``, ``parent``,
        ``coarse``, ``fine``, ``size``, ``share`` (of all sentences), ``share_of_parent``,
        ``agreement`` (mean best-match Jaccard over the subsamples), ``replication`` (smallest
        best-match Jaccard with a stable theme of each refit; NaN with ``n_refits=0``),
        ``stable``, ``leaf``,
        ``split`` (for coarse themes: why it was or was not split), ``label``,
        ``top_terms``, ``outlets`` (the groups with most sentences in it).
    terms_ : DataFrame
        ``theme``, ``rank``, ``term``, ``z``, ``delta``, ``count_group``, ``docs_group``.
    exemplars_ : DataFrame
        ``theme``, ``rank``, ``group``, ``doc_id``/``sent_id`` (when present), ``text``,
        ``similarity`` (cosine with the theme's centroid).
    coarse_ : StableClusters
        The coarse level.
    fine_ : dict
        Coarse cluster number -> its sub-level :class:`StableClusters` (None when not fitted).
    unclustered_ : dict
        ``coarse`` (share of sentences without a coarse theme), ``fine`` (share without a
        leaf theme: unclustered at either level), ``not_stable`` (share outside stable
        leaf themes).
    embeddings_ : ndarray
        The L2-normalised embeddings (for maps).
    table_ : DataFrame
        The sentence table (positional index), for shares and trajectories; ``index_`` is the
        input's index, which :meth:`to_frame` restores.
    coarse_labels_, fine_labels_ : ndarray of int
        Coarse and sub-theme cluster per sentence (0-based, -1 for none).
    theme_ids_ : ndarray of str
        Leaf theme id per sentence (``UNCLUSTERED_THEME`` for none).
    """

    def __init__(self) -> None:
        raise TypeError("ThemeTree is built by framing.fit_themes(...)")

    @classmethod
    def _build(cls, table: pd.DataFrame, X: np.ndarray, groups: pd.Series, top: StableClusters,
               splits: dict[int, _Split], params: dict[str, Any], refits: list[tuple[np.ndarray, np.ndarray]],
               *, top_terms: int, exemplars: int, per_group: int) -> "ThemeTree":
        self = cls.__new__(cls)
        n = len(table)
        self.table_, self.embeddings_, self.groups_, self.params = table, X, groups, params
        self.coarse_ = top
        self.fine_ = {c: sp.result for c, sp in splits.items()}
        self.coarse_labels_, self.fine_labels_ = _assignments(top, splits, n)
        self.theme_ids_ = _leaf_ids(self.coarse_labels_, self.fine_labels_, splits)
        themes = _theme_rows(top, splits, n)
        themes.insert(themes.columns.get_loc("stable"), "replication",
                      _replication(themes, self.coarse_labels_, self.theme_ids_, refits).to_numpy()
                      if refits else np.nan)
        if refits:
            themes["stable"] = themes["stable"] & (themes["replication"] >= params["threshold"])
        members = _members(themes, self.coarse_labels_, self.theme_ids_)
        self.terms_ = _terms(table, themes, self.coarse_labels_, self.theme_ids_, splits, top_terms,
                             params["stop_words"], params["min_count"])
        self.exemplars_ = _exemplars(table, X, themes, members, groups, exemplars, per_group)
        listed = self.terms_.groupby("theme", sort=False)["term"].apply(list).to_dict()
        themes["label"] = themes["theme"].map(lambda t: ", ".join(listed.get(t, [])[:_LABEL_TERMS]) or f"theme {t}")
        themes["top_terms"] = themes["theme"].map(lambda t: ", ".join(listed.get(t, [])))
        themes["outlets"] = themes["theme"].map(_outlet_mix(groups, members))
        self.themes_ = themes
        stable_leaf = set(themes.loc[themes["leaf"] & themes["stable"], "theme"])
        self.unclustered_ = {"coarse": float((self.coarse_labels_ < 0).mean()),
                             "fine": float((self.theme_ids_ == UNCLUSTERED_THEME).mean()),
                             "not_stable": float((~pd.Series(self.theme_ids_).isin(stable_leaf)).mean())}
        return self

    # ------------------------------------------------------------------ numbers
    @property
    def n_themes_(self) -> int:
        """Number of leaf themes (sub-themes and unsplit coarse themes)."""
        return int(self.themes_["leaf"].sum())

    @property
    def n_stable_(self) -> int:
        """Number of leaf themes flagged stable."""
        return int((self.themes_["leaf"] & self.themes_["stable"]).sum())

    def labels(self, *, level: str = "theme", stable_only: bool = False) -> np.ndarray:
        """One theme id per sentence (``UNCLUSTERED_THEME`` for none).

        ``level="theme"``: the leaf themes; ``"coarse"``: the coarse themes. With
        ``stable_only`` the sentences of unstable themes get ``UNCLUSTERED_THEME`` too.
        """
        if level == "theme":
            out = self.theme_ids_.copy()
        elif level == "coarse":
            out = np.array([f"{c + 1}" if c >= 0 else UNCLUSTERED_THEME for c in self.coarse_labels_], dtype=object)
        else:
            raise ValueError(f"level must be 'theme' or 'coarse', got {level!r}")
        if stable_only:
            ok = set(self.themes_.loc[self.themes_["stable"], "theme"])
            out = np.array([v if v in ok else UNCLUSTERED_THEME for v in out], dtype=object)
        return out

    # ------------------------------------------------------------------ protocol
    def to_frame(self) -> pd.DataFrame:
        """One row per sentence (the input's index): its ids, ``coarse``, ``fine``, ``theme``, ``label``,
        ``stable``."""
        ids = [c for c in ("doc_id", "sent_id", "outlet") if c in self.table_.columns]
        out = self.table_[ids].copy()
        info = self.themes_.set_index("theme")
        out["coarse"] = self.coarse_labels_
        out["fine"] = self.fine_labels_
        out["theme"] = self.theme_ids_
        out["label"] = pd.Series(self.theme_ids_).map(info["label"]).fillna(UNCLUSTERED_THEME).to_numpy()
        out["stable"] = pd.Series(self.theme_ids_).map(info["stable"]).fillna(False).astype(bool).to_numpy()
        out.index = self.index_
        return out

    def summary(self) -> pd.DataFrame:
        """One row per theme: ``theme``, ``level``, ``parent``, ``size``, ``share``, ``agreement``,
        ``stable``, ``leaf``, ``label``, ``top_terms``, ``outlets``."""
        cols = ["theme", "level", "parent", "size", "share", "agreement", "replication", "stable", "leaf", "label", "top_terms",
                "outlets"]
        return self.themes_[cols].reset_index(drop=True)

    def reading(self) -> str:
        """One sentence with the headline numbers."""
        u = self.unclustered_
        return (f"{self.n_themes_} themes ({self.n_stable_} stable) under {self.coarse_.n_clusters_} coarse themes; "
                f"unclustered: {u['coarse']:.1%} at the coarse level, {u['fine']:.1%} at the theme level; "
                f"{u['not_stable']:.1%} of sentences are outside stable themes")

    def __repr__(self) -> str:
        return f"<ThemeTree: {self.reading()}>"

    def _repr_html_(self) -> str:
        params = {"themes": self.n_themes_, "stable": self.n_stable_, "coarse": self.coarse_.n_clusters_,
                  "unclustered_coarse": self.unclustered_["coarse"], "unclustered_theme": self.unclustered_["fine"],
                  "n_boot": self.params["n_boot"], "threshold": self.params["threshold"]}
        table = self.summary().drop(columns=["top_terms"])
        return html_summary("ThemeTree", params, table, n=40, note="labels: " + self.params["labels"])

    # ------------------------------------------------------------------ shares
    def shares(self, *, group: GroupSpec = "outlet", level: str = "theme", stable_only: bool = True,
               n_boot: int = 1000, alpha: float = 0.05, random_state: int | np.random.Generator | None = None,
               min_docs: int = MIN_DOCS) -> pd.DataFrame:
        """Share of each group's sentences in each theme (:func:`framing.outlet_shares`).

        Intervals come from a bootstrap of whole articles (``doc_id``) within each group. With
        ``stable_only`` (default) the sentences of unstable themes count as unclustered, as
        ``StableClusters.stable_labels_`` does; the row ``theme == "unclustered"`` keeps them.

        Returns
        -------
        DataFrame
            :func:`framing.outlet_shares`'s columns, with ``theme`` and ``label`` instead of
            the integer ``cluster``.
        """
        ids = self.labels(level=level, stable_only=stable_only)
        names = [t for t in self.themes_["theme"] if t in set(ids)]
        codes = pd.Series(ids).map({t: i for i, t in enumerate(names)}).fillna(-1).astype(int).to_numpy()
        out = outlet_shares(self.table_, codes, group=group, n_boot=n_boot, alpha=alpha, random_state=random_state,
                            min_docs=min_docs)
        lookup = dict(enumerate(names))
        theme = out["cluster"].map(lambda c: lookup.get(int(c), UNCLUSTERED_THEME))
        labels = self.themes_.set_index("theme")["label"]
        out.insert(out.columns.get_loc("cluster"), "theme", theme)
        out.insert(out.columns.get_loc("cluster") + 1, "label", theme.map(labels).fillna(UNCLUSTERED_THEME))
        return out.drop(columns=["cluster"])

    def over_time(self, *, freq: str = "D", group: GroupSpec = "outlet", level: str = "theme",
                  stable_only: bool = True, date: str = "published", n_boot: int = 1000, alpha: float = 0.05,
                  random_state: int | np.random.Generator | None = None, min_docs: int = MIN_DOCS,
                  rolling: int | None = None) -> pd.DataFrame:
        """Theme shares per time bin and group (:func:`framing.timeline.over_time` with
        ``measure="themes"``): sentences of the theme over all sentences of the cell, the
        unclustered ones included (as theme ``"unclustered"``); intervals from a bootstrap of
        the cell's articles; thin and empty bins reported, never interpolated. A ``label``
        column is added."""
        from framing.timeline import over_time

        ids = self.labels(level=level, stable_only=stable_only)
        out = over_time(self.table_, "themes", labels=ids, freq=freq, group=group, date=date, n_boot=n_boot,
                        alpha=alpha, random_state=random_state, min_docs=min_docs, rolling=rolling)
        labels = self.themes_.set_index("theme")["label"]
        out.insert(out.columns.get_loc("theme") + 1, "label", out["theme"].map(labels).fillna(UNCLUSTERED_THEME))
        return out
