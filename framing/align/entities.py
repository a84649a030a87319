"""Cheap text signals of story linking: entity candidates and TF-IDF cosines."""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["extract_entities"]

_ENTITY = re.compile(
    r"\b[A-Z][\w'’.-]*[\w]"
    r"(?:\s+(?:(?:of|the|de|du|al|bin|van|von|der|la|le)\s+)*[A-Z][\w'’.-]*[\w])*"
)
_ENTITY_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves mr mrs ms dr said says according however meanwhile monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july
    august september october november december""".split()
)



def _texts(series: pd.Series) -> list[str]:
    return ["" if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v) for v in series.tolist()]


def extract_entities(text: str) -> list[str]:
    """Cheap named-entity candidates: capitalised token sequences, lower-cased.

    A candidate is a run of capitalised words (joined by ``of``/``the``/``de``/...), with
    leading function words (``The``, ``But``, weekday and month names, ...) stripped.
    Multi-word candidates also contribute their single content words, so "Vladimir Putin"
    later matches "Putin".

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of str
        Candidates in order of appearance (with repeats, so counts can be weighted).

    Examples
    --------
    >>> extract_entities("The Kremlin said Vladimir Putin will speak in Moscow.")
    ['kremlin', 'vladimir putin', 'vladimir', 'putin', 'moscow']
    """
    out: list[str] = []
    for m in _ENTITY.finditer(text):
        toks = m.group(0).split()
        while toks and toks[0].lower().strip(".") in _ENTITY_STOP:
            toks = toks[1:]
        while toks and toks[-1].lower() in _ENTITY_STOP:
            toks = toks[:-1]
        if not toks:
            continue
        out.append(" ".join(toks).lower())
        if len(toks) > 1:
            out.extend(t.lower() for t in toks if t.lower() not in _ENTITY_STOP and len(t) > 1)
    return out


def _tfidf_cosine(docs: Sequence[Any], **kwargs: Any) -> np.ndarray:
    """Cosine similarity of sublinear TF-IDF vectors (zeros when the vocabulary is empty)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(docs)
    try:
        M = TfidfVectorizer(sublinear_tf=True, **kwargs).fit_transform(docs)
    except ValueError:  # empty vocabulary
        return np.zeros((n, n))
    return np.asarray((M @ M.T).toarray(), dtype=np.float64)

