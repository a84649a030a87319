"""All groups at once: an omnibus permutation test across k groups, then every pair.

With seven outlets or four vote groups, a researcher first asks whether the groups differ at
all (one omnibus test), then which pairs differ, with the multiplicity of the pairs handled
(Holm's family-wise control or Benjamini-Hochberg's false discovery rate).

- :func:`omnibus`: the test on a table of per-document values;
- :func:`compare_measure` and its wrappers :func:`compare_markers`, :func:`compare_stance`,
  :func:`compare_axes`, :func:`compare_themes`: per-document values of a measure
  (:func:`framing.timeline.document_values`), one omnibus test and its pairs per item.
"""
from __future__ import annotations

import warnings

import itertools
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import group_codes, group_labels, require_columns
from framing.stats import MIN_DOCS, SmallGroupWarning, as_rng, bootstrap_counts, check_min_docs, fdr_bh, holm, percentile_interval, small_groups

__all__ = ["omnibus", "compare_measure", "compare_markers", "compare_stance", "compare_axes",
           "compare_themes"]

COLUMNS = ["test", "group", "other", "estimate", "ci_low", "ci_high", "p_value", "q", "n_docs", "n_docs_other"]


def _group_sums(codes: np.ndarray, k: int, v: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weight and weighted value sums per group, for each row of ``codes`` (R, n) -> (R, k)."""
    R = codes.shape[0]
    flat = (codes + k * np.arange(R)[:, None]).ravel()
    sw = np.bincount(flat, weights=np.tile(w, R), minlength=R * k).reshape(R, k)
    swv = np.bincount(flat, weights=np.tile(w * v, R), minlength=R * k).reshape(R, k)
    return sw, swv


def _between(codes: np.ndarray, k: int, v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted between-group sum of squares ``sum_g W_g (m_g - m)^2``, per row of codes."""
    sw, swv = _group_sums(codes, k, v, w)
    m = (w * v).sum() / w.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(sw > 0, swv / np.where(sw > 0, sw, 1), m)
    return (sw * (means - m) ** 2).sum(axis=1)


def _perm_codes(codes: np.ndarray, n_perm: int, rng: np.random.Generator) -> np.ndarray:
    return rng.permuted(np.tile(codes, (n_perm, 1)), axis=1)


def _pair_rows(v: np.ndarray, w: np.ndarray, codes: np.ndarray, names: list[Any], small: set[Any], n_perm: int,
               n_boot: int, alpha: float, rng: np.random.Generator) -> list[dict[str, Any]]:
    rows = []
    for i, j in itertools.combinations(range(len(names)), 2):
        sel = np.flatnonzero((codes == i) | (codes == j))
        c = (codes[sel] == j).astype(np.int64)          # 0: group i, 1: group j
        vv, ww = v[sel], w[sel]
        sw, swv = _group_sums(c[None, :], 2, vv, ww)
        est = float(swv[0, 1] / sw[0, 1] - swv[0, 0] / sw[0, 0])
        sw, swv = _group_sums(_perm_codes(c, n_perm, rng), 2, vv, ww)
        with np.errstate(invalid="ignore", divide="ignore"):
            null = swv[:, 1] / sw[:, 1] - swv[:, 0] / sw[:, 0]
        p = float((1 + np.sum(np.abs(null) >= abs(est) - 1e-12)) / (1 + n_perm))
        lo = hi = np.nan
        if n_boot and names[i] not in small and names[j] not in small:
            B = bootstrap_counts(len(sel), n_boot, rng, strata=c).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                d = ((B * ww * vv) @ c) / ((B * ww) @ c) - ((B * ww * vv) @ (1 - c)) / ((B * ww) @ (1 - c))
            lo, hi = (float(x) for x in percentile_interval(d, alpha))
        rows.append({"test": "pairwise", "group": names[j], "other": names[i], "estimate": est, "ci_low": lo,
                     "ci_high": hi, "p_value": p, "n_docs": int(c.sum()), "n_docs_other": int((1 - c).sum())})
    return rows


def omnibus(table: pd.DataFrame, value: str, *, group: Any = "outlet", weight: str | None = None,
            n_perm: int = 1000, n_boot: int = 1000, alpha: float = 0.05, pairwise: str = "holm",
            random_state: int | np.random.Generator | None = None, min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Do k groups of documents differ? One permutation test, then every pair, adjusted.

    **Omnibus.** The statistic is the weighted between-group sum of squares
    ``sum_g W_g (m_g - m)^2`` (the numerator of the one-way ANOVA F), with ``m_g`` the
    group's weighted mean of the documents' values, ``W_g`` its total weight (its number of
    documents without ``weight=``) and ``m`` the overall mean. Its p-value comes from
    shuffling the group labels of whole documents ``n_perm`` times (Good 2005, *Permutation,
    Parametric and Bootstrap Tests of Hypotheses*; Manly 2007, *Randomization, Bootstrap and
    Monte Carlo Methods in Biology*), ``(1 + #null >= observed) / (1 + n_perm)``; the test
    is exact under exchangeability of documents across groups.

    **Pairs.** For every pair, the difference of weighted means ``group - other``, a
    two-sided permutation p-value (labels shuffled within the pair), a percentile interval
    from resampling documents within each group (``n_boot``), and ``q``: the p-values of the
    pairs adjusted as one family, by Holm (1979; family-wise error, ``pairwise="holm"``) or
    Benjamini & Hochberg (1995; false discovery rate, ``pairwise="bh"``). ``attrs["control"]``
    states which. Groups with fewer than ``min_docs`` documents get no interval (a
    :class:`framing.stats.SmallGroupWarning` names them).

    Parameters
    ----------
    table : DataFrame
        One row per document (the units) with the ``value`` column and the group column.
    value : str
        Column with each document's value (a rate, a share, a position).
    group : str, mapping, (column, mapping) or None
        The glossary's ``group=``; rows without a group are left out.
    weight : str, optional
        Column of document weights (words for a rate, sentences for a share), so that a
        group's mean is the pooled ratio; None: each document counts once.
    n_perm, n_boot : int
    alpha : float
        Interval level ``1 - alpha``; recorded as the test level.
    pairwise : {"holm", "bh"}
    random_state : None, int or Generator
    min_docs : int

    Returns
    -------
    DataFrame
        The first row is the omnibus test (``test="omnibus"``, ``group="all"``, ``estimate``:
        the between-group sum of squares divided by the total weight, ``p_value``; ``q`` is
        NaN: it is not in the pairs' family); then one row per pair: ``test="pairwise"``,
        ``group``, ``other``, ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``q``,
        ``n_docs``, ``n_docs_other``. ``attrs`` records the options and ``control``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = pd.DataFrame({"outlet": np.repeat(["A", "B", "C"], 30),
    ...                   "x": rng.normal(size=90) + np.repeat([0, 0, 1.0], 30)})
    >>> r = omnibus(t, "x", n_perm=500, n_boot=200, random_state=0)
    >>> r.loc[0, "test"], bool(r.loc[0, "p_value"] < 0.01)
    ('omnibus', True)
    >>> r.loc[r["q"] < 0.05, ["group", "other"]].values.tolist()
    [['C', 'A'], ['C', 'B']]
    """
    require_columns(table, [value] + ([weight] if weight else []))
    if pairwise not in ("holm", "bh"):
        raise ValueError(f"omnibus: pairwise must be 'holm' or 'bh', got {pairwise!r}")
    for name, val, least in (("n_perm", n_perm, 1), ("n_boot", n_boot, 0)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < least:
            raise ValueError(f"omnibus: {name} must be an int >= {least}, got {val!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"omnibus: alpha must be in (0, 1), got {alpha!r}")
    min_docs = check_min_docs(min_docs, caller="omnibus")
    codes, names = group_codes(group_labels(table, group))
    v = pd.to_numeric(table[value], errors="coerce").to_numpy(float)
    w = np.ones(len(v)) if weight is None else pd.to_numeric(table[weight], errors="coerce").to_numpy(float)
    keep = (codes >= 0) & np.isfinite(v) & np.isfinite(w) & (w > 0)
    codes, v, w = codes[keep], v[keep], w[keep]
    present = sorted(set(codes.tolist()))
    if len(present) < 2:
        raise ValueError(f"omnibus: needs documents in at least two groups, got {[names[i] for i in present]}")
    remap = {c: i for i, c in enumerate(present)}
    codes = np.array([remap[c] for c in codes], dtype=np.int64)
    names = [names[c] for c in present]
    sizes = dict(zip(names, np.bincount(codes, minlength=len(names)).tolist()))
    small = set(small_groups(sizes, min_docs, caller="omnibus"))
    rng = as_rng(random_state)
    obs = float(_between(codes[None, :], len(names), v, w)[0])
    null = _between(_perm_codes(codes, n_perm, rng), len(names), v, w)
    p = float((1 + np.sum(null >= obs * (1 - 1e-12))) / (1 + n_perm))
    rows = [{"test": "omnibus", "group": "all", "other": None, "estimate": obs / w.sum(), "ci_low": np.nan,
             "ci_high": np.nan, "p_value": p, "q": np.nan, "n_docs": len(v), "n_docs_other": np.nan}]
    pairs = _pair_rows(v, w, codes, names, small, n_perm, n_boot, alpha, rng)
    q = (holm if pairwise == "holm" else fdr_bh)([r["p_value"] for r in pairs])
    for r, qq in zip(pairs, q):
        r["q"] = float(qq)
    out = pd.DataFrame(rows + pairs, columns=COLUMNS)
    out.attrs.update({"value": value, "weight": weight, "n_perm": n_perm, "n_boot": n_boot, "alpha": alpha,
                      "pairwise": pairwise, "statistic": "weighted between-group sum of squares / total weight",
                      "control": ("family-wise error (Holm 1979) over the pairs" if pairwise == "holm"
                                  else "false discovery rate (Benjamini-Hochberg 1995) over the pairs"),
                      "min_docs": min_docs, "small_groups": sorted(small, key=str)})
    return out


def compare_measure(table: pd.DataFrame, measure: str, *, group: Any = "outlet", labels: Any = None,
                    lexicon: Any = None, scores: Any = None, axes: Any = None, coder: Any = None,
                    embeddings: Any = None, encoder: Any = None, voice: str = "own", boilerplate: str = "drop",
                    per: float = 1000, n_perm: int = 1000, n_boot: int = 1000, alpha: float = 0.05,
                    pairwise: str = "holm", random_state: int | np.random.Generator | None = None,
                    min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """:func:`omnibus` for every item of a measure, documents as units.

    Each document's value is its ratio (matches per ``per`` words, share of its sentences,
    its axis position) and its weight the denominator (words, labelled sentences, sentence
    weights), so a group's mean is the pooled estimate of :func:`framing.over_time`. One
    omnibus test and one family of pairs per item (marker, class, theme or axis); the
    adjustment is within each item's family (``attrs["control"]``).

    Parameters
    ----------
    table : DataFrame
        Sentence table or corpus, as for :func:`framing.timeline.document_values` (a
        ``published`` column is not needed).
    measure : {"markers", "axes", "stance", "themes"}
    group, labels, lexicon, scores, axes, coder, embeddings, encoder, voice, boilerplate, per
        See :func:`framing.timeline.document_values`.
    n_perm, n_boot, alpha, pairwise, random_state, min_docs
        See :func:`omnibus`.

    Returns
    -------
    DataFrame
        The item columns, then the :func:`omnibus` columns, for each item.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": np.arange(60), "outlet": np.repeat(["A", "B"], 30),
    ...                   "theme": ["war"] * 25 + ["vote"] * 5 + ["war"] * 10 + ["vote"] * 20})
    >>> r = compare_measure(s, "themes", labels="theme", n_perm=200, n_boot=0, random_state=0)
    >>> r.loc[r["test"] == "pairwise", ["theme", "group", "other"]].values.tolist()
    [['vote', 'B', 'A'], ['war', 'B', 'A']]
    """
    from framing.timeline import document_values

    if measure == "volume":
        raise ValueError("compare_measure: volume is one count per group, not a value per document")
    base = table if "published" in table.columns else table.assign(published=pd.Timestamp("1970-01-01"))
    dv = document_values(base, measure, group=group, labels=labels, lexicon=lexicon, scores=scores, axes=axes,
                         coder=coder, embeddings=embeddings, encoder=encoder, voice=voice,
                         boilerplate=boilerplate, per=per)
    vals = dv.values()
    rng = as_rng(random_state)
    frames = []
    with warnings.catch_warnings(record=True) as caught:   # one warning per message, at the caller
        warnings.simplefilter("always", SmallGroupWarning)
        for j in range(len(dv.items)):
            docs = pd.DataFrame({"group": dv.group, "value": vals[:, j], "weight": dv.den[:, j]})
            r = omnibus(docs, "value", group="group", weight="weight", n_perm=n_perm, n_boot=n_boot,
                        alpha=alpha, pairwise=pairwise, random_state=rng, min_docs=min_docs)
            for c in reversed(list(dv.items.columns)):
                r.insert(0, c, dv.items[c].iloc[j])
            frames.append(r)
    for message in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, SmallGroupWarning)):
        warnings.warn(message, SmallGroupWarning, stacklevel=_caller_level())
    for w in caught:
        if not issubclass(w.category, SmallGroupWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {k: v for k, v in frames[0].attrs.items() if k not in ("value", "weight", "small_groups")}
    out.attrs.update({"measure": measure, "items": list(dv.items.columns), "voice": dv.params.get("voice"),
                      "family": "the pairs of one item"})
    return out


def compare_markers(corpus: pd.DataFrame, *, lexicon: Any = None, group: Any = "outlet", voice: str = "own",
                    boilerplate: str = "drop", per: float = 1000, n_perm: int = 1000, n_boot: int = 1000,
                    alpha: float = 0.05, pairwise: str = "holm", random_state: int | np.random.Generator | None = None,
                    min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Marker rates (own voice by default) of all groups compared at once, per marker.

    :func:`compare_measure` with ``measure="markers"``: each document's rate (matches per
    ``per`` words) weighted by its words, so a group's mean is its pooled rate as in
    :func:`framing.marker_rates`.

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": [f"d{i}" for i in range(12)], "outlet": ["X"] * 6 + ["Y"] * 6,
    ...                   "text": ["The sham vote ended today."] * 6 + ["The vote ended today."] * 6})
    >>> r = compare_markers(c, lexicon={"families": {"status": {"markers": [{"marker": "sham"}]}}},
    ...                     boilerplate="keep", n_perm=200, n_boot=0, random_state=0)
    >>> r[["marker", "test", "p_value"]].round(3).values.tolist()[0]
    ['sham', 'omnibus', 0.005]
    """
    return compare_measure(corpus, "markers", lexicon=lexicon, group=group, voice=voice, boilerplate=boilerplate,
                           per=per, n_perm=n_perm, n_boot=n_boot, alpha=alpha, pairwise=pairwise,
                           random_state=random_state, min_docs=min_docs)


def compare_stance(sentences: pd.DataFrame, labels: Any = None, *, coder: Any = None, embeddings: Any = None,
                   group: Any = "outlet", n_perm: int = 1000, n_boot: int = 1000, alpha: float = 0.05,
                   pairwise: str = "holm", random_state: int | np.random.Generator | None = None,
                   min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Stance shares of all groups compared at once, per class.

    The classes come from ``labels`` (a column or one label per sentence) or from a fitted
    :class:`framing.Coder` (``coder=``, on ``embeddings=`` when given); each document's
    share of its sentences in the class is weighted by its number of sentences.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": np.arange(40), "outlet": np.repeat(["A", "B"], 20),
    ...                   "stance": ["pro"] * 15 + ["con"] * 5 + ["pro"] * 5 + ["con"] * 15})
    >>> r = compare_stance(s, "stance", n_perm=200, n_boot=0, random_state=0)
    >>> bool(r.loc[0, "p_value"] < 0.05)
    True
    """
    return compare_measure(sentences, "stance", labels=labels, coder=coder, embeddings=embeddings, group=group,
                           n_perm=n_perm, n_boot=n_boot, alpha=alpha, pairwise=pairwise, random_state=random_state,
                           min_docs=min_docs)


def compare_axes(sentences: pd.DataFrame, scores: Any = None, *, axes: Any = None, embeddings: Any = None,
                 encoder: Any = None, group: Any = "outlet", voice: str = "own", boilerplate: str = "drop",
                 n_perm: int = 1000, n_boot: int = 1000, alpha: float = 0.05, pairwise: str = "holm",
                 random_state: int | np.random.Generator | None = None, min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Axis positions of all groups compared at once, per axis.

    Each document's FrameAxis bias (Kwak et al. 2021) from a :func:`framing.score_axes`
    result (``scores``) or from scoring ``axes`` here, weighted by its sentence weights.

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> from framing.axes import Axis
    >>> enc = HashEncoder(dim=128)
    >>> ax = Axis("calm", ["calm quiet day", "quiet peaceful night", "calm peaceful town"],
    ...           ["violent loud riot", "loud angry clash", "violent angry crowd"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": np.arange(24), "outlet": np.repeat(["A", "B"], 12),
    ...                   "text": ["a calm quiet morning"] * 12 + ["an angry loud crowd"] * 12})
    >>> r = compare_axes(s, axes=[ax], encoder=enc, boilerplate="keep", voice="all", n_perm=200, n_boot=0,
    ...                  random_state=0)
    >>> r.loc[1, ["axis", "group", "other"]].tolist(), bool(r.loc[1, "estimate"] < 0)
    (['calm', 'B', 'A'], True)
    """
    return compare_measure(sentences, "axes", scores=scores, axes=axes, embeddings=embeddings, encoder=encoder,
                           group=group, voice=voice, boilerplate=boilerplate, n_perm=n_perm, n_boot=n_boot,
                           alpha=alpha, pairwise=pairwise, random_state=random_state, min_docs=min_docs)


def compare_themes(table: pd.DataFrame, labels: Any, *, group: Any = "outlet", n_perm: int = 1000,
                   n_boot: int = 1000, alpha: float = 0.05, pairwise: str = "holm",
                   random_state: int | np.random.Generator | None = None, min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Theme shares of all groups compared at once, per theme (cluster labels as ``labels``).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": np.arange(40), "outlet": np.repeat(["A", "B"], 20),
    ...                   "k": [0] * 10 + [1] * 10 + [0] * 10 + [1] * 10})
    >>> r = compare_themes(s, "k", n_perm=200, n_boot=0, random_state=0)
    >>> r.loc[r["test"] == "omnibus", "p_value"].round(2).tolist()
    [1.0, 1.0]
    """
    return compare_measure(table, "themes", labels=labels, group=group, n_perm=n_perm, n_boot=n_boot, alpha=alpha,
                           pairwise=pairwise, random_state=random_state, min_docs=min_docs)


def _caller_level() -> int:
    """Stack level of the first frame outside this module (the user's call of a compare_*)."""
    import inspect

    frame, level = inspect.currentframe(), 1
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame, level = frame.f_back, level + 1
    return level - 1
