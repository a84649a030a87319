"""Per-group summaries of extracted quotes: actor-group shares and speech-verb profiles."""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import GroupSpec, group_labels, require_columns
from framing._compat import renamed_kwargs
from framing.quotes.patterns import _WORD_RE, NEUTRAL_VERBS
from framing.stats import MIN_DOCS, bootstrap_counts, check_min_docs, small_groups

__all__ = ["quote_shares", "verb_profile"]


def _ci_to_alpha(depth: int = 2) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Accept the retired ``ci=`` (a confidence level) for one release as ``alpha = 1 - ci``,
    with a DeprecationWarning; ``depth`` 3 under :func:`framing._compat.renamed_kwargs`, so the
    warning points at the caller."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def inner(*args: Any, **kwargs: Any) -> Any:
            if "ci" in kwargs:
                if "alpha" in kwargs:
                    raise TypeError(f"{func.__qualname__}() got both 'ci' (deprecated) and 'alpha'; pass 'alpha' only")
                ci = kwargs.pop("ci")
                warnings.warn(f"{func.__qualname__}(ci=...) is deprecated and will be removed in the next release; "
                              f"use alpha = 1 - ci (alpha={1 - ci:.3g}; see docs/glossary.md)", DeprecationWarning,
                              stacklevel=depth)
                kwargs["alpha"] = 1 - ci
            return func(*args, **kwargs)

        return inner

    return wrap


def _check_alpha(alpha: float) -> None:
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")


def _doc_frame(quotes: pd.DataFrame, corpus: pd.DataFrame | None, group: GroupSpec) -> pd.DataFrame:
    """One row per document (``doc_id``, ``outlet``, ``_group``): all corpus documents, else
    those quoted; documents in no group are left out."""
    if corpus is not None:
        require_columns(corpus, ("doc_id", "outlet"), name="corpus")
        source = corpus
        unknown = set(quotes["doc_id"].astype(str)) - set(corpus["doc_id"].astype(str))
        if unknown:
            raise ValueError(f"quotes have doc_id(s) not in the corpus: {sorted(unknown)[:5]}")
    else:
        source = quotes
    extra = group if isinstance(group, str) else group[0] if isinstance(group, tuple) and group else None
    cols = ["doc_id", "outlet"] + ([extra] if isinstance(extra, str) and extra in source.columns
                                   and extra not in ("doc_id", "outlet") else [])
    docs = source[cols].assign(doc_id=source["doc_id"].astype(str), outlet=source["outlet"].astype(str))
    docs = docs.drop_duplicates("doc_id").reset_index(drop=True)
    labels = group_labels(docs, group, name="corpus" if corpus is not None else "quotes")
    out = docs[["doc_id", "outlet"]].assign(_group=labels.to_numpy())
    return out[out["_group"].notna()].reset_index(drop=True)


