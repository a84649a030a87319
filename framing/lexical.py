"""Lexical framing contrasts: tokens, term counts, Fightin' Words, concordances.

Which words does one outlet use more than another? :func:`fightin_words` answers with the
log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi & Quinn (2008) and adds
what the token-level z-score lacks: a *document-level* test. A term used 40 times in one
article looks overwhelmingly "significant" to a test that treats every token as independent;
a permutation test that shuffles the outlet labels of whole articles does not fall for it,
and it is what ``q`` and ``significant`` come from (by default).

Pieces
------
- :func:`tokenize`, :data:`TOKEN_PATTERN`, :func:`build_vectorizer`, :func:`term_counts`:
  the project's one tokenisation (the alignment module reuses it).
- :func:`log_odds_dirichlet`: the Monroe et al. estimator on count vectors.
- :func:`fightin_words`: tidy contrasts between groups of documents, tested by permuting
  the group labels of whole documents (Benjamini-Hochberg q-values), with optional
  document-level bootstrap intervals.
- :func:`prior_sensitivity`: the same contrasts under several Dirichlet priors, to see how
  much the ranking owes to that choice.
- :func:`concordance`: keyword-in-context lines for a term or a lexicon marker, so every
  count can be read in context.
- :func:`benchmark`: timing and memory of the whole contrast on a real corpus.

Framing-marker counts (naming variants, scare quotes, hedges) live in :mod:`framing.markers`.

References
----------
Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature
selection and evaluation for identifying the content of political conflict. *Political
Analysis*, 16(4), 372-403.

Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
powerful approach to multiple testing. *JRSS B*, 57(1), 289-300.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.special import ndtri
from sklearn.feature_extraction.text import CountVectorizer

from framing.stats import as_rng as _rng, fdr_bh

__all__ = [
    "TOKEN_PATTERN",
    "LexicalError",
    "tokenize",
    "build_vectorizer",
    "term_counts",
    "log_odds_dirichlet",
    "fightin_words",
    "prior_sensitivity",
    "concordance",
    "benchmark",
]

# --------------------------------------------------------------------------------------------
# tokenisation
# --------------------------------------------------------------------------------------------

#: Token pattern applied after :func:`normalize_punctuation`. A token is either an
#: abbreviation of single letters with full stops ("U.S.", "U.N.", "e.g.") or a run of word
#: characters (``\w``: letters, digits, underscore; any script), which may continue through
#: internal hyphens ("so-called", "kiev-based", "pro-russian") and internal apostrophes
#: ("don't", "o'clock"). A trailing possessive ``'s`` is *not* part of the token: "Russia's"
#: gives "russia". Group 1 is the token.
TOKEN_PATTERN = r"((?:[^\W\d_]\.){2,}|\w+(?:-\w+|'(?![sS]\b)\w+)*)(?:'[sS]\b)?"
_TOKEN_RE = re.compile(TOKEN_PATTERN)

# typographic apostrophes / hyphens folded to ASCII before matching
_FOLD = (("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("\u2010", "-"), ("\u2011", "-"))


class LexicalError(ValueError):
    """Bad input to a lexical function (missing column, unknown group, bad option)."""


def normalize_punctuation(text: str) -> str:
    """Fold typographic apostrophes (’ ‘ ʼ) to ``'`` and Unicode hyphens (‐ ‑) to ``-``.

    Character offsets are unchanged (each replacement is one character for one).
    """
    for a, b in _FOLD:
        if a in text:
            text = text.replace(a, b)
    return text


def tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Split a text into word tokens, the way every lexical count in ``framing`` does.

    Rules (see :data:`TOKEN_PATTERN`):

    - tokens are runs of letters/digits (any script; ``_`` counts as a letter), or
      abbreviations of single letters with full stops: "U.S." gives "u.s." (not "u", "s");
    - hyphenated words stay whole: "so-called", "Kiev-based" (so "Kiev-based" is the token
      "kiev-based", not "kiev"; marker matching in :mod:`framing.markers` does count it as
      Kiev);
    - internal apostrophes stay: "don't", "o'clock"; typographic apostrophes count as ``'``;
    - the possessive ``'s`` is dropped: "Russia's" and "Russia’s" give "russia" (so "it's"
      gives "it" too); a plural possessive "states'" gives "states";
    - punctuation, quotes and whitespace separate tokens and are dropped.

    Parameters
    ----------
    text : str
        The text.
    lowercase : bool
        Lower-case before splitting (default True).

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("Russia's so-called ‘referendums’ in Kyiv’s suburbs don't count for the U.S.")
    ['russia', 'so-called', 'referendums', 'in', 'kyiv', 'suburbs', "don't", 'count', 'for', 'the', 'u.s.']
    >>> tokenize("Kiev-based", lowercase=False)
    ['Kiev-based']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize() needs a str, got {type(text).__name__}")
    if lowercase:
        text = text.lower()
    return _TOKEN_RE.findall(normalize_punctuation(text))


def _resolve_stop_words(stop_words: str | Iterable[str] | None) -> list[str] | None:
    if stop_words is None:
        return None
    if isinstance(stop_words, str):
        if stop_words != "english":
            raise LexicalError(f"stop_words must be None, 'english' or a list of words, got {stop_words!r}")
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        words: Iterable[str] = ENGLISH_STOP_WORDS
    else:
        words = stop_words
    # stop words pass through the same tokenizer, so "Russia's" in a list still removes "russia"
    out: set[str] = set()
    for w in words:
        if not isinstance(w, str):
            raise LexicalError(f"stop_words must contain strings, got {w!r}")
        out.update(tokenize(w))
    return sorted(out)


def build_vectorizer(*, ngram_range: tuple[int, int] = (1, 1), stop_words: str | Iterable[str] | None = None,
                     min_df: int | float = 1, max_df: int | float = 1.0, lowercase: bool = True,
                     vocabulary: Iterable[str] | None = None, binary: bool = False) -> CountVectorizer:
    """A scikit-learn :class:`~sklearn.feature_extraction.text.CountVectorizer` using :func:`tokenize`.

    Parameters
    ----------
    ngram_range : (int, int)
        Smallest and largest n-gram length, e.g. ``(1, 3)`` for unigrams to trigrams. N-grams
        are joined with a space ("special military operation") and are built *after* stop
        words are removed (so "war on terror" gives the bigram "war terror" when "on" is a stop
        word).
    stop_words : None, "english" or list of str
        Words to drop (scikit-learn's English list for ``"english"``); the list is passed
        through :func:`tokenize` so it follows the same rules.
    min_df, max_df : int or float
        Document-frequency limits, as in scikit-learn (int: documents, float: share).
    lowercase : bool
        Lower-case before tokenising.
    vocabulary : iterable of str, optional
        Fixed vocabulary (e.g. to count a background corpus on the same terms).
    binary : bool
        Count presence (0/1) instead of frequency.

    Returns
    -------
    CountVectorizer
        Not fitted.

    Examples
    --------
    >>> v = build_vectorizer(ngram_range=(1, 2))
    >>> X = v.fit_transform(["Kyiv's so-called vote", "the so-called vote"])
    >>> list(v.get_feature_names_out())
    ['kyiv', 'kyiv so-called', 'so-called', 'so-called vote', 'the', 'the so-called', 'vote']
    """
    lo, hi = ngram_range
    if not (isinstance(lo, (int, np.integer)) and isinstance(hi, (int, np.integer)) and 1 <= lo <= hi):
        raise LexicalError(f"ngram_range must be (min, max) with 1 <= min <= max, got {ngram_range!r}")
    return CountVectorizer(
        tokenizer=functools.partial(tokenize, lowercase=lowercase),
        token_pattern=None,
        lowercase=False,
        stop_words=_resolve_stop_words(stop_words),
        ngram_range=(int(lo), int(hi)),
        min_df=min_df,
        max_df=max_df,
        vocabulary=None if vocabulary is None else list(vocabulary),
        binary=binary,
        dtype=np.int64,
    )


def _texts(corpus: pd.DataFrame, column: str = "text", *, caller: str) -> list[str]:
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"{caller}: corpus must be a pandas DataFrame, got {type(corpus).__name__}")
    if column not in corpus.columns:
        raise LexicalError(f"{caller}: the corpus has no column {column!r}")
    values = corpus[column].tolist()
    for i, t in enumerate(values):
        if not isinstance(t, str):
            where = f"doc_id {corpus['doc_id'].iloc[i]!r}" if "doc_id" in corpus.columns else f"row {i}"
            raise LexicalError(f"{caller}: {where}, column {column!r}: expected text, got {t!r}")
    return values


def term_counts(corpus: pd.DataFrame, *, ngram_range: tuple[int, int] = (1, 1),
                stop_words: str | Iterable[str] | None = None, min_df: int | float = 1,
                max_df: int | float = 1.0, lowercase: bool = True, vocabulary: Iterable[str] | None = None,
                column: str = "text") -> tuple[sp.csr_matrix, np.ndarray]:
    """Document-term count matrix of a corpus (rows in the corpus's order).

    Parameters
    ----------
    corpus : DataFrame
        A corpus with a ``text`` column (or ``column``).
    ngram_range, stop_words, min_df, max_df, lowercase, vocabulary
        See :func:`build_vectorizer`.
    column : str
        Text column (default ``"text"``; use ``"title"`` for headlines).

    Returns
    -------
    X : scipy.sparse.csr_matrix of int64, shape (n_docs, n_terms)
    vocabulary : ndarray of str, shape (n_terms,)
        Term of each column, sorted.

    Examples
    --------
    >>> c = pd.DataFrame({"text": ["Kyiv's vote", "the vote, the vote"]})
    >>> X, vocab = term_counts(c)
    >>> list(vocab), X.toarray().tolist()
    (['kyiv', 'the', 'vote'], [[1, 0, 1], [0, 2, 2]])
    """
    texts = _texts(corpus, column, caller="term_counts")
    vec = build_vectorizer(ngram_range=ngram_range, stop_words=stop_words, min_df=min_df, max_df=max_df,
                           lowercase=lowercase, vocabulary=vocabulary)
    if not texts:
        raise LexicalError("term_counts: the corpus is empty")
    try:
        X = vec.fit_transform(texts)
    except ValueError as exc:  # e.g. "empty vocabulary"
        raise LexicalError(f"term_counts: {exc}") from None
    vocab = np.asarray(vec.get_feature_names_out(), dtype=object)
    return sp.csr_matrix(X, dtype=np.int64), vocab


# --------------------------------------------------------------------------------------------
# the estimator
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# fightin' words
# --------------------------------------------------------------------------------------------

# dense blocks of at most this many float64s are held at once in the resampling loops
_BLOCK = 1 << 23


def _group_labels(corpus: pd.DataFrame, group: str,
                  groups: Sequence[Any] | Mapping[str, Any] | None, *, caller: str) -> tuple[np.ndarray, list[str]]:
    """Integer group code per corpus row (-1: not analysed) and the group names."""
    if group not in corpus.columns:
        raise LexicalError(f"{caller}: the corpus has no column {group!r} (group=)")
    values = corpus[group].to_numpy(dtype=object)
    codes = np.full(len(values), -1, dtype=np.int64)
    if groups is None:
        present = pd.Series(values).dropna()
        names = sorted({str(v) for v in present})
        lookup = {name: k for k, name in enumerate(names)}
        for r, v in enumerate(values):
            if not pd.isna(v):
                codes[r] = lookup[str(v)]
    elif isinstance(groups, Mapping):
        names = [str(k) for k in groups]
        owner: dict[Any, int] = {}
        for k, (label, members) in enumerate(groups.items()):
            if isinstance(members, str) or not isinstance(members, Iterable):
                members = [members]
            for m in members:
                if m in owner:
                    raise LexicalError(f"{caller}: value {m!r} of column {group!r} is in two groups "
                                       f"({names[owner[m]]!r} and {str(label)!r})")
                owner[m] = k
        for r, v in enumerate(values):
            codes[r] = owner.get(v, -1)
    else:
        if isinstance(groups, str):
            raise LexicalError(f"{caller}: groups must be a list of values or a mapping, not a string")
        groups = list(groups)
        names = [str(g) for g in groups]
        if len(set(names)) != len(names):
            raise LexicalError(f"{caller}: groups has duplicates: {groups!r}")
        lookup = {g: k for k, g in enumerate(groups)}
        for r, v in enumerate(values):
            codes[r] = lookup.get(v, -1)
    sizes = np.bincount(codes[codes >= 0], minlength=len(names))
    empty = [n for n, s in zip(names, sizes) if s == 0]
    if empty:
        raise LexicalError(f"{caller}: no documents for group(s) {empty!r} in column {group!r}")
    return codes, names


def _contrasts(names: list[str], mode: str, pairs: Sequence[tuple[Any, Any]] | None,
               *, caller: str) -> list[tuple[int, tuple[int, ...], str]]:
    """(group index, other group indices, label of the other side) per contrast."""
    g = len(names)
    if mode == "two":
        if g != 2:
            raise LexicalError(f"{caller}: mode='two' needs exactly two groups, got {g}: {names!r} "
                               "(pass groups=[a, b] or a mapping, or use mode='one-vs-rest'/'pairs')")
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


def _prepare(corpus: pd.DataFrame, *, group: str, groups: Sequence[Any] | Mapping[str, Any] | None, mode: str,
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
    codes, names = _group_labels(corpus, group, groups, caller=caller)
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
            "Y": Y, "D": D, "N": Y.sum(axis=1), "pooled": pooled,
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


#: Default number of label permutations of :func:`fightin_words` (the test behind ``q``/``significant``).
DEFAULT_PERMUTATIONS = 1000


def fightin_words(corpus: pd.DataFrame, *, group: str = "outlet",
                  groups: Sequence[Any] | Mapping[str, Any] | None = None, mode: str = "one-vs-rest",
                  pairs: Sequence[tuple[Any, Any]] | None = None, ngram_range: tuple[int, int] = (1, 1),
                  stop_words: str | Iterable[str] | None = None,
                  prior: str | pd.DataFrame | pd.Series = "pooled", prior_scale: float | None = 500.0,
                  min_count: int = 5, min_docs: int = 1, min_effect: float = 0.0, bootstrap: int = 0,
                  permutations: int = DEFAULT_PERMUTATIONS,
                  alpha: float = 0.05, random_state: int | np.random.Generator | None = None,
                  counts: tuple[sp.spmatrix, Sequence[str]] | None = None, voice: str = "all",
                  boilerplate: str = "drop", sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""Fightin' Words: which terms distinguish one group of documents from another.

    Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
    sec. 3.5) as the *estimate*, and a permutation test that shuffles the group labels of
    whole documents as the *test*: ``q`` and ``significant`` come from the permutation
    p-values only, never from the token-level z or the bootstrap.

    **Estimator.** For a contrast of group :math:`i` against :math:`j` (one group, or the union
    of the other groups), with :math:`y_w^i` the count of term :math:`w` in the documents of
    :math:`i`, :math:`n^i=\sum_w y_w^i` the total count (all terms of the vocabulary),
    :math:`\alpha_w` the prior count of :math:`w` and :math:`\alpha_0=\sum_w\alpha_w`:

    .. math::

        \delta_w = \log\frac{y_w^i+\alpha_w}{n^i+\alpha_0-y_w^i-\alpha_w}
                 - \log\frac{y_w^j+\alpha_w}{n^j+\alpha_0-y_w^j-\alpha_w}

        \sigma^2_w \approx \frac{1}{y_w^i+\alpha_w} + \frac{1}{y_w^j+\alpha_w},\qquad
        z_w = \delta_w / \sigma_w .

    :math:`\delta_w>0` means :math:`w` is relatively more frequent in ``group`` than in
    ``other``. :math:`z_w` treats every *token* as an independent draw: it ranks terms, it
    does not test them (a word repeated forty times in one article gets a large z).

    **Prior: a choice, not a standard.** :math:`\alpha_w = \texttt{prior\_scale}\cdot\pi_w`,
    with :math:`\pi_w` the share of :math:`w` among all counted tokens of the documents
    analysed (``prior="pooled"``, shrinking toward the whole corpus's frequencies), or
    :math:`\pi_w = 1/V` (``"uniform"``), or the share of :math:`w` in a background corpus (a
    corpus DataFrame, counted with the same tokenisation, or a term-count Series; add-one
    smoothed so that terms absent from the background keep a positive prior). Then
    :math:`\alpha_0 = \texttt{prior\_scale}`. With ``prior_scale=None`` the counts are used
    as they are: :math:`\alpha_w` is the term's count in the documents analysed (or in the
    background, plus one), and :math:`\alpha_0` their total. Monroe et al. (sec. 3.5) shape
    the informative prior on the word frequencies of a larger collection and treat its size,
    :math:`\alpha_0` pseudo-tokens, as a modelling choice: a larger :math:`\alpha_0` pulls
    :math:`\delta_w` of rare terms harder toward 0 and moves them down the z ranking. Published
    implementations choose very differently (their public code, checked 2026-11-30):

    - J. Hessel's ``FightingWords`` script and Scattertext's
      ``LogOddsRatioUninformativeDirichletPrior``: a uniform :math:`\alpha_w = 0.01` per term
      (``prior="uniform", prior_scale=0.01 * V``);
    - D. Jurafsky's ``bayes.py`` (used by Jurafsky et al. 2014) and ``kornosk/log-odds-ratio``:
      the raw counts of a background corpus, :math:`\alpha_0` = its size (a background
      corpus with ``prior_scale=None``); without a background corpus, ``log-odds-ratio`` uses
      the two corpora's own counts, as does R's ``tidylo`` (``prior="pooled",
      prior_scale=None``);
    - Scattertext's ``LogOddsRatioInformativeDirichletPrior``: background counts plus a small
      starting count, used raw by default, or rescaled in proportion to the class size or the
      corpus size, or to sum to ``sigma`` (default 10; described there as the original
      formulation).

    The default here, pooled shares with :math:`\alpha_0 = 500`, is one choice in that range,
    weaker than raw counts and stronger than 0.01 per term on frequent words. The z ranking
    (not the permutation test's validity) depends on it: :func:`prior_sensitivity` shows by
    how much for a given corpus. With the same :math:`\alpha_w` in both groups a term absent
    from both gets :math:`\delta_w=\log\frac{n^j+\alpha_0-\alpha_w}{n^i+\alpha_0-\alpha_w}`,
    which is not 0 when the groups differ in size.

    **Permutation test** (``permutations=P``, default 1000; the test behind ``q`` and
    ``significant``): the group labels of the documents in the contrast are shuffled (group
    sizes in documents kept), :math:`\delta_w` is recomputed, and the two-sided p-value is
    :math:`p=(b+1)/(P+1)` with :math:`b` the number of permutations with
    :math:`|\delta^*_w|\ge|\delta_w|`. Documents, not tokens, are exchanged, so a term
    concentrated in a few articles is judged by how its articles fall, and the p-value is
    valid (not anti-conservative) whatever the burstiness, when documents are exchangeable
    under the null. ``q`` are Benjamini-Hochberg q-values over the tested terms of each
    contrast separately. The smallest possible p is :math:`1/(P+1)`, so among :math:`m`
    tested terms BH can flag :math:`k` terms only if :math:`m/(k(P+1)) < \alpha`: with many
    tested terms, raise ``min_count``/``min_docs`` (filters blind to the labels) or
    ``permutations``. With ``permutations=0`` nothing is tested: there is no ``q`` and
    ``significant`` is NA.

    **Document-level bootstrap** (``bootstrap=B``, default 0: descriptive only): each replicate
    resamples whole documents *within each group* with replacement (the "rest" of a
    one-vs-rest contrast is resampled stratified by its member groups), recomputes all
    counts and totals, and :math:`\delta_w`; ``ci_low``/``ci_high`` are the :math:`\alpha/2`
    and :math:`1-\alpha/2` percentiles of the replicates (the prior is held fixed), and
    ``sign_stability`` is the share of replicates in which the difference of relative
    frequencies :math:`y_w^{i*}/n^{i*} - y_w^{j*}/n^{j*}` has the same sign as in the data
    (a replicate with a difference of 0, e.g. one that misses every document with the term,
    does not count as the same sign). Neither is a test, and neither feeds ``q`` or
    ``significant``: the bootstrap is centred on the data, not on a null, so under no
    difference at all ``sign_stability`` is still often close to 1, above all with few
    documents in a group or a term found in few documents (a term absent from one group
    never changes sign). The interval is also unreliable for terms in few documents: in
    replicates that miss them the term is absent from both sides and :math:`\delta_w` takes
    the value above.

    Both resamplings are vectorised: resampled group totals are products of the
    document-term matrix with resampling weights, computed in blocks of terms.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``text`` and the ``group`` column.
    group : str
        Column that defines the groups (``"outlet"``, ``"es11_4_vote"``...).
    groups : list or mapping, optional
        Which values to analyse and in which order (documents with other values are left out),
        or a mapping ``{label: value or list of values}`` that pools values, e.g.
        ``{"RT": "RT", "US": ["ABC", "CBS", "Fox"]}``. Default: every non-missing value,
        sorted. Group labels in the result are strings.
    mode : {"two", "one-vs-rest", "pairs"}
        ``"two"``: the first group against the second (exactly two groups);
        ``"one-vs-rest"``: each group against all the others pooled (``other="rest"``);
        ``"pairs"``: each pair in ``pairs`` (default: all pairs, each once).
    pairs : list of (group, other), optional
        Contrasts for ``mode="pairs"``.
    ngram_range, stop_words
        Tokenisation, see :func:`build_vectorizer` (ignored for the counts when ``counts`` is
        given, but still used to count a background-corpus prior).
    prior : "pooled", "uniform", DataFrame or Series
        Prior shares :math:`\pi_w` (see above).
    prior_scale : float or None
        :math:`\alpha_0`, the total prior count (default 500), or None for raw prior counts.
    min_count : int
        Only terms with ``count_group + count_other >= min_count`` are reported and tested
        (the prior and totals still use every term).
    min_docs : int
        ... and found in at least ``min_docs`` documents of the contrast. Both filters ignore
        the group labels, so they do not bias the tests (independent filtering, Bourgon,
        Gentleman & Huber 2010, *PNAS* 107(21)); they raise the power of the BH step by
        leaving out terms too rare for a document-level test to support.
    min_effect : float
        A term is ``significant`` only if also :math:`|\delta_w|\ge` ``min_effect``.
    bootstrap : int
        Number of document-level bootstrap replicates (0: none), for ``ci_low``, ``ci_high``
        and ``sign_stability``.
    permutations : int
        Number of label permutations (default 1000; 0: no test, ``significant`` is NA).
    alpha : float
        Level: CI coverage is :math:`1-\alpha`; ``significant`` is ``q < alpha``.
    random_state : int or numpy Generator, optional
        Seed for the resampling (the default None gives different p-values on each call).
    counts : (sparse matrix, vocabulary), optional
        Precomputed :func:`term_counts` output for the rows of ``corpus`` (saves re-tokenising
        when running several contrasts). With ``voice``/``boilerplate`` filtering, count the
        filtered corpus (``term_counts(framing.voice_corpus(corpus, ...))``) and pass that
        corpus.
    voice : {"all", "own", "attributed"}
        Whose words are counted (:func:`framing.voice_corpus`). Default ``"all"``: which
        words an outlet prints, reported speech included, is a topical question; use
        ``"own"`` for the outlet's own vocabulary.
    boilerplate : {"drop", "keep"}
        Leave out boilerplate sentences (:func:`framing.find_boilerplate`: stock lines
        repeated across an outlet's articles, page furniture) or keep them.
    sentences : DataFrame, optional
        The corpus's sentence table with voice/boilerplate columns, to reuse them.

    Returns
    -------
    DataFrame
        One row per tested term and contrast, sorted by contrast then descending ``z``:
        ``term``, ``group``, ``other``, ``count_group``, ``count_other``, ``docs_group``,
        ``docs_other`` (documents containing the term), ``delta``, ``var``, ``z``; with
        ``bootstrap``: ``ci_low``, ``ci_high``, ``sign_stability``; with ``permutations``:
        ``p_perm`` and ``q`` (Benjamini-Hochberg per contrast); and ``significant``:
        ``q < alpha`` (and :math:`|\delta_w|\ge` ``min_effect``) with ``permutations``, else
        NA (pandas' nullable boolean: not tested). ``attrs`` records the settings, group
        sizes, the rule behind ``significant``, the smallest attainable p (``p_floor``), and
        the text counted (``voice``, ``boilerplate``, ``text_filter``, ``excluded``).

    See Also
    --------
    prior_sensitivity : the z ranking under several priors.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature
    selection and evaluation for identifying the content of political conflict. *Political
    Analysis*, 16(4), 372-403.

    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
    powerful approach to multiple testing. *JRSS B*, 57(1), 289-300.

    Examples
    --------
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B", "B"],
    ...                   "text": ["the sham vote", "a sham referendum vote",
    ...                            "the vote", "a referendum held"]})
    >>> fw = fightin_words(c, mode="two", min_count=2, prior="uniform", prior_scale=1.0, random_state=0)
    >>> fw[["term", "group", "other", "count_group", "count_other"]].head(2).values.tolist()
    [['sham', 'A', 'B', 2, 0], ['vote', 'A', 'B', 2, 1]]
    >>> bool(fw["z"].iloc[0] > 0), bool(fw["significant"].any())  # two documents a side: no test can tell
    (True, False)
    >>> fightin_words(c, mode="two", min_count=2, permutations=0)["significant"].isna().all()
    np.True_
    """
    caller = "fightin_words"
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"{caller}: corpus must be a pandas DataFrame, got {type(corpus).__name__}")
    for name, value in (("bootstrap", bootstrap), ("permutations", permutations), ("min_count", min_count),
                        ("min_docs", min_docs)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise LexicalError(f"{caller}: {name} must be a non-negative int, got {value!r}")
    if not 0 < alpha < 1:
        raise LexicalError(f"{caller}: alpha must be in (0, 1), got {alpha!r}")
    scale = _check_prior_scale(prior_scale, caller=caller)
    prep = _prepare(corpus, group=group, groups=groups, mode=mode, pairs=pairs, ngram_range=ngram_range,
                    stop_words=stop_words, counts=counts, voice=voice, boilerplate=boilerplate,
                    sentences=sentences, caller=caller)
    corpus, names, X, vocab, lab, N = (prep[k] for k in ("corpus", "names", "X", "vocab", "lab", "N"))
    G = len(names)
    a, prior_kind = _prior(prior, prep["pooled"], vocab, scale, vec_kwargs=prep["vec_kwargs"], caller=caller)
    a0 = float(a.sum()) if scale is None else scale

    obs = _observed(prep, a, a0, min_count, min_docs)
    rng = _rng(random_state)
    if bootstrap:
        _bootstrap_ci(obs, X, lab, G, a, a0, int(bootstrap), alpha, rng)
    if permutations:
        _permutation_p(obs, X, lab, a, a0, int(permutations), rng)

    frames = []
    for o in obs:
        z = o["delta"] / np.sqrt(o["var"])
        f = pd.DataFrame({
            "term": pd.array(vocab[o["keep"]].astype(str), dtype="str"),
            "group": names[o["gi"]], "other": o["other"],
            "count_group": o["yi"].astype(np.int64), "count_other": o["yj"].astype(np.int64),
            "docs_group": o["di"].astype(np.int64), "docs_other": o["dj"].astype(np.int64),
            "delta": o["delta"], "var": o["var"], "z": z,
        })
        if bootstrap:
            f["ci_low"], f["ci_high"], f["sign_stability"] = o["ci_low"], o["ci_high"], o["sign_stability"]
        if permutations:
            f["p_perm"] = o["p_perm"]
            f["q"] = fdr_bh(o["p_perm"])
            f["significant"] = (f["q"].to_numpy() < alpha) & (np.abs(o["delta"]) >= min_effect)
        else:
            f["significant"] = pd.array([pd.NA] * len(f), dtype="boolean")
        frames.append(f.sort_values(["z", "term"], ascending=[False, True], kind="stable"))
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {
        "method": "fightin_words",
        "group": group, "mode": mode, "groups": names,
        "contrasts": [(names[o["gi"]], o["other"]) for o in obs],
        "prior": prior_kind, "prior_scale": a0, "ngram_range": tuple(ngram_range),
        "min_count": int(min_count), "min_docs": int(min_docs), "min_effect": float(min_effect),
        "bootstrap": int(bootstrap), "permutations": int(permutations), "alpha": float(alpha),
        "significance": ("permutation test of delta (document labels shuffled), Benjamini-Hochberg q < alpha "
                         "per contrast" if permutations else
                         "not tested (permutations=0): significant is NA"),
        "p_floor": 1.0 / (int(permutations) + 1) if permutations else None,
        "n_docs": {n: int((lab == k).sum()) for k, n in enumerate(names)},
        "n_tokens": {n: int(N[k]) for k, n in enumerate(names)},
        "random_state": None if random_state is None else repr(random_state),
        "voice": voice, "boilerplate": boilerplate,
        "text_filter": corpus.attrs.get("text_filter"), "excluded": corpus.attrs.get("excluded"),
    }
    return out


def _setting_label(kind: str, a0: float, *, per_term: float | None = None, raw: bool = False) -> str:
    if per_term is not None:
        return f"uniform, {per_term:g} per term (α0={a0:,.4g})"
    if raw:
        return f"{kind.removesuffix(', raw counts')}, raw counts (α0={a0:,.0f})"
    return f"{kind}, α0={a0:g}"


def prior_sensitivity(corpus: pd.DataFrame, *, prior_scales: Sequence[float | None] = (10.0, 100.0, 500.0, 5000.0,
                                                                                       None),
                      prior: str | pd.DataFrame | pd.Series = "pooled", per_term: Sequence[float] = (0.01,),
                      reference: float | None = 500.0, top: int = 20, group: str = "outlet",
                      groups: Sequence[Any] | Mapping[str, Any] | None = None, mode: str = "one-vs-rest",
                      pairs: Sequence[tuple[Any, Any]] | None = None, ngram_range: tuple[int, int] = (1, 1),
                      stop_words: str | Iterable[str] | None = None, min_count: int = 5, min_docs: int = 1,
                      counts: tuple[sp.spmatrix, Sequence[str]] | None = None, voice: str = "all",
                      boilerplate: str = "drop", sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""How much the Fightin' Words ranking depends on the Dirichlet prior.

    The log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008)
    needs a prior, and its size :math:`\alpha_0` is the analyst's choice; published
    implementations range from 0.01 pseudo-counts per term to the raw counts of a whole
    background corpus (see :func:`fightin_words`, "Prior"). This function computes
    :math:`\delta_w` and :math:`z_w` of every tested term under several priors, on the same
    counts, and ranks the terms under each, so that a finding can be checked against the
    choice: a term that leads the list only under one prior is a finding about the prior.
    Nothing is resampled (the permutation test of :func:`fightin_words` is valid under any
    of these priors; only the ranking, and the power for rare terms, changes).

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``text`` and the ``group`` column.
    prior_scales : sequence of float or None
        :math:`\alpha_0` values for ``prior`` (see :func:`fightin_words`); None stands for raw
        prior counts (:math:`\alpha_w` = the term's count; ``prior="pooled"``: in the
        documents analysed, as in R's tidylo; a background corpus: there, plus one).
    prior : "pooled", "uniform", DataFrame or Series
        Prior shares for ``prior_scales``.
    per_term : sequence of float
        Also a uniform prior of this many pseudo-counts per term (:math:`\alpha_0` = value
        times the number of terms), for each value; 0.01 is the default of J. Hessel's
        ``FightingWords`` and of Scattertext's uninformative prior. ``()`` for none.
    reference : float or None
        The ``prior_scales`` entry the others are compared with (default 500, the
        :func:`fightin_words` default); must be in ``prior_scales``.
    top : int
        Size of the top lists (each side) compared in ``attrs["agreement"]``.
    group, groups, mode, pairs, ngram_range, stop_words, min_count, min_docs, counts, voice, boilerplate, sentences
        As in :func:`fightin_words` (the same terms are tested under every prior).

    Returns
    -------
    DataFrame
        One row per contrast, term and prior setting: ``group``, ``other``, ``term``,
        ``setting`` (label), ``prior``, ``prior_scale`` (:math:`\alpha_0`), ``alpha_w`` (the
        term's prior count), ``count_group``, ``count_other``, ``delta``, ``z``, ``rank``
        (1 = highest z, i.e. most characteristic of ``group``, within contrast and setting),
        ``reference`` (True for the reference setting). Settings are ordered by
        :math:`\alpha_0`. ``attrs``: ``settings`` (label, prior, prior_scale, per_term, in
        order), ``reference`` (its label), ``agreement`` (per contrast and setting: Spearman
        correlation of z with the reference, and the share of the reference's top ``top``
        terms of each side that are also in this setting's), and the counting options.

    See Also
    --------
    fightin_words, framing.plot.plot_prior_sensitivity

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature
    selection and evaluation for identifying the content of political conflict. *Political
    Analysis*, 16(4), 372-403.

    Examples
    --------
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B", "B"],
    ...                   "text": ["the sham vote sham", "a sham referendum vote the",
    ...                            "the vote the", "a referendum held the vote"]})
    >>> ps = prior_sensitivity(c, mode="two", min_count=2, prior_scales=(1.0, 500.0, None), per_term=(0.01,))
    >>> ps["setting"].unique().tolist()
    ['uniform, 0.01 per term (α0=0.06)', 'pooled, α0=1', 'pooled, raw counts (α0=17)', 'pooled, α0=500']
    >>> ps[ps["term"] == "sham"][["setting", "rank"]].values.tolist()[-1]
    ['pooled, α0=500', 1]
    """
    caller = "prior_sensitivity"
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"{caller}: corpus must be a pandas DataFrame, got {type(corpus).__name__}")
    for name, value in (("min_count", min_count), ("min_docs", min_docs), ("top", top)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise LexicalError(f"{caller}: {name} must be a non-negative int, got {value!r}")
    scales = [_check_prior_scale(s, caller=caller) for s in prior_scales]
    if not scales:
        raise LexicalError(f"{caller}: prior_scales must name at least one prior scale (the reference)")
    if len(set(scales)) < len(scales):
        raise LexicalError(f"{caller}: prior_scales has duplicates: {list(prior_scales)!r}")
    per = [_check_prior_scale(c, caller=caller, allow_none=False, name="each per_term value") for c in per_term]
    ref = _check_prior_scale(reference, caller=caller, name="reference")
    if ref not in scales:
        raise LexicalError(f"{caller}: reference={reference!r} is not one of prior_scales={list(prior_scales)!r}")
    prep = _prepare(corpus, group=group, groups=groups, mode=mode, pairs=pairs, ngram_range=ngram_range,
                    stop_words=stop_words, counts=counts, voice=voice, boilerplate=boilerplate,
                    sentences=sentences, caller=caller)
    names, vocab = prep["names"], prep["vocab"]
    settings = []
    for s in scales:
        a, kind = _prior(prior, prep["pooled"], vocab, s, vec_kwargs=prep["vec_kwargs"], caller=caller)
        a0 = float(a.sum()) if s is None else s
        settings.append({"setting": _setting_label(kind, a0, raw=s is None),
                         "prior": kind, "prior_scale": a0, "per_term": None, "a": a, "is_ref": s == ref})
    for c in per:
        a0 = c * len(vocab)
        settings.append({"setting": _setting_label("uniform", a0, per_term=c), "prior": "uniform",
                         "prior_scale": a0, "per_term": c, "a": np.full(len(vocab), c), "is_ref": False})
    settings.sort(key=lambda d: (d["prior_scale"], d["setting"]))
    labels = [d["setting"] for d in settings]
    if len(set(labels)) < len(labels):
        raise LexicalError(f"{caller}: two prior settings coincide: {labels!r}")

    frames, agreement = [], []
    per_setting = []
    for d in settings:
        obs = _observed(prep, d["a"], d["prior_scale"], min_count, min_docs)
        per_setting.append(obs)
    ref_k = next(k for k, d in enumerate(settings) if d["is_ref"])
    for c_idx, (gi, _others, other_label) in enumerate(prep["contrasts"]):
        ref_obs = per_setting[ref_k][c_idx]
        z_ref = ref_obs["delta"] / np.sqrt(ref_obs["var"])
        terms = vocab[ref_obs["keep"]].astype(str)
        order_ref = np.argsort(-z_ref, kind="stable")
        k = min(top, len(terms))
        top_ref = (set(order_ref[:k]), set(order_ref[::-1][:k]))
        for d, obs in zip(settings, per_setting):
            o = obs[c_idx]
            z = o["delta"] / np.sqrt(o["var"])
            rank = pd.Series(-z).rank(method="min").to_numpy(dtype=np.int64)
            frames.append(pd.DataFrame({
                "group": names[gi], "other": other_label,
                "term": pd.array(terms, dtype="str"),
                "setting": d["setting"], "prior": d["prior"], "prior_scale": d["prior_scale"],
                "alpha_w": d["a"][o["keep"]],
                "count_group": o["yi"].astype(np.int64), "count_other": o["yj"].astype(np.int64),
                "delta": o["delta"], "z": z, "rank": rank, "reference": bool(d["is_ref"]),
            }))
            order = np.argsort(-z, kind="stable")
            hi, lo = set(order[:k]), set(order[::-1][:k])
            agreement.append({
                "group": names[gi], "other": other_label, "setting": d["setting"],
                "spearman": float(pd.Series(z).corr(pd.Series(z_ref), method="spearman")) if len(z) > 1 else 1.0,
                "top_overlap": (len(hi & top_ref[0]) + len(lo & top_ref[1])) / max(1, 2 * k),
            })
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {
        "method": "prior_sensitivity",
        "group": group, "mode": mode, "groups": names,
        "contrasts": [(names[gi], other) for gi, _o, other in prep["contrasts"]],
        "settings": [{k: d[k] for k in ("setting", "prior", "prior_scale", "per_term")} for d in settings],
        "reference": settings[ref_k]["setting"], "top": int(top),
        "agreement": agreement,
        "ngram_range": tuple(ngram_range), "min_count": int(min_count), "min_docs": int(min_docs),
        "voice": voice, "boilerplate": boilerplate,
        "text_filter": prep["corpus"].attrs.get("text_filter"), "excluded": prep["corpus"].attrs.get("excluded"),
    }
    return out


def _delta_block(yi: np.ndarray, ni: np.ndarray, yj: np.ndarray, nj: np.ndarray, a: np.ndarray,
                 a0: float) -> np.ndarray:
    """delta for blocks (float32): y* arrays (terms x replicates), n* (replicates,), a (terms,).

    Overwrites ``yi`` and ``yj``.
    """
    a = a.astype(np.float32)[:, None]
    yi += a
    yj += a
    out = np.log(yi)
    out -= np.log((ni + a0).astype(np.float32)[None, :] - yi)
    out -= np.log(yj)
    out += np.log((nj + a0).astype(np.float32)[None, :] - yj)
    return out


def _percentiles(values: np.ndarray, qs: Sequence[float]) -> list[np.ndarray]:
    """Row-wise percentiles (numpy's default 'linear' method) via a full sort (fast for float32)."""
    v = np.sort(values, axis=1)
    n = v.shape[1]
    out = []
    for q in qs:
        h = (n - 1) * q
        lo = int(np.floor(h))
        hi = min(lo + 1, n - 1)
        frac = h - lo
        out.append(v[:, lo].astype(float) * (1 - frac) + v[:, hi].astype(float) * frac)
    return out


def _bootstrap_weights(lab: np.ndarray, G: int, B: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Per group, a (n_g x B) matrix: how often each document is drawn in each replicate.

    Each replicate draws n_g documents of the group uniformly with replacement (so each column
    is Multinomial(n_g, 1/n_g)).
    """
    out = []
    for g in range(G):
        n_g = int((lab == g).sum())
        draws = rng.integers(0, n_g, size=(B, n_g)) + (np.arange(B) * n_g)[:, None]
        counts = np.bincount(draws.ravel(), minlength=B * n_g).reshape(B, n_g)
        out.append(np.ascontiguousarray(counts.T, dtype=np.float32))
    return out


def _bootstrap_ci(obs: list[dict], X: sp.csr_matrix, lab: np.ndarray, G: int, a: np.ndarray, a0: float,
                  B: int, alpha: float, rng: np.random.Generator) -> None:
    """Document-level percentile bootstrap of delta and sign stability, stratified by group; fills obs.

    Replicate totals are products ``X_g.T @ W_g.T`` (sparse x dense) over blocks of terms; no
    loop over documents or replicates.
    """
    union = np.unique(np.concatenate([o["keep"] for o in obs]))
    doc_len = np.asarray(X.sum(axis=1), dtype=float).ravel()
    weights = _bootstrap_weights(lab, G, B, rng)
    XU = X[:, union]
    totals, XgT = [], []
    for g in range(G):
        idx = np.flatnonzero(lab == g)
        totals.append(doc_len[idx] @ weights[g].astype(float))            # B tokens per replicate
        XgT.append(sp.csr_matrix(XU[idx].T, dtype=np.float32))           # |U| x n_g
    ntot = np.sum(totals, axis=0)
    pos = np.full(X.shape[1], -1, dtype=np.int64)
    pos[union] = np.arange(len(union))
    for o in obs:
        o["ci_low"] = np.full(len(o["keep"]), np.nan)
        o["ci_high"] = np.full(len(o["keep"]), np.nan)
        o["sign_stability"] = np.full(len(o["keep"]), np.nan)
        o["_upos"] = pos[o["keep"]]
        o["_sign"] = np.sign(o["yi"] * o["nj"] - o["yj"] * o["ni"])     # observed sign of the rate difference
    need_total = any(len(o["others"]) == G - 1 and G > 2 for o in obs)
    step = max(1, _BLOCK // (B * (G + 2)))
    for c0 in range(0, len(union), step):
        c1 = min(c0 + step, len(union))
        T = [XgT[g][c0:c1] @ weights[g] for g in range(G)]               # each (v x B) float32
        total = None
        if need_total:
            total = T[0].copy()
            for t in T[1:]:
                total += t
        for o in obs:
            sel = np.flatnonzero((o["_upos"] >= c0) & (o["_upos"] < c1))
            if len(sel) == 0:
                continue
            r = o["_upos"][sel] - c0
            gi, others = o["gi"], o["others"]
            yi = T[gi][r]
            if len(others) == G - 1 and total is not None:
                yj = total[r] - yi
                nj = ntot - totals[gi]
            else:
                yj = T[others[0]][r]
                for k in others[1:]:
                    yj = yj + T[k][r]
                nj = np.sum([totals[k] for k in others], axis=0)
            # sign of (y_i/n_i - y_j/n_j) per replicate (0 when the term is absent from both)
            diff = np.sign(yi.astype(float) * nj[None, :] - yj.astype(float) * totals[gi][None, :])
            s_obs = o["_sign"][sel]
            same = ((diff == s_obs[:, None]) & (diff != 0)).mean(axis=1)
            o["sign_stability"][sel] = np.where(s_obs != 0, same, np.nan)
            d = _delta_block(yi, totals[gi], yj, nj, a[union[c0:c1][r]], a0)
            o["ci_low"][sel], o["ci_high"][sel] = _percentiles(d, (alpha / 2, 1 - alpha / 2))
    for o in obs:
        del o["_upos"], o["_sign"]


#: Below this share of the contrast's documents on the smaller side, permuted sums are taken
#: as sparse x sparse products (cheaper for few documents); above it, as sparse x dense.
_SPARSE_SHARE = 0.04


def _random_subsets(n: int, k: int, P: int, rng: np.random.Generator) -> np.ndarray:
    """P uniform random k-subsets of range(n), one per row (k < n)."""
    return np.stack([rng.choice(n, k, replace=False, shuffle=False) for _ in range(P)])


def _exceedances(yi: np.ndarray, ni: np.ndarray, yj: np.ndarray, nj: np.ndarray, a: np.ndarray, a0: float,
                 thr: np.ndarray) -> np.ndarray:
    """Per term (row): the replicates (columns) with :math:`|\\delta^*| \\ge` ``thr`` (float32 blocks).

    With :math:`R` the odds ratio inside :func:`log_odds_dirichlet`'s logarithms,
    :math:`|\\log R| \\ge t` iff :math:`R \\ge e^t` or :math:`R \\le e^{-t}`: no logarithms needed.
    Overwrites ``yi`` and ``yj``.
    """
    a = a.astype(np.float32)[:, None]
    yi += a
    yj += a
    ratio = (nj + a0).astype(np.float32)[None, :] - yj
    ratio *= yi
    den = (ni + a0).astype(np.float32)[None, :] - yi
    den *= yj
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio /= den
        hi = np.exp(thr).astype(np.float32)[:, None]
        lo = np.exp(-thr).astype(np.float32)[:, None]
    return ((ratio >= hi) | (ratio <= lo)).sum(axis=1)


def _permutation_p(obs: list[dict], X: sp.csr_matrix, lab: np.ndarray, a: np.ndarray, a0: float,
                   P: int, rng: np.random.Generator) -> None:
    """Two-sided permutation p-values of delta (labels shuffled across documents); fills obs.

    Each permutation gives the smaller side of the contrast a uniform random subset of the
    contrast's documents of its size (the rest go to the other side). The smaller side's
    term totals are the product of the documents x terms matrix with the subsets'
    indicator matrix, in blocks of permutations and terms.
    """
    doc_len = np.asarray(X.sum(axis=1), dtype=float).ravel()
    done: dict[tuple[tuple[int, ...], tuple[int, ...]], tuple[np.ndarray, np.ndarray]] = {}
    for o in obs:
        gi, others = o["gi"], o["others"]
        # a mirror image of a contrast already tested (B vs A after A vs B, or the two
        # contrasts of one-vs-rest with two groups) has the same |delta| and the same test
        mirror = done.get((tuple(others), (gi,)))
        if mirror is not None and np.array_equal(mirror[0], o["keep"]):
            o["p_perm"] = mirror[1].copy()
            continue
        docs = np.flatnonzero(np.isin(lab, (gi,) + tuple(others)))
        n_i = int((lab[docs] == gi).sum())
        n_d = len(docs)
        small_is_i = n_i <= n_d - n_i
        k = n_i if small_is_i else n_d - n_i
        keep = o["keep"]
        observed = np.abs(o["delta"])
        hits = np.zeros(len(keep), dtype=np.int64)
        if len(keep) == 0:
            o["p_perm"] = np.ones(0)
            continue
        lens = doc_len[docs]
        n_all = lens.sum()
        XD = X[docs][:, keep]
        tot_terms = np.asarray(XD.sum(axis=0), dtype=float).ravel()
        use_dense = k > _SPARSE_SHARE * n_d
        if use_dense:
            XT = sp.csr_matrix(XD.T, dtype=np.float32)                    # |keep| x n_d
        else:
            XC = sp.csc_matrix(XD, dtype=np.float32)                      # n_d x |keep|
        chunk = int(min(P, max(1, (1 << 24) // max(n_d, 1))))            # permutations per chunk
        for p0 in range(0, P, chunk):
            pc = min(chunk, P - p0)
            sel = _random_subsets(n_d, k, pc, rng)                        # pc x k
            n_small = lens[sel].sum(axis=1)                               # tokens on the smaller side
            n_i_perm, n_j_perm = (n_small, n_all - n_small) if small_is_i else (n_all - n_small, n_small)
            if use_dense:
                M = np.zeros((n_d, pc), dtype=np.float32)
                M[sel, np.arange(pc)[:, None]] = 1.0
            else:
                S = sp.csr_matrix((np.ones(pc * k, dtype=np.float32), sel.ravel(), np.arange(pc + 1) * k),
                                  shape=(pc, n_d))
            step = max(1, _BLOCK // (2 * pc))
            for c0 in range(0, len(keep), step):
                c1 = min(c0 + step, len(keep))
                if use_dense:
                    ys = np.ascontiguousarray(XT[c0:c1] @ M, dtype=np.float32)          # v x pc, smaller side
                else:
                    ys = np.ascontiguousarray((S @ XC[:, c0:c1]).toarray().T, dtype=np.float32)
                rest = tot_terms[c0:c1, None].astype(np.float32) - ys
                yi, yj = (ys, rest) if small_is_i else (rest, ys)
                # ties in exact arithmetic must count as ">=": allow for float32 rounding
                thr = observed[c0:c1] - 1e-5 * (1 + observed[c0:c1])
                hits[c0:c1] += _exceedances(yi, n_i_perm, yj, n_j_perm, a[keep[c0:c1]], a0, thr)
        o["p_perm"] = (hits + 1) / (P + 1)
        if len(others) == 1:
            done[((gi,), tuple(others))] = (o["keep"], o["p_perm"])


# --------------------------------------------------------------------------------------------
# concordance
# --------------------------------------------------------------------------------------------

def _sentence_ids(corpus: pd.DataFrame, hits: pd.DataFrame, sentences: pd.DataFrame | None) -> pd.Series:
    """sent_id of the sentence containing each hit's start (NA when unknown)."""
    na = pd.Series(pd.NA, index=hits.index, dtype="object")
    if hits.empty:
        return na
    if sentences is None:
        try:
            from framing.segment import split_sentences  # another stage; optional here
        except ImportError:
            return na
        if not {"doc_id", "outlet", "published", "text"} <= set(corpus.columns):
            return na  # split_sentences needs a full corpus
        docs = corpus[corpus["doc_id"].isin(set(hits["doc_id"]))]
        sentences = split_sentences(docs)
    need = {"doc_id", "sent_id", "start", "end"}
    if not need <= set(sentences.columns):
        raise LexicalError(f"concordance: the sentence table lacks columns {sorted(need - set(sentences.columns))}")
    out = na.copy()
    for doc_id, sub in sentences.groupby("doc_id", sort=False):
        mask = (hits["doc_id"] == doc_id).to_numpy()
        if not mask.any():
            continue
        sub = sub.sort_values("start")
        starts, ends = sub["start"].to_numpy(), sub["end"].to_numpy()
        pos = hits.loc[mask, "start"].to_numpy()
        k = np.searchsorted(starts, pos, side="right") - 1
        ok = (k >= 0) & (pos < ends[np.clip(k, 0, None)])
        ids = np.where(ok, sub["sent_id"].to_numpy()[np.clip(k, 0, None)], None)
        out.loc[mask] = [pd.NA if i is None else i for i in ids]
    return out


def concordance(corpus: pd.DataFrame, term: str | None = None, *, by: str = "outlet", width: int = 60,
                regex: bool = False, case: bool = False, sentences: pd.DataFrame | None = None,
                marker: str | Sequence[str] | None = None, family: str | Sequence[str] | None = None,
                lexicon: Any = None, voice: str = "all", boilerplate: str = "keep") -> pd.DataFrame:
    """Keyword-in-context lines for a term, a regex, or a framing marker of a lexicon.

    A plain ``term`` is matched as a phrase on token boundaries, like the markers of
    :mod:`framing.markers`: not inside a longer word ("war" does not match "toward"), but a
    possessive or hyphenated compound does match ("Kyiv's", "Kiev-based"); spaces in the term
    match any whitespace, hyphens and apostrophes match their typographic variants, and a
    ``*`` right after a letter or digit is a prefix wildcard ("veto*": veto, vetoes, vetoed;
    the same rule as ``select(query=)``, :func:`framing.markers.phrase_regex`). With
    ``regex=True`` the pattern is used as given. With ``marker=`` and/or ``family=`` (and no
    term) the lines are the lexicon matches of :func:`framing.markers.match_markers`.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``doc_id``, ``text``, ``published`` and the ``by`` column.
    term : str, optional
        Word or phrase (or regex with ``regex=True``).
    by : str
        Grouping column reported first and sorted on (default ``"outlet"``).
    width : int
        Characters of context on each side.
    regex : bool
        Treat ``term`` as a regular expression.
    case : bool
        Case-sensitive matching (default: insensitive). Ignored for lexicon markers, which
        carry their own case rule.
    sentences : DataFrame, optional
        Sentence table of ``framing.split_sentences(corpus)`` to report ``sent_id``;
        if omitted it is computed for the matched documents when ``framing.segment`` is
        available and the corpus has ``outlet`` and ``published``, else ``sent_id`` is NA.
    marker, family : str or list of str, optional
        Lexicon marker(s) and/or family/families to show instead of a term.
    lexicon : Lexicon, path or None
        Lexicon for ``marker``/``family`` (default: the shipped one).
    voice : {"all", "own", "attributed"}
        Which lines to show: every match (default), those in the outlet's own words, or
        those inside quoted or reported speech (:func:`framing.attribute_voice`).
    boilerplate : {"keep", "drop"}
        Show (default) or leave out matches in boilerplate sentences
        (:func:`framing.find_boilerplate`, computed on the whole corpus given).

    Returns
    -------
    DataFrame
        ``by``, ``doc_id``, ``sent_id``, ``left``, ``match``, ``right``, ``start``, ``end``,
        ``published`` (plus ``family``, ``marker`` for lexicon lines), ``voice`` ("own"
        when the match is in the outlet's own words, else the voice of its sentence:
        "direct", "reported" or "mixed"), ``speaker`` (of the attributed speech, or None),
        sorted by group, date, document and position. ``text[start:end] == match``; newlines
        in the context are shown as spaces. Lines are always the original text, so a
        reported "sham" is shown with its frame.

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["d1"], "outlet": ["X"], "published": pd.to_datetime(["2022-09-23"]),
    ...                   "text": ["Toward Kyiv: Kyiv's mayor spoke."]})
    >>> kw = concordance(c, "kyiv", width=8, sentences=pd.DataFrame(columns=["doc_id", "sent_id", "start", "end"]))
    >>> kw[["left", "match", "right", "start"]].values.tolist()
    [['Toward ', 'Kyiv', ": Kyiv's", 7], ['d Kyiv: ', 'Kyiv', "'s mayor", 13]]
    """
    from framing import markers as _markers

    if not isinstance(width, (int, np.integer)) or width < 0:
        raise LexicalError(f"concordance: width must be a non-negative int, got {width!r}")
    texts = _texts(corpus, "text", caller="concordance")
    for col in ("doc_id", by):
        if col not in corpus.columns:
            raise LexicalError(f"concordance: the corpus has no column {col!r}")
    if term is None:
        if marker is None and family is None:
            raise LexicalError("concordance: give a term, or marker=/family= from a lexicon")
        lex = _markers.load_lexicon(lexicon) if not isinstance(lexicon, _markers.Lexicon) else lexicon
        lex = lex.select(family=family, marker=marker)
        if not corpus["doc_id"].is_unique:
            raise LexicalError("concordance: doc_id must be unique")
        m = _markers.match_markers(corpus, lexicon=lex)
        hits = pd.DataFrame({"row": pd.Index(corpus["doc_id"]).get_indexer(m["doc_id"]),
                             "doc_id": m["doc_id"].to_numpy(), "start": m["start"].to_numpy(),
                             "end": m["end"].to_numpy(), "family": m["family"].to_numpy(),
                             "marker": m["marker"].to_numpy()})
    else:
        if not isinstance(term, str) or not term.strip():
            raise LexicalError(f"concordance: term must be a non-empty string, got {term!r}")
        if regex:
            try:
                pattern = re.compile(term, 0 if case else re.IGNORECASE)
            except re.error as exc:
                raise LexicalError(f"concordance: bad regex {term!r}: {exc}") from None
        else:
            pattern = re.compile(_markers.phrase_regex([term]), 0 if case else re.IGNORECASE)
        recs = []
        doc_ids = corpus["doc_id"].tolist()
        for r, text in enumerate(texts):
            for mt in pattern.finditer(text):
                if mt.end() > mt.start():
                    recs.append((r, doc_ids[r], mt.start(), mt.end()))
        hits = pd.DataFrame(recs, columns=["row", "doc_id", "start", "end"])
    from framing.voice import BOILERPLATE_OPTIONS, VOICE_OPTIONS

    if voice not in VOICE_OPTIONS or boilerplate not in BOILERPLATE_OPTIONS:
        raise LexicalError(f"concordance: voice= must be one of {list(VOICE_OPTIONS)} and boilerplate= one of "
                           f"{list(BOILERPLATE_OPTIONS)}, got {voice!r}, {boilerplate!r}")
    cols = [by, "doc_id", "sent_id", "left", "match", "right", "start", "end", "published"]
    if term is None:
        cols += ["family", "marker"]
    cols += ["voice", "speaker"]
    if hits.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    rows = hits["row"].to_numpy()
    left, match, right = [], [], []
    for r, s, e in zip(rows, hits["start"].to_numpy(), hits["end"].to_numpy()):
        t = texts[r]
        left.append(re.sub(r"\s", " ", t[max(0, s - width):s]))
        match.append(t[s:e])
        right.append(re.sub(r"\s", " ", t[e:e + width]))
    out = pd.DataFrame({
        by: corpus[by].to_numpy()[rows],
        "doc_id": hits["doc_id"].to_numpy(),
        "sent_id": pd.NA,
        "left": left, "match": match, "right": right,
        "start": hits["start"].to_numpy(dtype=np.int64), "end": hits["end"].to_numpy(dtype=np.int64),
        "published": corpus["published"].to_numpy()[rows] if "published" in corpus.columns else pd.NaT,
    })
    if term is None:
        out["family"], out["marker"] = hits["family"].to_numpy(), hits["marker"].to_numpy()
    sents = _voiced_sentences(corpus, out, sentences, boilerplate=boilerplate)
    out["sent_id"] = _sentence_ids(corpus, out[["doc_id", "start"]], sents).to_numpy()
    out = _hit_voice(out, texts, rows, sents, voice=voice, boilerplate=boilerplate)
    out = out.sort_values([by, "published", "doc_id", "start"], kind="stable").reset_index(drop=True)
    return out[cols]


def _voiced_sentences(corpus: pd.DataFrame, hits: pd.DataFrame, sentences: pd.DataFrame | None, *,
                      boilerplate: str) -> pd.DataFrame | None:
    """The sentence table of the matched documents with voice (and boilerplate) columns."""
    from framing.voice import attribute_voice

    if sentences is None:
        if not {"doc_id", "outlet", "published", "text"} <= set(corpus.columns):
            return None
        from framing.segment import split_sentences

        scope = corpus if boilerplate == "drop" else corpus[corpus["doc_id"].isin(set(hits["doc_id"]))]
        sentences = split_sentences(scope)
    if boilerplate == "drop" and "boilerplate" not in sentences.columns:
        from framing.boilerplate import find_boilerplate

        sentences = find_boilerplate(sentences)
    if len(sentences) and "own_text" not in sentences.columns and {"text", "start", "end", "sent_id"} <= set(
            sentences.columns):
        sentences = attribute_voice(sentences[sentences["doc_id"].isin(set(hits["doc_id"]))])
    return sentences


def _hit_voice(out: pd.DataFrame, texts: list[str], rows: np.ndarray, sents: pd.DataFrame | None, *,
               voice: str, boilerplate: str) -> pd.DataFrame:
    """Per hit: its voice and speaker from the sentence it sits in; apply the line filters."""
    out = out.assign(voice=pd.Series(None, index=out.index, dtype="object"),
                     speaker=pd.Series(None, index=out.index, dtype="object"))
    if sents is None or "own_text" not in sents.columns or not len(sents):
        if voice != "all" or boilerplate != "keep":
            raise LexicalError("concordance: voice/boilerplate filtering needs a corpus with outlet and published "
                               "(or sentences= with voice columns)")
        return out
    info = sents.set_index("sent_id")
    voices, speakers, drop = [], [], []
    for sid, a, b in zip(out["sent_id"], out["start"].to_numpy(), out["end"].to_numpy()):
        if sid is None or sid is pd.NA or sid not in info.index:
            voices.append(None), speakers.append(None), drop.append(False)
            continue
        r = info.loc[sid]
        own = r["own_text"]
        rel_a, rel_b = int(a) - int(r["start"]), int(b) - int(r["start"])
        in_own = own[max(rel_a, 0):rel_b] == r["text"][max(rel_a, 0):rel_b]
        voices.append("own" if in_own else r["voice"])
        speakers.append(None if in_own else r["speaker"])
        drop.append(bool(r["boilerplate"]) if boilerplate == "drop" and "boilerplate" in info.columns else False)
    out["voice"], out["speaker"] = voices, speakers
    keep = ~np.asarray(drop, dtype=bool)
    if voice == "own":
        keep &= (out["voice"] == "own").to_numpy()
    elif voice == "attributed":
        keep &= out["voice"].isin(["direct", "reported", "mixed"]).to_numpy()
    return out[keep]


# --------------------------------------------------------------------------------------------
# benchmark
# --------------------------------------------------------------------------------------------

def _status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (``VmRSS``, ``VmHWM`` = peak) in MiB; None off Linux."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _bench_corpus(corpus: pd.DataFrame | None, name: str) -> tuple[pd.DataFrame, str]:
    """The corpus to benchmark on and how to name it in the record."""
    if corpus is not None:
        return corpus, "given corpus"
    import framing

    return framing.load_corpus(name), name


_SCATTERTEXT_SCRIPT = """
import sys, time
import pandas as pd
import scattertext as st
df = pd.read_csv(sys.argv[1], keep_default_na=False)
t = time.perf_counter()
c = st.CorpusFromPandas(df, category_col="outlet", text_col="text",
                        nlp=st.whitespace_nlp_with_sentences).build()
print(time.perf_counter() - t, c.get_num_docs(), c.get_num_terms(), st.__version__)
"""


def _scattertext_baseline(corpus: pd.DataFrame, env: Path, *, build: bool, timeout: float) -> dict:
    """Time Scattertext's corpus building in a separate venv (it pins an older scipy)."""
    py = env / "bin" / "python"
    if not py.exists():
        if not build:
            return {"skipped": f"no environment at {env} (build_env=False)"}
        try:
            subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, capture_output=True,
                           timeout=timeout)
            subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "--timeout", "30", "--retries", "1", "scattertext", "pandas", "six"],
                           check=True, capture_output=True, timeout=timeout)
        except (subprocess.SubprocessError, OSError) as exc:
            shutil.rmtree(env, ignore_errors=True)  # no half-built environment left behind
            detail = getattr(exc, "stderr", b"") or b""
            return {"skipped": f"could not build {env}: {exc} {detail.decode(errors='replace')[-300:]}".strip()}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "corpus.csv"
        corpus[["outlet", "text"]].to_csv(data, index=False)
        script = Path(tmp) / "st_build.py"
        script.write_text(_SCATTERTEXT_SCRIPT)
        try:
            res = subprocess.run([str(py), str(script), str(data)], capture_output=True, text=True,
                                 timeout=timeout, check=True)
        except (subprocess.SubprocessError, OSError) as exc:
            detail = getattr(exc, "stderr", "") or ""
            return {"skipped": f"scattertext run failed: {exc} {detail[-300:]}".strip()}
    seconds, n_docs, n_terms, version = res.stdout.split()[-4:]
    return {"seconds": float(seconds), "n_docs": int(n_docs), "n_terms": int(n_terms), "version": version,
            "nlp": "whitespace_nlp_with_sentences"}


def benchmark(corpus: pd.DataFrame | None = None, *, name: str = "ukraine-media", bootstrap: int = 1000,
              permutations: int = DEFAULT_PERMUTATIONS, min_count: int = 5, random_state: int = 0,
              boilerplate: str = "keep", time_boilerplate: bool = True, scattertext: bool = True,
              scattertext_env: str | os.PathLike | None = None, build_env: bool = True,
              timeout: float = 900.0) -> dict:
    """Time Fightin' Words one-vs-rest over every outlet with document-level resampling.

    Measures, on the same data and in the same run: a plain scikit-learn ``CountVectorizer``
    pass (default settings), :func:`term_counts`, and the full :func:`fightin_words` call
    (tokenising included) with ``bootstrap`` replicates and ``permutations`` (default: the
    :func:`fightin_words` default), with the peak resident memory of the process during that
    call and its CPU time (wall time on shared cores varies with the load; CPU time less);
    separately, the boilerplate pass that ``boilerplate="drop"`` adds
    (:func:`framing.voice_corpus`: sentence splitting, :func:`framing.find_boilerplate`); and,
    if possible, Scattertext's ``CorpusFromPandas(...).build()`` (whitespace tokenizer) in a
    separate virtual environment ``.venv-bench-scattertext`` (built on first use with ``pip
    install scattertext pandas six``; Scattertext pins an older scipy, so it never goes into
    the project's venv). If that environment cannot be made, the baseline is reported as
    skipped with the reason.

    Parameters
    ----------
    corpus : DataFrame, optional
        Defaults to ``framing.load_corpus(name)``.
    name : str
        Named corpus to load when ``corpus`` is None.
    bootstrap, permutations, min_count, random_state
        Passed to :func:`fightin_words`.
    boilerplate : {"keep", "drop"}
        Passed to :func:`fightin_words`. Default ``"keep"``: the same text Scattertext
        counts (like for like); the boilerplate pass is timed on its own (``time_boilerplate``).
    time_boilerplate : bool
        Also time ``framing.voice_corpus(corpus, voice="all", boilerplate="drop")``.
    scattertext : bool
        Measure the Scattertext baseline.
    scattertext_env : path, optional
        Where the Scattertext venv lives (default ``.venv-bench-scattertext`` in the current
        directory).
    build_env : bool
        Build that environment if it is missing (needs the package index).
    timeout : float
        Seconds allowed for building the environment and for the Scattertext run.

    Returns
    -------
    dict
        Flat JSON-able record: sizes, seconds per step, peak memory, the Scattertext time and
        the ratio ``scattertext_s / fightin_words_s`` (or ``scattertext_skipped``).
    """
    corpus, source = _bench_corpus(corpus, name)
    texts = _texts(corpus, "text", caller="benchmark")
    out: dict[str, Any] = {"benchmark": "framing.lexical:benchmark", "corpus": source,
                           "n_docs": len(corpus), "n_outlets": int(corpus["outlet"].nunique()),
                           "bootstrap": bootstrap, "permutations": permutations, "min_count": min_count,
                           "boilerplate": boilerplate}
    t = time.perf_counter()
    Xp = CountVectorizer().fit_transform(texts)
    out["countvectorizer_s"] = round(time.perf_counter() - t, 3)
    out["countvectorizer_terms"] = int(Xp.shape[1])
    del Xp
    t = time.perf_counter()
    X, vocab = term_counts(corpus)
    out["term_counts_s"] = round(time.perf_counter() - t, 3)
    out["n_tokens"] = int(X.sum())
    out["n_terms"] = int(X.shape[1])
    del X, vocab
    rss0 = _status_mb("VmRSS")
    can_reset = _reset_peak_rss()
    t, cpu = time.perf_counter(), time.process_time()
    fw = fightin_words(corpus, group="outlet", mode="one-vs-rest", bootstrap=bootstrap,
                       permutations=permutations, min_count=min_count, random_state=random_state,
                       boilerplate=boilerplate)
    out["fightin_words_s"] = round(time.perf_counter() - t, 3)
    out["fightin_words_cpu_s"] = round(time.process_time() - cpu, 3)
    peak = _status_mb("VmHWM")
    if can_reset and peak is not None and rss0 is not None:
        out["peak_rss_mb"] = round(peak, 1)
        out["peak_rss_increase_mb"] = round(peak - rss0, 1)
    out["tested_terms_per_contrast"] = int(len(fw) // max(1, fw["group"].nunique()))
    out["significant_terms"] = int(fw["significant"].sum()) if permutations else None
    del fw
    if time_boilerplate:
        from framing.voice import voice_corpus

        t, cpu = time.perf_counter(), time.process_time()
        voice_corpus(corpus, voice="all", boilerplate="drop")
        out["boilerplate_pass_s"] = round(time.perf_counter() - t, 3)
        out["boilerplate_pass_cpu_s"] = round(time.process_time() - cpu, 3)
    if scattertext:
        env = Path(scattertext_env) if scattertext_env is not None else Path.cwd() / ".venv-bench-scattertext"
        st = _scattertext_baseline(corpus, env, build=build_env, timeout=timeout)
        if "seconds" in st:
            out["scattertext_s"] = round(st["seconds"], 3)
            out["scattertext_version"] = st["version"]
            out["scattertext_nlp"] = st["nlp"]
            out["speedup_vs_scattertext"] = round(st["seconds"] / out["fightin_words_s"], 2)
        else:
            out["scattertext_skipped"] = st["skipped"]
    return json.loads(json.dumps(out))
