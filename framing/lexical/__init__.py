"""Lexical framing contrasts: term counts and Fightin' Words.

Which words does one outlet use more than another? :func:`fightin_words` answers with the
log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi & Quinn (2008) and adds
what the token-level z-score lacks: a *document-level* test. A term used 40 times in one
article looks overwhelmingly "significant" to a test that treats every token as independent;
a permutation test that shuffles the group labels of whole articles does not fall for it,
and it is what ``q`` and ``significant`` come from (by default).

Modules
-------
- :mod:`framing.lexical.counts`: :func:`build_vectorizer`, :func:`term_counts` (the tokens
  are those of :func:`framing.tokens.tokenize`, re-exported here as :func:`tokenize`).
- :mod:`framing.lexical.prepare`: :func:`log_odds_dirichlet` (the Monroe et al. estimator on
  count vectors), the groups (``group=``, as in the glossary), the prior and the counts a
  contrast needs.
- :mod:`framing.lexical.fightin`: :func:`fightin_words`, tidy contrasts between groups of
  documents, tested by permuting the group labels of whole documents (Benjamini-Hochberg
  q-values), with optional document-level bootstrap intervals.
- :mod:`framing.lexical.resample`: the vectorised bootstrap and permutation loops.
- :mod:`framing.lexical.prior`: :func:`prior_sensitivity`, the same contrasts under several
  Dirichlet priors.

Keyword-in-context lines (:func:`framing.markers.concordance`) and framing-marker counts live
in :mod:`framing.markers`; the timing benchmark in :mod:`framing.bench.lexical`.

Monroe, Colaresi & Quinn (2008), *Political Analysis* 16(4); Benjamini & Hochberg (1995),
*JRSS B* 57(1): full references in :func:`fightin_words`.
"""
from __future__ import annotations

import functools
import warnings
from typing import Any

from framing import markers as _markers_module
from framing.lexical.counts import build_vectorizer, term_counts
from framing.lexical.fightin import DEFAULT_N_PERM, DEFAULT_PERMUTATIONS, fightin_words
from framing.lexical.prepare import log_odds_dirichlet
from framing.lexical.prior import prior_sensitivity
from framing.tokens import TOKEN_PATTERN, LexicalError, normalize_punctuation, tokenize

__all__ = [
    "TOKEN_PATTERN",
    "LexicalError",
    "tokenize",
    "normalize_punctuation",
    "build_vectorizer",
    "term_counts",
    "log_odds_dirichlet",
    "fightin_words",
    "prior_sensitivity",
    "DEFAULT_N_PERM",
]


def _moved(func: Any, old: str) -> Any:
    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(f"{old} has moved to framing.markers.{func.__name__} (also framing.{func.__name__}); the "
                      "old path will be removed in the next release", DeprecationWarning, stacklevel=2)
        return func(*args, **kwargs)

    return inner


#: Deprecated alias (one release) of :func:`framing.markers.concordance`.
concordance = _moved(_markers_module.concordance, "framing.lexical.concordance")