def _bootstrap_shares(W: np.ndarray, n_boot: int, alpha: float, rng: np.random.Generator
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point share and percentile interval of column sums / total, resampling rows (documents)."""
    tot = W.sum()
    point = W.sum(axis=0) / tot if tot > 0 else np.full(W.shape[1], np.nan)
    if n_boot <= 0 or len(W) == 0:
        nan = np.full(W.shape[1], np.nan)
        return point, nan, nan
    num = bootstrap_counts(len(W), n_boot, rng) @ W
    den = num.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    tail = (1 - (1 - alpha)) / 2     # as (1 - level) / 2: the same float as a 0.95 level gives
    if not np.isfinite(share).any():
        nan = np.full(W.shape[1], np.nan)
        return point, nan, nan
    return point, np.nanquantile(share, tail, axis=0), np.nanquantile(share, 1 - tail, axis=0)


def _shares_table(quotes: pd.DataFrame, docs: pd.DataFrame, *, category: str, weight: np.ndarray,
                  categories: Sequence[str], gname: str, n_boot: int, alpha: float,
                  random_state: int | np.random.Generator | None, value_name: str,
                  min_docs: int, caller: str, counted: str) -> pd.DataFrame:
    _check_alpha(alpha)
    min_docs = check_min_docs(min_docs, caller=caller)
    rng = np.random.default_rng(random_state)
    cat_index = {c: i for i, c in enumerate(categories)}
    per_group = []
    for label, dg in docs.groupby("_group", sort=True):
        doc_index = {d: i for i, d in enumerate(dg["doc_id"])}
        W = np.zeros((len(dg), len(categories)))
        m = quotes["doc_id"].astype(str).isin(doc_index).to_numpy()
        qd = quotes["doc_id"].astype(str).to_numpy()[m]
        qc = quotes[category].astype(str).to_numpy()[m]
        np.add.at(W, ([doc_index[x] for x in qd], [cat_index[x] for x in qc]), weight[m])
        per_group.append((label, dg, W, qc))
    # the share is a ratio over the documents that have something counted: those are the units
    small: set = set()
    if n_boot > 0:
        small = set(small_groups({g: int((W.sum(axis=1) > 0).sum()) for g, _, W, _ in per_group}, min_docs,
                                 caller=caller, unit=f"documents with {counted}", stacklevel=6))
    rows = []
    for label, dg, W, qc in per_group:
        point, lo, hi = _bootstrap_shares(W, n_boot, alpha, rng)     # drawn for every group: same stream
        if label in small:
            lo, hi = np.full_like(lo, np.nan), np.full_like(hi, np.nan)
        n_quotes = np.zeros(len(categories), dtype=np.int64)
        np.add.at(n_quotes, [cat_index[x] for x in qc], 1)
        for c, i in cat_index.items():
            rows.append({gname: label, category: c, value_name: float(W[:, i].sum()), "share": point[i],
                         "ci_low": lo[i], "ci_high": hi[i], "n_quotes": int(n_quotes[i]), "n_docs": len(dg)})
    out = pd.DataFrame(rows, columns=[gname, category, value_name, "share", "ci_low", "ci_high", "n_quotes",
                                      "n_docs"])
    out.attrs["bootstrap"] = {"n_boot": n_boot, "alpha": alpha, "unit": "document", "method": "percentile",
                              "min_docs": min_docs, "small_groups": sorted(small)}
    return out


def _group_name(group: GroupSpec) -> str:
    """Output column of the groups: the column's name, or ``group`` for a mapping or None."""
    return group if isinstance(group, str) else "group"


@renamed_kwargs(groups="actor_groups")
@_ci_to_alpha(depth=3)
def quote_shares(
    quotes: pd.DataFrame,
    corpus: pd.DataFrame | None = None,
    *,
    group: GroupSpec = "outlet",
    n_boot: int = 1000,
    alpha: float = 0.05,
    random_state: int | np.random.Generator | None = None,
    actor_groups: Sequence[str] | None = None,
    min_docs: int = MIN_DOCS,
) -> pd.DataFrame:
    """Per group of documents (outlet), the share of quoted words spoken by each actor group,
    with bootstrap intervals.

    share(g, a) = words quoted from actor group a in the documents of group g / all quoted
    words of those documents. The interval resamples the group's *documents* with
    replacement (all corpus documents of the group, quotes or not: the unit of sampling is
    the article, since quotes within an article are not independent) and takes percentiles
    of the resampled shares (Efron & Tibshirani 1993). Only documents with quotes move the
    share, so a group with fewer than ``min_docs`` of them gets no interval (NaN) and a
    :class:`framing.stats.SmallGroupWarning` naming it; its share is still reported.

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    corpus : DataFrame, optional
        The corpus the quotes come from (``doc_id``, ``outlet``), so that documents without
        quotes take part in the resampling. Without it, only quoted documents are used.
    group : str, mapping, (column, mapping) or None
        How documents are grouped (the glossary's ``group=``): a column of ``corpus`` (or of
        ``quotes`` without a corpus), default ``"outlet"``; a mapping ``{outlet: label}``; a
        ``(column, mapping)`` pair; or None (one group, ``"all"``).
    n_boot : int
        Bootstrap replicates (0: no intervals).
    alpha : float
        Error level: intervals are ``1 - alpha`` percentile intervals.
    random_state : int or Generator, optional
        Seed of the bootstrap.
    actor_groups : sequence of str, optional
        Actor groups to report (default: those present in ``quotes``, sorted).
    min_docs : int
        Minimum number of documents with quotes for an interval (default
        :data:`framing.stats.MIN_DOCS`, 5).

    Returns
    -------
    DataFrame
        The group column (named after ``group`` when it is a column name, else ``group``),
        ``actor_group``, ``words``, ``share``, ``ci_low``, ``ci_high``, ``n_quotes``,
        ``n_docs`` (documents of the group). ``attrs["bootstrap"]`` records the method,
        ``alpha``, ``min_docs`` and ``small_groups`` (groups left without an interval).

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"doc_id": ["a", "a", "b"], "outlet": ["X", "X", "X"],
    ...                   "quote": ["one two three", "four", "five six"],
    ...                   "actor_group": ["un", "other", "un"]})
    >>> s = quote_shares(q, n_boot=0)
    >>> s.set_index("actor_group")["share"].round(3).to_dict()
    {'other': 0.167, 'un': 0.833}
    """
    require_columns(quotes, ("doc_id", "outlet", "quote", "actor_group"), name="quotes")
    words = np.array([len(_WORD_RE.findall(str(t))) for t in quotes["quote"]], dtype=float)
    cats = list(actor_groups) if actor_groups is not None else sorted(quotes["actor_group"].astype(str).unique())
    extra = set(quotes["actor_group"].astype(str)) - set(cats)
    if extra:
        raise ValueError(f"quotes have actor group(s) {sorted(extra)} not in actor_groups={cats}")
    return _shares_table(quotes, _doc_frame(quotes, corpus, group), category="actor_group", weight=words,
                         categories=cats, gname=_group_name(group), n_boot=n_boot, alpha=alpha,
                         random_state=random_state, value_name="words", min_docs=min_docs, caller="quote_shares",
                         counted="quotes")


@renamed_kwargs(by="category")
@_ci_to_alpha(depth=3)
def verb_profile(
    quotes: pd.DataFrame,
    corpus: pd.DataFrame | None = None,
    *,
    group: GroupSpec = "outlet",
    category: str = "verb",
    n_boot: int = 1000,
    alpha: float = 0.05,
    random_state: int | np.random.Generator | None = None,
    min_count: int = 1,
    min_docs: int = MIN_DOCS,
) -> pd.DataFrame:
    """Per group of documents (outlet), the share of attributions made with each speech verb,
    with bootstrap intervals.

    Counts attributed quotes (those with a verb) by verb lemma (``category="verb"``) or by
    verb class (``category="verb_class"``): "neutral" (:data:`NEUTRAL_VERBS`: say, tell,
    add, note, ...) vs "marked" (claim, allege, insist, threaten, warn, ...). Intervals
    resample documents as in :func:`quote_shares`; a group with fewer than ``min_docs``
    documents with attributions gets no interval (NaN) and a
    :class:`framing.stats.SmallGroupWarning`.

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    corpus : DataFrame, optional
        Corpus, so documents without attributions take part in the resampling.
    group : str, mapping, (column, mapping) or None
        How documents are grouped, as in :func:`quote_shares` (default ``"outlet"``).
    category : {"verb", "verb_class"}
        What an attribution is counted as: its verb lemma or its verb class.
    n_boot, alpha, random_state
        Bootstrap replicates, error level (``1 - alpha`` intervals) and seed.
    min_count : int
        Verbs used fewer times than this over all groups are pooled as "other".
    min_docs : int
        Minimum number of documents with attributions for an interval (default 5).

    Returns
    -------
    DataFrame
        The group column (as in :func:`quote_shares`), ``verb`` (or ``verb_class``),
        ``count``, ``share``, ``ci_low``, ``ci_high``, ``n_quotes``, ``n_docs``.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "outlet": "X",
    ...                   "verb": ["say", "claim", "say", None]})
    >>> verb_profile(q, n_boot=0).set_index("verb")["share"].round(3).to_dict()
    {'claim': 0.333, 'say': 0.667}
    >>> verb_profile(q, category="verb_class", n_boot=0).set_index("verb_class")["share"].to_dict()
    {'marked': 0.3333333333333333, 'neutral': 0.6666666666666666}
    """
    require_columns(quotes, ("doc_id", "outlet", "verb"), name="quotes")
    if category not in ("verb", "verb_class"):
        raise ValueError(f"category must be 'verb' or 'verb_class', got {category!r}")
    q = quotes[quotes["verb"].notna()].copy()
    q["verb"] = q["verb"].astype(str)
    if category == "verb_class":
        q["verb_class"] = np.where(q["verb"].isin(NEUTRAL_VERBS), "neutral", "marked")
    elif min_count > 1:
        counts = q["verb"].value_counts()
        rare = set(counts.index[counts < min_count])
        q["verb"] = q["verb"].where(~q["verb"].isin(rare), "other")
    cats = sorted(q[category].unique())
    out = _shares_table(q, _doc_frame(quotes, corpus, group), category=category, weight=np.ones(len(q)),
                        categories=cats, gname=_group_name(group), n_boot=n_boot, alpha=alpha,
                        random_state=random_state, value_name="count", min_docs=min_docs, caller="verb_profile",
                        counted="attributions")
    out["count"] = out["count"].astype("int64")
    return out
