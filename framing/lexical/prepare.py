"""The pieces every contrast shares: the estimator, the groups, the prior, the counts."""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framing._checks import group_labels
from framing.lexical.counts import term_counts
from framing.tokens import LexicalError

__all__ = ["log_odds_dirichlet"]


def log_odds_dirichlet(y_i: Any, n_i: Any, y_j: Any, n_j: Any, alpha: Any,
                       alpha0: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    r"""Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    For a term :math:`w`, with counts :math:`y_w^i, y_w^j` in groups :math:`i, j`, group
    totals :math:`n^i, n^j`, prior :math:`\alpha_w` and :math:`\alpha_0=\sum_w \alpha_w`:

    .. math::

        \delta_w = \log\frac{y_w^i+\alpha_w}{n^i+\alpha_0-y_w^i-\alpha_w}
                 - \log\frac{y_w^j+\alpha_w}{n^j+\alpha_0-y_w^j-\alpha_w},\qquad
        \sigma^2_w \approx \frac{1}{y_w^i+\alpha_w} + \frac{1}{y_w^j+\alpha_w}

    and :math:`z_w = \delta_w/\sigma_w` (paper, eqs. 16 and 18-22).

    Parameters
    ----------
    y_i, y_j : array-like
        Term counts in the two groups (broadcastable against each other).
    n_i, n_j : float or array-like
        Total counts (all terms) of the groups.
    alpha : array-like
        Prior counts :math:`\alpha_w` (> 0).
    alpha0 : float, optional
        :math:`\sum_w\alpha_w` over the *whole* vocabulary; defaults to ``alpha.sum()`` (only
        right when ``alpha`` covers the whole vocabulary).

    Returns
    -------
    delta, var : ndarray

    Examples
    --------
    >>> d, v = log_odds_dirichlet(3, 10, 1, 10, alpha=0.5, alpha0=1.0)
    >>> round(float(d), 4), round(float(v), 4)
    (1.0837, 0.9524)
    """
    alpha = np.asarray(alpha, dtype=float)
    if np.any(~(alpha > 0)):
        raise LexicalError("log_odds_dirichlet: every prior count alpha_w must be > 0")
    a0 = float(alpha.sum()) if alpha0 is None else float(alpha0)
    yi = np.asarray(y_i, dtype=float) + alpha
    yj = np.asarray(y_j, dtype=float) + alpha
    delta = np.log(yi) - np.log(np.asarray(n_i, dtype=float) + a0 - yi) \
        - np.log(yj) + np.log(np.asarray(n_j, dtype=float) + a0 - yj)
    var = 1.0 / yi + 1.0 / yj
    return delta, var



def _group_labels(corpus: pd.DataFrame, group: Any, *, caller: str) -> tuple[np.ndarray, list[str]]:
    """Integer group code per corpus row (-1: not analysed) and the group names (str).

    ``group`` follows the glossary (:func:`framing._checks.group_labels`): a column (groups
    sorted), a mapping ``{value of outlet: label}`` or a ``(column, mapping)`` pair (groups in
    the order their labels first appear in the mapping).
    """
    if isinstance(group, str) and group not in corpus.columns:
        raise LexicalError(f"{caller}: the corpus has no column {group!r} (group=)")
    labels = group_labels(corpus, group, error=LexicalError, name="the corpus")
    present = labels.dropna().astype(str)
    names = group_names(set(present), group, caller=caller)
    lookup = {name: k for k, name in enumerate(names)}
    codes = np.full(len(labels), -1, dtype=np.int64)
    valid = labels.notna().to_numpy()
    codes[valid] = [lookup[v] for v in present]
    return codes, names


def group_names(present: Iterable[str], group: Any, *, caller: str) -> list[str]:
    """The groups of a contrast, in order: the labels found (sorted) for a column, the mapping's
    labels in the order they first appear for a mapping; a mapped label without documents is an
    error. ``present``: the labels (str) of the documents analysed (shared with the Dask path)."""
    present = set(present)
    mapping = group[1] if isinstance(group, tuple) else group if isinstance(group, Mapping) else None
    names = sorted(present) if mapping is None else list(dict.fromkeys(str(v) for v in mapping.values()))
    empty = [n for n in names if n not in present]
    if empty:
        column = group[0] if isinstance(group, tuple) else "outlet" if mapping is not None else group
        raise LexicalError(f"{caller}: no documents for group(s) {empty!r} in column {column!r}")
    return names


def _legacy_groups(column: Any, groups: Sequence[Any] | Mapping[str, Any], *, caller: str) -> tuple[str, dict]:
    """The old ``groups=`` (a list of values, or ``{label: value or values}``) as a glossary
    ``(column, {value: label})`` pair, in the same group order."""
    if not isinstance(column, str):
        raise LexicalError(f"{caller}: groups= (deprecated) needs group= to be a column name, got {column!r}")
    mapping: dict[Any, str] = {}
    if isinstance(groups, Mapping):
        for label, members in groups.items():
            if isinstance(members, str) or not isinstance(members, Iterable):
                members = [members]
            for m in members:
                if m in mapping:
                    raise LexicalError(f"{caller}: value {m!r} of column {column!r} is in two groups "
                                       f"({mapping[m]!r} and {str(label)!r})")
                mapping[m] = str(label)
    else:
        if isinstance(groups, str):
            raise LexicalError(f"{caller}: groups must be a list of values or a mapping, not a string")
        values = list(groups)
        if len({str(g) for g in values}) != len(values):
            raise LexicalError(f"{caller}: groups has duplicates: {values!r}")
        mapping = {g: str(g) for g in values}
    return column, mapping


def accepts_legacy_groups(func: Callable) -> Callable:
    """Decorator: the old ``groups=`` keyword (a selection or ``{label: values}`` mapping of the
    ``group`` column) still works for one release, folded into ``group=(column, mapping)``
    with a DeprecationWarning."""

    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        groups = kwargs.pop("groups", None)
        if groups is not None:
            name = func.__name__
            warnings.warn(f"{name}(groups=...) is deprecated and will be removed in the next release; pass "
                          "group={value: label} (the outlet column) or group=(column, {value: label}) "
                          "(see docs/glossary.md)", DeprecationWarning, stacklevel=2)
            kwargs["group"] = _legacy_groups(kwargs.get("group", "outlet"), groups, caller=name)
        return func(*args, **kwargs)

    return inner


def _contrasts(names: list[str], mode: str, pairs: Sequence[tuple[Any, Any]] | None,
               *, caller: str) -> list[tuple[int, tuple[int, ...], str]]:
    """(group index, other group indices, label of the other side) per contrast."""
    g = len(names)
    if mode == "two":
        if g != 2:
            raise LexicalError(f"{caller}: mode='two' needs exactly two groups, got {g}: {names!r} "
                               "(pass group={value: label} or group=(column, {value: label}), "
                               "or use mode='one-vs-rest'/'pairs')")
        return [(0, (1,), names[1])]
    if g < 2:
        raise LexicalError(f"{caller}: need at least two groups, got {names!r}")
    if mode == "one-vs-rest":
        return [(k, tuple(o for o in range(g) if o != k), "rest") for k in range(g)]
    if mode == "pairs":
        if pairs is None:
            return [(a, (b,), names[b]) for a in range(g) for b in range(a + 1, g)]
        index = {n: k for k, n in enumerate(names)}
        out = []
        for pair in pairs:
            try:
                a, b = pair
            except (TypeError, ValueError):
                raise LexicalError(f"{caller}: each pair must be (group, other), got {pair!r}") from None
            for x in (a, b):
                if str(x) not in index:
                    raise LexicalError(f"{caller}: pair {pair!r}: unknown group {x!r}; groups are {names!r}")
            if str(a) == str(b):
                raise LexicalError(f"{caller}: pair {pair!r} contrasts a group with itself")
            out.append((index[str(a)], (index[str(b)],), str(b)))
        return out
    raise LexicalError(f"{caller}: mode must be 'two', 'one-vs-rest' or 'pairs', got {mode!r}")



def _prior(prior: Any, pooled: np.ndarray, vocab: np.ndarray, scale: float | None, *, vec_kwargs: dict,
           caller: str) -> tuple[np.ndarray, str]:
    """Prior counts alpha_w and a description: shares scaled to sum ``scale``, or raw counts (``scale=None``)."""
    if isinstance(prior, str):
        if prior == "pooled":
            counts, kind = np.asarray(pooled, dtype=float), "pooled"
        elif prior == "uniform":
            if scale is None:
                raise LexicalError(f"{caller}: prior='uniform' needs a number for prior_scale (alpha0; a uniform "
                                   f"c per term is prior_scale = c * number of terms)")
            return np.full(len(vocab), scale / len(vocab)), "uniform"
        else:
            raise LexicalError(f"{caller}: prior must be 'pooled', 'uniform', a background corpus "
                               f"DataFrame or a term-count Series, got {prior!r}")
    elif isinstance(prior, pd.DataFrame):
        X, _ = term_counts(prior, vocabulary=vocab, **vec_kwargs)
        counts = np.asarray(X.sum(axis=0), dtype=float).ravel() + 1.0  # add-one: every term keeps a prior
        kind = f"background corpus ({len(prior)} documents)"
    elif isinstance(prior, pd.Series):
        counts = pd.to_numeric(prior, errors="coerce").reindex(vocab).fillna(0).to_numpy(dtype=float)
        if np.any(counts < 0):
            raise LexicalError(f"{caller}: the prior Series has negative counts")
        counts = counts + 1.0
        kind = "background term counts"
    else:
        raise LexicalError(f"{caller}: prior must be 'pooled', 'uniform', a DataFrame or a Series, "
                           f"got {type(prior).__name__}")
    if scale is None:
        return counts, f"{kind}, raw counts"
    return scale * counts / counts.sum(), kind


def _check_prior_scale(value: Any, *, caller: str, allow_none: bool = True, name: str = "prior_scale") -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or not value > 0:
        raise LexicalError(f"{caller}: {name} must be a number > 0{' or None' if allow_none else ''}, "
                           f"got {value!r}")
    return float(value)


def _prepare(corpus: pd.DataFrame, *, group: Any, mode: str,
             pairs: Sequence[tuple[Any, Any]] | None, ngram_range: tuple[int, int],
             stop_words: str | Iterable[str] | None, counts: tuple[sp.spmatrix, Sequence[str]] | None,
             voice: str, boilerplate: str, sentences: pd.DataFrame | None, caller: str) -> dict[str, Any]:
    """Filter the text, assign the groups, count the terms: everything a contrast needs."""
    from framing.voice import voice_corpus

    try:
        filtered = voice_corpus(corpus, voice=voice, boilerplate=boilerplate, sentences=sentences)
    except ValueError as exc:
        raise LexicalError(f"{caller}: {exc}") from None
    if counts is not None and not filtered["text"].equals(corpus["text"]):
        raise LexicalError(f"{caller}: counts= were computed on unfiltered text, but voice={voice!r}, "
                           f"boilerplate={boilerplate!r} changes it; pass corpus=framing.voice_corpus(corpus, "
                           "voice=..., boilerplate=...) and counts=term_counts(that corpus)")
    corpus = filtered
    codes, names = _group_labels(corpus, group, caller=caller)
    contrasts = _contrasts(names, mode, pairs, caller=caller)

    if counts is None:
        X_all, vocab = term_counts(corpus, ngram_range=ngram_range, stop_words=stop_words)
    else:
        try:
            X_all, vocab = counts
        except (TypeError, ValueError):
            raise LexicalError(f"{caller}: counts must be (matrix, vocabulary) from term_counts()") from None
        X_all = sp.csr_matrix(X_all)
        vocab = np.asarray(vocab, dtype=object)
        if X_all.shape != (len(corpus), len(vocab)):
            raise LexicalError(f"{caller}: counts has shape {X_all.shape}, expected "
                               f"({len(corpus)} documents, {len(vocab)} terms)")
    rows = np.flatnonzero(codes >= 0)
    lab = codes[rows]
    X = X_all[rows]
    G = len(names)
    onehot = sp.csr_matrix((np.ones(len(rows)), (lab, np.arange(len(rows)))), shape=(G, len(rows)))
    Y = np.asarray((onehot @ X).todense(), dtype=float)              # G x V counts
    pooled = Y.sum(axis=0)
    present = np.flatnonzero(pooled > 0)                               # drop terms unused here
    if len(present) == 0:
        raise LexicalError(f"{caller}: no terms in the documents analysed")
    if len(present) < len(vocab):
        X, Y, vocab, pooled = X[:, present], Y[:, present], vocab[present], pooled[present]
    D = np.asarray((onehot @ (X > 0).astype(np.float64)).todense())  # G x V documents with term
    return {"corpus": corpus, "names": names, "contrasts": contrasts, "X": X, "vocab": vocab, "lab": lab,
            "rows": rows, "n_docs": np.bincount(lab, minlength=G), "Y": Y, "D": D, "N": Y.sum(axis=1), "pooled": pooled,
            "vec_kwargs": {"ngram_range": ngram_range, "stop_words": stop_words}}


def _observed(prep: dict[str, Any], a: np.ndarray, a0: float, min_count: int, min_docs: int) -> list[dict]:
    """delta and var of the tested terms of every contrast."""
    Y, D, N = prep["Y"], prep["D"], prep["N"]
    obs = []
    for gi, others, other_label in prep["contrasts"]:
        yi, yj = Y[gi], Y[list(others)].sum(axis=0)
        keep = np.flatnonzero((yi + yj >= min_count) & (D[gi] + D[list(others)].sum(axis=0) >= min_docs))
        ni, nj = float(N[gi]), float(N[list(others)].sum())
        delta, var = log_odds_dirichlet(yi[keep], ni, yj[keep], nj, a[keep], a0)
        obs.append({"gi": gi, "others": others, "other": other_label, "keep": keep, "yi": yi[keep],
                    "yj": yj[keep], "ni": ni, "nj": nj, "di": D[gi, keep],
                    "dj": D[list(others)][:, keep].sum(axis=0), "delta": delta, "var": var})
    return obs


def observed_from_totals(Y: np.ndarray, D: np.ndarray, n_docs: np.ndarray, names: list[str], vocab: np.ndarray, *,
                         mode: str, pairs: Sequence[tuple[Any, Any]] | None, prior: Any, prior_scale: float | None,
                         min_count: int, min_docs: int, vec_kwargs: dict, caller: str
                         ) -> tuple[dict[str, Any], list[dict], np.ndarray, float, str]:
    """Every contrast's estimates from group totals alone (the Dask path's sums).

    ``Y``/``D``: groups x terms counts and documents with the term; terms unused by every
    group are dropped as :func:`_prepare` drops them. Returns the ``prep`` record (without
    per-document counts), the observed contrasts, the prior counts, ``alpha0`` and the
    prior's description.
    """
    scale = _check_prior_scale(prior_scale, caller=caller)
    pooled = Y.sum(axis=0)
    present = np.flatnonzero(pooled > 0)
    if len(present) == 0:
        raise LexicalError(f"{caller}: no terms in the documents analysed")
    Y, D, vocab, pooled = Y[:, present], D[:, present], vocab[present], pooled[present]
    prep = {"names": names, "contrasts": _contrasts(names, mode, pairs, caller=caller), "vocab": vocab,
            "Y": Y, "D": D, "N": Y.sum(axis=1), "pooled": pooled, "n_docs": n_docs, "vec_kwargs": vec_kwargs}
    a, prior_kind = _prior(prior, pooled, vocab, scale, vec_kwargs=vec_kwargs, caller=caller)
    a0 = float(a.sum()) if scale is None else scale
    return prep, _observed(prep, a, a0, min_count, min_docs), a, a0, prior_kind
