"""Document-term counts with the package's one tokenizer (:func:`framing.tokens.tokenize`)."""
from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from framing.tokens import LexicalError, text_column, tokenize

__all__ = ["build_vectorizer", "term_counts"]


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
    texts = text_column(corpus, column, caller="term_counts")
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

