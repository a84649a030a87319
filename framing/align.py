"""Same story, different telling: link articles into stories and align their claims.

Two steps, both working across outlets:

1. :func:`link_stories` groups the articles of a corpus into *stories*: articles from
   different outlets that report the same event. The similarity of two articles combines
   their embedding cosine, a TF-IDF cosine of their words, a TF-IDF weighted overlap of
   their named entities (cheaply found as capitalised token sequences) and a title
   similarity; articles further apart in time than ``window_days`` can never share a
   story, and optionally neither can two articles of one outlet. Stories are then formed
   by average-linkage agglomerative clustering under these cannot-link constraints
   (constrained clustering in the sense of Wagstaff et al. 2001). The merge threshold is
   calibrated without gold stories (:func:`calibrate_threshold`): by default it is the
   99.9th percentile of the similarity among pairs that *cannot* be one story (more than
   ``window_days`` apart, or from the same outlet when ``one_per_outlet``; or pairs with an
   unrelated reference corpus), so a link must beat all but one in a thousand known
   non-story pairs. :func:`evaluate_linking` scores a linking against gold stories with
   story-bootstrap intervals, :func:`linking_baselines` gives what publication dates alone
   achieve, and :func:`linking_curve` traces the score over the threshold.

2. :func:`align_claims` matches the sentences of one story's articles across outlets,
   without assuming they come in the same order: cosine similarity of sentence
   embeddings, kept only for mutual best matches whose ratio margin over the
   neighbourhood (Artetxe & Schwenk 2019) is high enough. Accepted links are grouped into
   *claims* (at most one sentence per outlet each); unmatched sentences become singleton
   claims. The result, :class:`ClaimAlignment`, holds the claims, an outlet x claim
   coverage matrix and the omissions (claims an outlet does not carry), and renders as a
   side-by-side HTML story view.

References
----------
Artetxe, M. & Schwenk, H. (2019). Margin-based parallel corpus mining with multilingual
sentence embeddings. *ACL 2019*, 3197-3203.

Wagstaff, K., Cardie, C., Rogers, S. & Schroedl, S. (2001). Constrained k-means clustering
with background knowledge. *ICML 2001*, 577-584.

Hubert, L. & Arabie, P. (1985). Comparing partitions. *Journal of Classification* 2,
193-218 (adjusted Rand index).
"""
from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "link_stories",
    "story_similarity",
    "calibrate_threshold",
    "evaluate_linking",
    "linking_baselines",
    "linking_curve",
    "align_claims",
    "ClaimAlignment",
    "extract_entities",
    "benchmark",
]

#: Quantile of the null (impossible-pair) similarities used as the calibrated threshold.
NULL_QUANTILE = 0.999
#: Below this many null pairs a calibrated threshold is flagged ``rough`` (the 99.9%
#: quantile of fewer pairs lies near their maximum).
MIN_NULL_PAIRS = 1000

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


# ----------------------------------------------------------------------------- helpers

def _resolve_embeddings(texts: Sequence[str], embeddings: Any, encoder: Any, what: str) -> np.ndarray:
    """Use the given embeddings, else encode ``texts`` with ``encoder``, else raise."""
    if embeddings is not None:
        X = np.asarray(embeddings, dtype=np.float32)
        if X.ndim != 2 or X.shape[0] != len(texts):
            raise ValueError(
                f"embeddings must be a 2-D array with one row per {what} "
                f"({len(texts)} rows), got shape {X.shape}"
            )
    elif encoder is not None:
        if not hasattr(encoder, "encode"):
            raise TypeError(f"encoder must have an encode(texts) method, got {type(encoder).__name__}")
        X = np.asarray(encoder.encode(list(texts)), dtype=np.float32)
        if X.ndim != 2 or X.shape[0] != len(texts):
            raise ValueError(f"encoder returned shape {X.shape} for {len(texts)} texts")
    else:
        raise ValueError(
            f"no embeddings for the {what}s: pass embeddings= (one L2-normalised row per "
            f"{what}, same order) or encoder= (e.g. framing.Encoder(...))"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError(f"embeddings of the {what}s contain NaN or infinite values")
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (X / norms).astype(np.float32)


def _require_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}; it has {list(df.columns)}")


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


def _day_numbers(published: pd.Series) -> np.ndarray:
    try:
        days = pd.to_datetime(published).dt.floor("D")
    except (TypeError, ValueError) as err:
        raise ValueError(f"column 'published' cannot be read as dates: {err}") from None
    if days.isna().any():
        row = int(np.flatnonzero(days.isna().to_numpy())[0])
        raise ValueError(f"column 'published' is missing at row {row}; give every article a date "
                         "or pass use_dates=False")
    return (days.to_numpy().astype("datetime64[D]").astype(np.int64))


# ----------------------------------------------------------------------------- linking

def story_similarity(
    corpus: pd.DataFrame,
    *,
    embeddings: np.ndarray | None = None,
    encoder: Any = None,
    title_weight: float = 0.5,
    weights: dict[str, float] | None = None,
) -> np.ndarray:
    """Combined article-article similarity used by :func:`link_stories`.

    The weighted mean of four cosine similarities, each in [0, 1] for the non-negative
    signals: ``embedding`` (article vectors; encoded from ``title + text`` when an encoder
    is given), ``words`` (sublinear TF-IDF over word uni- and bigrams, English stop words
    removed, fitted on this corpus), ``entities`` (TF-IDF weighted bags of the candidates
    of :func:`extract_entities`) and ``title`` (TF-IDF cosine of the titles). Dates play no
    part here; :func:`link_stories` applies them as constraints.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with at least ``title`` and ``text``.
    embeddings, encoder
        Article embeddings (one row per corpus row) or an encoder to make them.
    title_weight : float
        Weight of the title similarity (the others weigh 1 each).
    weights : dict, optional
        Override of all weights, keys ``embedding``, ``words``, ``entities``, ``title``.

    Returns
    -------
    ndarray of shape (n, n)
        Symmetric similarity, ones on the diagonal, corpus row order.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> c = pd.DataFrame({"title": ["Storm hits Oslo", "Oslo storm damage", "Budget vote"],
    ...                   "text": ["A storm hit Oslo.", "Storm damage in Oslo.", "Parliament voted."]})
    >>> S = story_similarity(c, encoder=HashEncoder())
    >>> bool(S[0, 1] > S[0, 2])
    True
    """
    _require_columns(corpus, ("title", "text"), "corpus")
    titles, texts = _texts(corpus["title"]), _texts(corpus["text"])
    w = {"embedding": 1.0, "words": 1.0, "entities": 1.0, "title": float(title_weight)}
    if weights is not None:
        unknown = set(weights) - set(w)
        if unknown:
            raise ValueError(f"unknown similarity weight(s) {sorted(unknown)}; use {sorted(w)}")
        w.update({k: float(v) for k, v in weights.items()})
    if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
        raise ValueError(f"similarity weights must be >= 0 with a positive sum, got {w}")
    full = [f"{t}\n{x}" if t else x for t, x in zip(titles, texts)]
    n = len(corpus)
    S = np.zeros((n, n))
    if w["embedding"] > 0:
        X = _resolve_embeddings(full, embeddings, encoder, "article").astype(np.float64)
        S += w["embedding"] * (X @ X.T)
    if w["words"] > 0:
        S += w["words"] * _tfidf_cosine(full, stop_words="english", ngram_range=(1, 2))
    if w["entities"] > 0:
        S += w["entities"] * _tfidf_cosine([extract_entities(t) for t in full],
                                           analyzer=lambda d: d, lowercase=False)
    if w["title"] > 0:
        S += w["title"] * _tfidf_cosine(titles, stop_words="english")
    S /= sum(w.values())
    S = (S + S.T) / 2
    np.fill_diagonal(S, 1.0)
    return S


def _constrained_average_linkage(S: np.ndarray, cannot: np.ndarray, threshold: float) -> np.ndarray:
    """Average-linkage agglomeration that never merges clusters with a cannot-link pair.

    Repeatedly merges the two clusters with the highest average pairwise similarity,
    as long as it is >= ``threshold`` and no member pair is cannot-linked. Ties go to the
    lowest index, so the result is deterministic. Returns one label per row (the index of
    the cluster's surviving representative).
    """
    n = len(S)
    labels = np.arange(n)
    if n < 2:
        return labels
    W = np.array(S, dtype=np.float64, copy=True)
    C = np.array(cannot, dtype=bool, copy=True)
    np.fill_diagonal(C, True)
    size = np.ones(n)
    active = np.ones(n, dtype=bool)
    A = np.where(C, -np.inf, W)
    best_j = A.argmax(axis=1)
    best_v = A[np.arange(n), best_j]
    while True:
        i = int(np.argmax(best_v))
        if not best_v[i] >= threshold:
            break
        j = int(best_j[i])
        W[i] += W[j]
        W[:, i] = W[i]
        size[i] += size[j]
        C[i] |= C[j]
        C[:, i] = C[i]
        active[j] = False
        labels[labels == j] = i
        row = W[i] / (size[i] * size)
        row[C[i] | ~active] = -np.inf
        A[i] = row
        A[:, i] = row
        A[j] = -np.inf
        A[:, j] = -np.inf
        best_v[j] = -np.inf
        stale = np.flatnonzero(active & ((best_j == i) | (best_j == j)))
        if len(stale):
            best_j[stale] = A[stale].argmax(axis=1)
            best_v[stale] = A[stale, best_j[stale]]
        fresh = active.copy()
        fresh[stale] = False
        fresh[i] = False
        up = fresh & (A[:, i] > best_v)
        best_j[up] = i
        best_v[up] = A[up, i]
    return labels


def _usable_days(corpus: pd.DataFrame) -> np.ndarray | None:
    """Day numbers when every row has a readable ``published`` date, else None."""
    if "published" not in corpus.columns:
        return None
    try:
        return _day_numbers(corpus["published"])
    except ValueError:
        return None


def _null_mask(days: np.ndarray | None, outlets: np.ndarray, *, window_days: int,
               one_per_outlet: bool) -> np.ndarray:
    """Pairs that cannot be one story: more than ``window_days`` apart, or one outlet's."""
    n = len(outlets)
    mask = np.zeros((n, n), dtype=bool)
    if days is not None:
        mask |= np.abs(days[:, None] - days[None, :]) > window_days
    if one_per_outlet:
        mask |= outlets[:, None] == outlets[None, :]
    np.fill_diagonal(mask, False)
    return mask


def _similarities(
    corpus: pd.DataFrame, *, embeddings: Any, encoder: Any, similarity: Any, reference: pd.DataFrame | None,
    reference_embeddings: Any, title_weight: float,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The corpus similarity, and the corpus x reference block when a reference is given.

    The corpus similarity is always the corpus's own (:func:`story_similarity` of the
    corpus, or ``similarity`` as given), so a reference never changes the linking. The
    cross block comes from one similarity computed over both corpora (TF-IDF fitted on
    their union).
    """
    n = len(corpus)
    if similarity is not None:
        S = np.asarray(similarity, dtype=np.float64)
        if S.shape != (n, n):
            raise ValueError(f"similarity must have shape ({n}, {n}), got {S.shape}")
        if not np.all(np.isfinite(S)):
            raise ValueError("similarity contains NaN or infinite values")
    if reference is None:
        if similarity is None:
            S = story_similarity(corpus, embeddings=embeddings, encoder=encoder, title_weight=title_weight)
        return S, None
    _require_columns(reference, ("title", "text"), "reference")
    if len(reference) == 0:
        raise ValueError("reference corpus is empty")
    if encoder is None and (embeddings is None or reference_embeddings is None):
        raise ValueError("a reference null needs embeddings of both corpora (embeddings= and "
                         "reference_embeddings=) or an encoder=")

    def _emb(df: pd.DataFrame, given: Any, what: str) -> np.ndarray:
        full = [f"{t}\n{x}" if t else x for t, x in zip(_texts(df["title"]), _texts(df["text"]))]
        return _resolve_embeddings(full, given, encoder, what)

    Xc = _emb(corpus, embeddings, "article")
    X = np.vstack([Xc, _emb(reference, reference_embeddings, "reference article")])
    both = pd.concat([corpus[["title", "text"]], reference[["title", "text"]]], ignore_index=True)
    U = story_similarity(both, embeddings=X, title_weight=title_weight)
    if similarity is None:
        S = story_similarity(corpus, embeddings=Xc, title_weight=title_weight)
    return S, U[:n, n:].copy()


def _threshold_from_null(null: np.ndarray, *, quantile: float, source: str, what: str) -> dict[str, Any]:
    n_null = int(len(null))
    if n_null == 0:
        raise ValueError(
            "threshold='auto' found no pairs that cannot be one story to calibrate on (no articles "
            "more than window_days apart, no dates, and one_per_outlet=False): give the articles "
            "dates, pass one_per_outlet=True, reference=<an unrelated corpus>, or a number"
        )
    thr = float(np.quantile(np.asarray(null, dtype=np.float64), quantile))
    rough = n_null < MIN_NULL_PAIRS
    how = f"{quantile:.1%} quantile of {n_null} {what}"
    if rough:
        how += f" (fewer than {MIN_NULL_PAIRS}: rough)"
    return {"threshold": thr, "quantile": float(quantile), "n_null": n_null, "null": source,
            "rough": rough, "threshold_from": how}


def _calibrate(S: np.ndarray, cross: np.ndarray | None, days: np.ndarray | None, outlets: np.ndarray, *,
               window_days: int, one_per_outlet: bool, quantile: float) -> dict[str, Any]:
    if not (0 < quantile < 1):
        raise ValueError(f"quantile must be in (0, 1), got {quantile}")
    if cross is not None:
        return _threshold_from_null(cross.ravel(), quantile=quantile, source="reference",
                                    what="pairs with a reference corpus")
    mask = _null_mask(days, outlets, window_days=window_days, one_per_outlet=one_per_outlet)
    iu = np.triu_indices(len(S), 1)
    parts = ([f"more than {window_days} days apart"] if days is not None else []) + \
        (["of one outlet"] if one_per_outlet else [])
    source = "+".join((["dates"] if days is not None else []) + (["outlet"] if one_per_outlet else [])) or "none"
    return _threshold_from_null(S[iu][mask[iu]], quantile=quantile, source=source,
                                what="impossible pairs (" + " or ".join(parts) + ")" if parts else "pairs")


def calibrate_threshold(
    corpus: pd.DataFrame,
    *,
    embeddings: np.ndarray | None = None,
    encoder: Any = None,
    similarity: np.ndarray | None = None,
    reference: pd.DataFrame | None = None,
    reference_embeddings: np.ndarray | None = None,
    window_days: int = 3,
    one_per_outlet: bool = False,
    quantile: float = NULL_QUANTILE,
    title_weight: float = 0.5,
) -> dict[str, Any]:
    """Merge threshold for :func:`link_stories` from pairs that cannot be one story.

    No gold stories are used. The rule: the threshold is the ``quantile`` (default 99.9%)
    of the combined similarity (:func:`story_similarity`) of a *null* set of article
    pairs known not to report one event, so a link must beat all but one in a thousand of
    them. The null set is

    - with ``reference`` (an unrelated corpus, e.g. BASIL for war news): every pair of one
      article of ``corpus`` and one of ``reference``, their similarity computed over both
      corpora (TF-IDF fitted on the union; the corpus's own similarity, used for
      linking, is unchanged);
    - otherwise, pairs of ``corpus`` more than ``window_days`` apart (when every article
      has a date), together with pairs of one outlet when ``one_per_outlet``.

    The dates serve here only to *find* non-story pairs: the same threshold is used
    whether or not :func:`link_stories` also applies the date window (``use_dates``).
    With fewer than :data:`MIN_NULL_PAIRS` (1000) null pairs the quantile lies close to the
    largest null similarity and the result is flagged ``rough``; with none, it raises.
    A reference corpus from another time and topic is an easier null than the corpus's own
    far-apart pairs (same topics, different events), so it gives a lower, more permissive
    threshold.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``outlet``, ``title``, ``text`` (and ``published`` for the date null).
    embeddings, encoder
        Article embeddings (one row per corpus row) or an encoder, as for
        :func:`story_similarity`.
    similarity : ndarray, optional
        Precomputed :func:`story_similarity` of ``corpus``.
    reference : DataFrame, optional
        An unrelated corpus (``title``, ``text``) whose articles cannot share a story with
        any article of ``corpus``.
    reference_embeddings : ndarray, optional
        Embeddings of ``reference`` (needed with ``embeddings`` unless ``encoder`` is given).
    window_days : int
        Pairs more than this many days apart are null pairs.
    one_per_outlet : bool
        Count pairs of one outlet as null pairs too.
    quantile : float
        Quantile of the null similarities, in (0, 1).
    title_weight : float
        Weight of the title similarity (see :func:`story_similarity`).

    Returns
    -------
    dict
        ``threshold``, ``quantile``, ``n_null`` (null pairs), ``null`` (``"dates"``,
        ``"outlet"``, ``"dates+outlet"`` or ``"reference"``), ``rough`` (fewer than
        :data:`MIN_NULL_PAIRS` null pairs) and ``threshold_from`` (the rule in words).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> n = 40  # one article a day; pairs more than 3 days apart are null pairs
    >>> c = pd.DataFrame({"outlet": ["A", "B"] * (n // 2), "title": [""] * n, "text": ["x"] * n,
    ...                   "published": pd.date_range("2020-01-01", periods=n, freq="D")})
    >>> S = np.random.default_rng(0).uniform(0, 0.5, (n, n)); S = (S + S.T) / 2
    >>> cal = calibrate_threshold(c, similarity=S)
    >>> cal["n_null"], cal["null"]
    (666, 'dates')
    >>> iu = np.triu_indices(n, 1); far = (np.abs(np.subtract.outer(range(n), range(n))) > 3)[iu]
    >>> bool(np.isclose(cal["threshold"], np.quantile(S[iu][far], 0.999)))
    True
    """
    _require_columns(corpus, ("outlet", "title", "text"), "corpus")
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    S, cross = _similarities(corpus, embeddings=embeddings, encoder=encoder, similarity=similarity,
                             reference=reference, reference_embeddings=reference_embeddings,
                             title_weight=title_weight)
    outlets = corpus["outlet"].astype(str).to_numpy(dtype=object)
    return _calibrate(S, cross, _usable_days(corpus), outlets, window_days=window_days,
                      one_per_outlet=one_per_outlet, quantile=quantile)


def link_stories(
    corpus: pd.DataFrame,
    *,
    embeddings: np.ndarray | None = None,
    encoder: Any = None,
    similarity: np.ndarray | None = None,
    window_days: int = 3,
    use_dates: bool = True,
    one_per_outlet: bool = False,
    threshold: float | str = "auto",
    reference: pd.DataFrame | None = None,
    reference_embeddings: np.ndarray | None = None,
    title_weight: float = 0.5,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Group articles of different outlets into same-event stories.

    Builds the combined similarity of :func:`story_similarity` (embedding, word TF-IDF,
    entity overlap and title), forbids links between articles more than ``window_days``
    apart (when ``use_dates``) and, when ``one_per_outlet``, between two articles of the same
    outlet, then runs constrained average-linkage agglomeration (Wagstaff et al. 2001):
    clusters merge while their average similarity is at least ``threshold`` and no
    constraint is broken, so a story never holds two articles of one outlet when the option
    is on. Articles that link to nothing are singleton stories.

    Parameters
    ----------
    corpus : DataFrame
        Corpus (``doc_id``, ``outlet``, ``published``, ``title``, ``text``, ...).
    embeddings : ndarray, optional
        Article embeddings, one L2-normalised row per corpus row.
    encoder : object, optional
        Encoder used when ``embeddings`` is None; it encodes ``title + "\\n" + text``.
    similarity : ndarray, optional
        Precomputed :func:`story_similarity` of ``corpus`` (then neither embeddings nor an
        encoder are needed).
    window_days : int
        Articles more than this many days apart are never in one story.
    use_dates : bool
        Apply the date window. False links on content alone (dates, when present, still
        serve to calibrate the ``"auto"`` threshold).
    one_per_outlet : bool
        Never put two articles of the same outlet in one story.
    threshold : float or "auto"
        Minimum average combined similarity for a merge. ``"auto"`` calibrates it without
        gold stories (:func:`calibrate_threshold`): the 99.9th percentile of the similarity
        of pairs that cannot be one story -- pairs more than ``window_days`` apart (whether
        or not ``use_dates`` applies the window), pairs of one outlet when
        ``one_per_outlet``, or, when ``reference`` is given, every pair of a corpus article
        and a reference article. Raises when there is no such pair.
    reference : DataFrame, optional
        An unrelated corpus (``title``, ``text``) whose pairs with the corpus are the null
        of the ``"auto"`` threshold (see :func:`calibrate_threshold`); it does not change
        the similarity used for linking.
    reference_embeddings : ndarray, optional
        Embeddings of ``reference``, one row per reference row.
    title_weight : float
        Weight of the title similarity relative to the other three signals (weight 1).
    random_state : int or Generator, optional
        Accepted for API symmetry; the method is deterministic (ties break by row order).

    Returns
    -------
    DataFrame
        A copy of ``corpus`` with ``story_id`` (``"s0001"``, ... numbered by each story's
        first date, then row order) and ``story_confidence`` in [0, 1]: for an article in a
        multi-article story, ``(a - b) / a`` clipped to [0, 1], with ``a`` its mean
        similarity to the other members and ``b`` its highest similarity to any linkable
        article outside the story; for a singleton, ``(t - b) / t`` with ``t`` the
        threshold. ``attrs["story_linking"]`` records the parameters, the threshold used
        and how it was found (``threshold_from``, ``null``, ``n_null``).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> c = pd.DataFrame({
    ...     "doc_id": ["a1", "b1", "a2", "b2"], "outlet": ["A", "B", "A", "B"],
    ...     "published": pd.to_datetime(["2022-09-23", "2022-09-24", "2022-09-30", "2022-09-30"]),
    ...     "title": ["Voting starts in Kherson", "Kherson voting begins",
    ...               "Security Council veto", "Veto at the Security Council"],
    ...     "text": ["Voting in the Kherson referendum started.", "The Kherson referendum voting started.",
    ...              "Russia vetoed the Security Council resolution.", "The resolution was vetoed by Russia."]})
    >>> linked = link_stories(c, encoder=HashEncoder(), one_per_outlet=True)
    >>> linked["story_id"].tolist()
    ['s0001', 's0001', 's0002', 's0002']
    >>> linked.attrs["story_linking"]["null"]  # calibrated on far-apart and same-outlet pairs
    'dates+outlet'
    """
    _require_columns(corpus, ("doc_id", "outlet", "title", "text") + (("published",) if use_dates else ()),
                     "corpus")
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    if title_weight < 0:
        raise ValueError(f"title_weight must be >= 0, got {title_weight}")
    if isinstance(threshold, str) and threshold != "auto":
        raise ValueError(f"threshold must be a number or 'auto', got {threshold!r}")
    n = len(corpus)
    out = corpus.copy()
    if n == 0:
        out["story_id"] = pd.Series([], dtype="str")
        out["story_confidence"] = pd.Series([], dtype=float)
        return out
    S, cross = _similarities(corpus, embeddings=embeddings, encoder=encoder, similarity=similarity,
                             reference=reference, reference_embeddings=reference_embeddings,
                             title_weight=title_weight)
    outlets = corpus["outlet"].astype(str).to_numpy(dtype=object)
    known_days = _day_numbers(corpus["published"]) if use_dates else _usable_days(corpus)
    cannot = _null_mask(known_days if use_dates else None, outlets, window_days=window_days,
                        one_per_outlet=one_per_outlet)
    days = known_days if use_dates else np.zeros(n, dtype=np.int64)

    if isinstance(threshold, str):
        cal = _calibrate(S, cross, known_days, outlets, window_days=window_days,
                         one_per_outlet=one_per_outlet, quantile=NULL_QUANTILE)
        thr = cal["threshold"]
    else:
        thr = float(threshold)
        cal = {"threshold_from": "given", "null": None, "n_null": None}

    labels = _constrained_average_linkage(S, cannot, thr)

    # number stories by first date, then first row
    order: dict[int, tuple[int, int]] = {}
    for row, lab in enumerate(labels):
        key = (int(days[row]), row)
        if lab not in order or key < order[lab]:
            order[lab] = key
    ranked = sorted(order, key=lambda lab: order[lab])
    width = max(4, len(str(len(ranked))))
    names = {lab: f"s{k + 1:0{width}d}" for k, lab in enumerate(ranked)}

    same = labels[:, None] == labels[None, :]
    off = ~np.eye(n, dtype=bool)
    size = same.sum(axis=1)
    within = np.where(size > 1, (S * (same & off)).sum(axis=1) / np.maximum(size - 1, 1), np.nan)
    outside = np.where(~same & ~cannot, S, -np.inf).max(axis=1)
    outside = np.where(np.isfinite(outside), outside, 0.0)
    a = np.where(size > 1, within, thr)
    conf = np.clip((a - outside) / np.where(a > 0, a, 1.0), 0.0, 1.0)

    out["story_id"] = pd.array([names[lab] for lab in labels], dtype="str")
    out["story_confidence"] = conf
    out.attrs = dict(out.attrs)
    out.attrs["story_linking"] = {
        "threshold": thr, "threshold_from": cal["threshold_from"], "null": cal["null"],
        "n_null": cal["n_null"], "window_days": int(window_days),
        "use_dates": bool(use_dates), "one_per_outlet": bool(one_per_outlet),
        "title_weight": float(title_weight), "n_stories": len(ranked),
        "reference": None if reference is None else len(reference),
        "encoder": getattr(encoder, "name", None) if embeddings is None and similarity is None else None,
    }
    return out


def _labels_to_codes(values: Sequence[Any]) -> np.ndarray:
    """Integer codes; missing labels become unique singletons."""
    vals = pd.Series(list(values), dtype=object)
    codes, _ = pd.factorize(vals)
    codes = codes.astype(np.int64)
    miss = codes < 0
    codes[miss] = codes.max(initial=-1) + 1 + np.arange(miss.sum())
    return codes


#: Metrics of a linking that the story bootstrap resamples.
_PAIR_METRICS = ("pairwise_precision", "pairwise_recall", "pairwise_f1", "ari")


def _pair_confusion(pred: np.ndarray, gold: np.ndarray, copies: np.ndarray) -> np.ndarray:
    """Pair counts (together in both, in pred, in gold, all pairs) for story resamples.

    ``pred`` and ``gold`` are integer codes (gold ``0..G-1``); ``copies`` is a (B, G) array:
    how often each gold story is drawn in each of B resamples (all ones: the data itself).
    Every drawn copy of a story is a story of its own in the gold standard and keeps the
    predicted labels of its articles. Pairs between two copies of one story are left out
    (they pair articles with themselves and their own story-mates), so a duplicated story
    counts exactly like the original and a wrong merge of two stories counts once for
    every pair of their copies. Returns an array of shape (B, 4).
    """
    G = int(gold.max()) + 1 if len(gold) else 0
    P = int(pred.max()) + 1 if len(pred) else 0
    K = np.zeros((G, P))
    np.add.at(K, (gold, pred), 1.0)
    size = K.sum(axis=1)
    N = np.asarray(copies, dtype=np.float64)
    dup = N * N - N
    m = N @ K
    in_pred = (m * (m - 1)).sum(axis=1) / 2 - dup @ (K * K).sum(axis=1) / 2
    in_gold = N @ (size * (size - 1) / 2)
    both = N @ (K * (K - 1) / 2).sum(axis=1)
    M = N @ size
    total = M * (M - 1) / 2 - dup @ (size * size) / 2
    return np.column_stack([both, in_pred, in_gold, total])


def _metrics_from_confusion(C: np.ndarray) -> np.ndarray:
    """Pairwise precision, recall, F1 and ARI (columns) from :func:`_pair_confusion` rows.

    The ARI is the pair-confusion form that :func:`sklearn.metrics.adjusted_rand_score`
    uses, 1.0 when no pair disagrees.
    """
    both, in_pred, in_gold, total = (C[:, i] for i in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(in_pred > 0, both / in_pred, np.nan)
        rec = np.where(in_gold > 0, both / in_gold, np.nan)
        f1 = np.where(prec + rec > 0, 2 * prec * rec / (prec + rec), np.nan)
        tp, fp, fn = both, in_pred - both, in_gold - both
        tn = total - tp - fp - fn
        den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn)
        ari = np.where((fp == 0) & (fn == 0), 1.0, 2.0 * (tp * tn - fn * fp) / den)
    return np.column_stack([prec, rec, f1, ari])


def _pair_metrics(pred: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Pairwise precision, recall, F1 and the adjusted Rand index (integer codes)."""
    G = int(gold.max()) + 1 if len(gold) else 0
    return _metrics_from_confusion(_pair_confusion(pred, gold, np.ones((1, G))))[0]


def _story_draws(gold: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, G) copies of each gold story in ``n_boot`` resamples of G stories with
    replacement, drawn once and shared by every prediction scored."""
    G = int(gold.max()) + 1 if len(gold) else 0
    if n_boot == 0 or G == 0:
        return np.zeros((0, G), dtype=np.int64)
    return rng.multinomial(G, np.full(G, 1.0 / G), size=n_boot)


def _boot_metrics(preds: Sequence[np.ndarray], gold: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Story-bootstrap replicates (n_boot x 4) of :func:`_pair_metrics`; replicate r uses
    prediction ``preds[r % len(preds)]``."""
    reps = np.full((len(draws), len(_PAIR_METRICS)), np.nan)
    for i, pred in enumerate(preds):
        idx = np.arange(i, len(draws), len(preds))
        if len(idx):
            reps[idx] = _metrics_from_confusion(_pair_confusion(pred, gold, draws[idx]))
    return reps


def _interval(reps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% percentile interval per column (NaN where no finite replicate)."""
    lo = np.full(reps.shape[1], np.nan)
    hi = np.full(reps.shape[1], np.nan)
    for j in range(reps.shape[1]):
        v = reps[:, j][np.isfinite(reps[:, j])]
        if len(v):
            lo[j], hi[j] = np.percentile(v, [2.5, 97.5])
    return lo, hi


def _gold_labels(pred: pd.DataFrame, gold: str | pd.Series | Sequence[Any]) -> list[Any]:
    if isinstance(gold, str):
        _require_columns(pred, (gold,), "pred")
        return pred[gold].tolist()
    if isinstance(gold, pd.Series) and not isinstance(gold.index, pd.RangeIndex):
        _require_columns(pred, ("doc_id",), "pred")
        missing = set(pred["doc_id"]) - set(gold.index)
        if missing:
            raise ValueError(f"gold has no label for doc_id(s) {sorted(missing)[:5]}")
        return gold.reindex(pred["doc_id"]).tolist()
    g = list(gold)
    if len(g) != len(pred):
        raise ValueError(f"gold has {len(g)} labels for {len(pred)} predicted rows")
    return g


def _check_n_boot(n_boot: int) -> None:
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be an integer >= 0, got {n_boot!r}")


def evaluate_linking(
    pred: pd.DataFrame,
    gold: str | pd.Series | Sequence[Any],
    *,
    pred_col: str = "story_id",
    similarity: np.ndarray | None = None,
    k: Sequence[int] = (1, 2, 5),
    n_boot: int = 0,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Score a story linking against gold stories, with story-bootstrap intervals.

    Pairwise scores count article pairs put in one story: precision = pairs together in
    both / pairs together in the prediction, recall = pairs together in both / pairs
    together in the gold standard, F1 their harmonic mean. The adjusted Rand index
    (Hubert & Arabie 1985) is computed as :func:`sklearn.metrics.adjusted_rand_score`
    does. Cross-outlet recall@k (when ``similarity`` is given): for each article and each
    other outlet that has a gold partner of it, is a partner among the ``k`` articles of
    that outlet most similar to it? The share of such (article, outlet) cases that are hits.

    Intervals (``n_boot > 0``) resample *gold stories* with replacement, the prediction
    held fixed: they show how much the scores depend on which stories happen to be in the
    test set, not how the linking itself would change (it is not refitted). Each drawn
    copy of a story is a gold story of its own and keeps its articles' predicted labels;
    pairs between two copies of one story are left out, so a duplicated story counts like
    the original and a wrong merge of two stories once per pair of their copies (expected
    pair counts: those of the data, cross-story ones times ``1 - 1/n_stories``). 95%
    percentile intervals, for the pairwise scores and the ARI only.

    Parameters
    ----------
    pred : DataFrame
        Output of :func:`link_stories` (needs ``pred_col``; ``doc_id`` and ``outlet`` for
        some gold forms and recall@k).
    gold : str, Series or sequence
        Gold story labels: a column name of ``pred``, a Series indexed by ``doc_id``, or one
        label per row of ``pred``. Missing labels count as singleton stories.
    pred_col : str
        Column of predicted story labels.
    similarity : ndarray, optional
        Article similarity in ``pred`` row order (e.g. from :func:`story_similarity`) for
        recall@k.
    k : sequence of int
        Cut-offs for recall@k.
    n_boot : int
        Story bootstrap resamples (0: no intervals).
    random_state : int or Generator, optional
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Columns ``metric``, ``estimate``, ``ci_low``, ``ci_high`` (NaN without an
        interval); metrics ``pairwise_precision``, ``pairwise_recall``, ``pairwise_f1``,
        ``ari``, ``n_articles``, ``n_pred_stories``, ``n_gold_stories`` and ``recall@k``
        for each k. ``attrs["evaluate_linking"]`` records ``n_boot`` and ``random_state``.

    Examples
    --------
    >>> import pandas as pd
    >>> pred = pd.DataFrame({"story_id": ["s1", "s1", "s2", "s2"]})
    >>> ev = evaluate_linking(pred, ["g1", "g1", "g1", "g2"]).set_index("metric")["estimate"]
    >>> float(ev["pairwise_precision"]), float(ev["pairwise_recall"])
    (0.5, 0.3333333333333333)
    >>> perfect = pd.DataFrame({"story_id": ["a", "a", "b", "b", "c", "c"]})
    >>> evaluate_linking(perfect, list("xxyyzz"), n_boot=50, random_state=0).set_index(
    ...     "metric").loc["ari", ["estimate", "ci_low", "ci_high"]].tolist()
    [1.0, 1.0, 1.0]
    """
    _require_columns(pred, (pred_col,), "pred")
    _check_n_boot(n_boot)
    g = _gold_labels(pred, gold)
    a = _labels_to_codes(pred[pred_col].tolist())
    b = _labels_to_codes(g)
    est = _pair_metrics(a, b)
    lo = np.full(len(_PAIR_METRICS), np.nan)
    hi = lo.copy()
    if n_boot > 0 and len(a):
        from framing.stats import as_rng

        lo, hi = _interval(_boot_metrics([a], b, _story_draws(b, n_boot, as_rng(random_state))))
    rows: list[tuple[str, float, float, float]] = [
        (m, float(e), float(l_), float(h)) for m, e, l_, h in zip(_PAIR_METRICS, est, lo, hi)]
    rows += [(m, float(v), np.nan, np.nan) for m, v in (
        ("n_articles", len(pred)), ("n_pred_stories", len(np.unique(a))), ("n_gold_stories", len(np.unique(b))))]
    if similarity is not None:
        _require_columns(pred, ("outlet",), "pred")
        S = np.asarray(similarity, dtype=np.float64)
        n = len(pred)
        if S.shape != (n, n):
            raise ValueError(f"similarity must have shape ({n}, {n}), got {S.shape}")
        outl = pred["outlet"].astype(str).to_numpy(dtype=object)
        same_story = b[:, None] == b[None, :]
        for kk in k:
            if kk < 1:
                raise ValueError(f"k must be >= 1, got {kk}")
        hits: dict[int, list[bool]] = {kk: [] for kk in k}
        for o in pd.unique(outl):
            cols = np.flatnonzero(outl == o)
            rows_ = np.flatnonzero(outl != o)
            sub = S[np.ix_(rows_, cols)]
            part = same_story[np.ix_(rows_, cols)]
            has = part.any(axis=1)
            ranked = np.argsort(-sub, axis=1, kind="stable")
            for kk in k:
                top = np.take_along_axis(part, ranked[:, :kk], axis=1).any(axis=1)
                hits[kk].extend(top[has].tolist())
        for kk in k:
            rows.append((f"recall@{kk}", float(np.mean(hits[kk])) if hits[kk] else np.nan, np.nan, np.nan))
    out = pd.DataFrame(rows, columns=["metric", "estimate", "ci_low", "ci_high"])
    out.attrs["evaluate_linking"] = {"n_boot": int(n_boot),
                                     "random_state": random_state if not isinstance(
                                         random_state, np.random.Generator) else "Generator"}
    return out


#: Names of the two date baselines of :func:`linking_baselines`.
BASELINES = ("dates only", "dates + one per outlet")


def _date_partitions(days: np.ndarray, outlets: np.ndarray, *, window_days: int, one_per_outlet: bool,
                     n_ties: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Date-only linkings: the linker with each article's content replaced by its date."""
    n = len(days)
    D = np.abs(days[:, None] - days[None, :]).astype(np.float64)
    S = 1.0 - D / (window_days + 1.0)  # > 0 inside the window
    cannot = _null_mask(days, outlets, window_days=window_days, one_per_outlet=one_per_outlet)
    out = []
    for _ in range(n_ties):
        p = rng.permutation(n)  # ties (equal date gaps) break by a random row order
        lab_p = _constrained_average_linkage(S[np.ix_(p, p)], cannot[np.ix_(p, p)], 0.0)
        lab = np.empty(n, dtype=np.int64)
        lab[p] = p[lab_p]
        out.append(_labels_to_codes(lab.tolist()))
    return out


def linking_baselines(
    corpus: pd.DataFrame,
    gold: str | pd.Series | Sequence[Any],
    *,
    window_days: int = 3,
    n_ties: int = 100,
    n_boot: int = 0,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Story linking from publication dates alone: the baselines a linker must beat.

    Both baselines run the linker of :func:`link_stories` with every article's content
    replaced by its date: the similarity of two articles is ``1 - gap / (window_days + 1)``
    (``gap`` in days), pairs more than ``window_days`` apart cannot link, and clusters merge
    by average linkage as long as the constraints allow.

    - ``"dates only"``: every group of articles the date window allows becomes a story.
    - ``"dates + one per outlet"``: the same, but never two articles of one outlet in one
      story -- on a benchmark built as one article per outlet per event (BASIL's
      triplets) this knows the stories' shape in advance.

    Equal date gaps are ties; they break by a random row order, drawn ``n_ties`` times
    (the row order of a benchmark file often follows its stories, so breaking ties by row
    order would leak the gold grouping). ``estimate`` is the mean over the draws.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``outlet`` and ``published`` (every row dated).
    gold : str, Series or sequence
        Gold story labels, as for :func:`evaluate_linking`.
    window_days : int
        Date window, as in :func:`link_stories`.
    n_ties : int
        Random tie-breaking orders.
    n_boot : int
        Story bootstrap resamples (see :func:`evaluate_linking`); replicate ``r`` also uses
        tie-breaking draw ``r % n_ties``, so the interval holds both sources of variation.
    random_state : int or Generator, optional
        Seed of the tie-breaking and the bootstrap.

    Returns
    -------
    DataFrame
        Columns ``baseline``, ``metric`` (``pairwise_precision``, ``pairwise_recall``,
        ``pairwise_f1``, ``ari``), ``estimate``, ``ci_low``, ``ci_high``, ``sd_ties``
        (standard deviation over the tie-breaking draws).

    Examples
    --------
    Stories ``a`` and ``b`` share their days (each outlet reports one of them a day late);
    ``c`` is ten days later:

    >>> import pandas as pd
    >>> c = pd.DataFrame({"outlet": ["X", "Y", "X", "Y", "X", "Y"], "gold": list("aabbcc"),
    ...                   "published": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-02",
    ...                                                "2020-01-01", "2020-01-11", "2020-01-11"])})
    >>> r = linking_baselines(c, "gold", random_state=0).query("metric == 'ari'")
    >>> r.set_index("baseline")["estimate"].round(4).to_dict()  # 4/9 and 1/6
    {'dates only': 0.4444, 'dates + one per outlet': 0.1667}
    """
    _require_columns(corpus, ("outlet", "published"), "corpus")
    _check_n_boot(n_boot)
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    if not isinstance(n_ties, (int, np.integer)) or n_ties < 1:
        raise ValueError(f"n_ties must be an integer >= 1, got {n_ties!r}")
    from framing.stats import as_rng

    rng = as_rng(random_state)
    b = _labels_to_codes(_gold_labels(corpus, gold))
    days = _day_numbers(corpus["published"])
    outlets = corpus["outlet"].astype(str).to_numpy(dtype=object)
    rows = []
    for name, opo in zip(BASELINES, (False, True)):
        preds = _date_partitions(days, outlets, window_days=window_days, one_per_outlet=opo,
                                 n_ties=n_ties, rng=rng)
        per_draw = np.array([_pair_metrics(p, b) for p in preds])
        est = per_draw.mean(axis=0)
        sd = per_draw.std(axis=0)
        lo = np.full(len(_PAIR_METRICS), np.nan)
        hi = lo.copy()
        if n_boot > 0:
            lo, hi = _interval(_boot_metrics(preds, b, _story_draws(b, n_boot, rng)))
        for j, m in enumerate(_PAIR_METRICS):
            rows.append({"baseline": name, "metric": m, "estimate": float(est[j]), "ci_low": float(lo[j]),
                         "ci_high": float(hi[j]), "sd_ties": float(sd[j])})
    out = pd.DataFrame(rows)
    out.attrs["linking_baselines"] = {"window_days": int(window_days), "n_ties": int(n_ties),
                                      "n_boot": int(n_boot)}
    return out


#: Default settings of :func:`linking_curve`: keyword arguments of :func:`link_stories`.
CURVE_SETTINGS: dict[str, dict[str, bool]] = {
    "dated": {"use_dates": True},
    "content only": {"use_dates": False},
}


def linking_curve(
    corpus: pd.DataFrame,
    gold: str | pd.Series | Sequence[Any],
    *,
    embeddings: np.ndarray | None = None,
    encoder: Any = None,
    similarity: np.ndarray | None = None,
    thresholds: Sequence[float] | np.ndarray | None = None,
    settings: dict[str, dict[str, bool]] | None = None,
    window_days: int = 3,
    reference: pd.DataFrame | None = None,
    reference_embeddings: np.ndarray | None = None,
    metric: str = "ari",
    baselines: bool = True,
    n_ties: int = 100,
    n_boot: int = 0,
    random_state: int | np.random.Generator | None = None,
    title_weight: float = 0.5,
) -> pd.DataFrame:
    """Linking accuracy over the merge threshold, at the calibrated thresholds, and baselines.

    For each setting (keyword arguments of :func:`link_stories`: ``use_dates``,
    ``one_per_outlet``) the linking is scored against ``gold`` at every threshold in
    ``thresholds`` (the *curve*) and at the threshold calibrated without gold stories by
    :func:`calibrate_threshold` from the corpus's own impossible pairs (null ``"dates"``,
    ``"outlet"`` or ``"dates+outlet"``) and, when ``reference`` is given, from pairs with
    the reference corpus (null ``"reference"``). With ``baselines``, the date baselines of
    :func:`linking_baselines` are added. Intervals: story bootstrap as in
    :func:`evaluate_linking`.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``outlet``, ``published``, ``title``, ``text`` (and ``doc_id``).
    gold : str, Series or sequence
        Gold story labels, as for :func:`evaluate_linking`.
    embeddings, encoder, similarity
        As for :func:`link_stories`.
    thresholds : sequence of float, optional
        Merge thresholds of the curve (default 0.10, 0.1125, ..., 0.50).
    settings : dict, optional
        Setting name -> keyword arguments (default :data:`CURVE_SETTINGS`: ``"dated"`` and
        ``"content only"``).
    window_days : int
        Date window (constraint and null).
    reference, reference_embeddings
        An unrelated corpus for a second calibration (see :func:`calibrate_threshold`).
    metric : str
        ``"ari"`` (default), ``"pairwise_f1"``, ``"pairwise_precision"`` or
        ``"pairwise_recall"``.
    baselines : bool
        Add the date baselines.
    n_ties : int
        Tie-breaking draws of the baselines.
    n_boot : int
        Story bootstrap resamples (0: no intervals).
    random_state : int or Generator, optional
        Seed of the bootstrap and the baselines' tie-breaking.
    title_weight : float
        Weight of the title similarity.

    Returns
    -------
    DataFrame
        One row per point: ``setting`` (setting or baseline name), ``kind`` (``"curve"``,
        ``"calibrated"`` or ``"baseline"``), ``null`` (calibrated rows: the null used),
        ``threshold`` (NaN for baselines), ``estimate``, ``ci_low``, ``ci_high``,
        ``n_pred_stories`` (NaN for baselines). ``attrs["linking_curve"]`` records the
        metric and parameters. Draw it with :func:`framing.plot.align.plot_linking_curve`.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> c = pd.DataFrame({"doc_id": list("123456"), "outlet": ["X", "Y"] * 3, "gold": list("aabbcc"),
    ...     "published": pd.to_datetime(["2020-01-01"] * 4 + ["2020-01-11"] * 2),
    ...     "title": ["", "", "", "", "", ""],
    ...     "text": ["dam burst flood", "flood after dam burst", "tax bill passes senate",
    ...              "senate passes tax bill", "quake hits coast", "coast hit by quake"]})
    >>> r = linking_curve(c, "gold", encoder=HashEncoder(), thresholds=[0.2, 1.01], random_state=0)
    >>> r[r["kind"] == "curve"][["setting", "threshold", "estimate"]].values.tolist()
    [['dated', 0.2, 1.0], ['dated', 1.01, 0.0], ['content only', 0.2, 1.0], ['content only', 1.01, 0.0]]
    >>> r["kind"].value_counts().to_dict()
    {'curve': 4, 'calibrated': 2, 'baseline': 2}
    """
    if metric not in _PAIR_METRICS:
        raise ValueError(f"metric must be one of {list(_PAIR_METRICS)}, got {metric!r}")
    _require_columns(corpus, ("outlet", "title", "text"), "corpus")
    _check_n_boot(n_boot)
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    settings = dict(CURVE_SETTINGS if settings is None else settings)
    for name, kw in settings.items():
        bad = set(kw) - {"use_dates", "one_per_outlet"}
        if bad:
            raise ValueError(f"setting {name!r}: unknown option(s) {sorted(bad)}; use use_dates, one_per_outlet")
    thr_grid = (np.round(np.arange(0.10, 0.50 + 1e-9, 0.0125), 4) if thresholds is None
                else np.asarray(thresholds, dtype=np.float64))
    from framing.stats import as_rng

    rng = as_rng(random_state)
    j = _PAIR_METRICS.index(metric)
    b = _labels_to_codes(_gold_labels(corpus, gold))
    S, cross = _similarities(corpus, embeddings=embeddings, encoder=encoder, similarity=similarity,
                             reference=reference, reference_embeddings=reference_embeddings,
                             title_weight=title_weight)
    outlets = corpus["outlet"].astype(str).to_numpy(dtype=object)
    known_days = _usable_days(corpus)

    # one set of story resamples for every point: the curves' bands move together
    draws = _story_draws(b, n_boot, rng)

    def score(pred: np.ndarray) -> tuple[float, float, float]:
        est = float(_pair_metrics(pred, b)[j])
        if n_boot == 0:
            return est, np.nan, np.nan
        lo, hi = _interval(_boot_metrics([pred], b, draws)[:, [j]])
        return est, float(lo[0]), float(hi[0])

    rows = []
    for name, kw in settings.items():
        use_dates = bool(kw.get("use_dates", True))
        opo = bool(kw.get("one_per_outlet", False))
        if use_dates and known_days is None:
            raise ValueError(f"setting {name!r} uses dates but column 'published' is missing or incomplete")
        cannot = _null_mask(known_days if use_dates else None, outlets, window_days=window_days,
                            one_per_outlet=opo)
        for t in thr_grid:
            pred = _labels_to_codes(_constrained_average_linkage(S, cannot, float(t)).tolist())
            rows.append({"setting": name, "kind": "curve", "null": "", "threshold": float(t),
                         **dict(zip(("estimate", "ci_low", "ci_high"), score(pred))),
                         "n_pred_stories": float(len(np.unique(pred)))})
        nulls = [None] + ([cross] if cross is not None else [])
        for cr in nulls:
            try:
                cal = _calibrate(S, cr, known_days, outlets, window_days=window_days, one_per_outlet=opo,
                                 quantile=NULL_QUANTILE)
            except ValueError:
                continue  # no impossible pairs in the corpus: nothing to calibrate on
            pred = _labels_to_codes(_constrained_average_linkage(S, cannot, cal["threshold"]).tolist())
            rows.append({"setting": name, "kind": "calibrated", "null": cal["null"],
                         "threshold": cal["threshold"],
                         **dict(zip(("estimate", "ci_low", "ci_high"), score(pred))),
                         "n_pred_stories": float(len(np.unique(pred)))})
    if baselines:
        base = linking_baselines(corpus, b, window_days=window_days, n_ties=n_ties, n_boot=n_boot,
                                 random_state=rng)
        for _, r in base[base["metric"] == metric].iterrows():
            rows.append({"setting": r["baseline"], "kind": "baseline", "null": "", "threshold": np.nan,
                         "estimate": r["estimate"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                         "n_pred_stories": np.nan})
    out = pd.DataFrame(rows, columns=["setting", "kind", "null", "threshold", "estimate", "ci_low", "ci_high",
                                      "n_pred_stories"])
    out.attrs["linking_curve"] = {
        "metric": metric, "window_days": int(window_days), "quantile": NULL_QUANTILE, "n_boot": int(n_boot),
        "n_ties": int(n_ties), "settings": {k: dict(v) for k, v in settings.items()},
        "reference": None if reference is None else len(reference),
        "random_state": random_state if not isinstance(random_state, np.random.Generator) else "Generator",
    }
    return out


# ----------------------------------------------------------------------------- claims

@dataclass
class ClaimAlignment:
    """Claims of one story aligned across outlets (see :func:`align_claims`).

    Attributes
    ----------
    claims : DataFrame
        One row per sentence: ``claim_id``, ``outlet``, ``sent_id``, ``doc_id``, ``text``,
        ``similarity`` (cosine of the sentence's best accepted link inside its claim; NaN
        for a sentence no other outlet matches), ``position`` (index in its article).
    coverage : DataFrame
        Boolean claim x outlet matrix (index ``claim_id``, one column per outlet): does the
        outlet carry the claim?
    omissions : DataFrame
        ``outlet``, ``claim_id``, ``carried_by`` (comma-separated outlets that carry it),
        ``n_carriers``: one row for each claim an outlet does not carry.
    links : DataFrame
        Every accepted cross-outlet sentence link: ``sent_id_a``, ``outlet_a``,
        ``sent_id_b``, ``outlet_b``, ``similarity``, ``margin``, ``used`` (False when the
        one-sentence-per-outlet rule kept it out of a claim).
    outlets : list of str
        Outlets in column order.
    story : str or None
        Story label.
    params : dict
        Parameters of the alignment.
    """

    claims: pd.DataFrame
    coverage: pd.DataFrame
    omissions: pd.DataFrame
    links: pd.DataFrame
    outlets: list[str]
    story: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def n_claims(self) -> int:
        """Number of claims (shared and singleton)."""
        return len(self.coverage)

    def shared(self, min_outlets: int = 2) -> pd.DataFrame:
        """Claims carried by at least ``min_outlets`` outlets (rows of :attr:`claims`)."""
        keep = self.coverage.index[self.coverage.sum(axis=1) >= min_outlets]
        return self.claims[self.claims["claim_id"].isin(keep)].reset_index(drop=True)

    def unique(self, outlet: str | None = None) -> pd.DataFrame:
        """Claims one outlet alone carries (optionally only those of ``outlet``)."""
        alone = self.coverage.index[self.coverage.sum(axis=1) == 1]
        out = self.claims[self.claims["claim_id"].isin(alone)]
        if outlet is not None:
            if outlet not in self.outlets:
                raise ValueError(f"unknown outlet {outlet!r}; outlets are {self.outlets}")
            out = out[out["outlet"] == outlet]
        return out.reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """Per outlet: sentences, claims carried, shared, carried alone, omitted."""
        cov = self.coverage
        n_car = cov.sum(axis=1)
        rows = []
        for o in self.outlets:
            has = cov[o]
            rows.append({
                "outlet": o,
                "n_sentences": int((self.claims["outlet"] == o).sum()),
                "n_claims": int(has.sum()),
                "n_shared": int((has & (n_car >= 2)).sum()),
                "n_unique": int((has & (n_car == 1)).sum()),
                "n_omitted": int((~has).sum()),
                "n_omitted_shared": int((~has & (n_car >= 2)).sum()),
            })
        return pd.DataFrame(rows)

    def to_html(self, path: str | Path | None = None, *, title: str | None = None,
                max_claims: int | None = None, min_outlets: int = 1) -> str:
        """Standalone, self-contained HTML story view (see :mod:`framing.storyview`).

        Writes it to ``path`` when given; always returns the HTML string.
        """
        from framing.storyview import render_story_view

        html = render_story_view(self, title=title, standalone=True, max_claims=max_claims,
                                 min_outlets=min_outlets)
        if path is not None:
            Path(path).write_text(html, encoding="utf-8")
        return html

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: a header line and the story view of the first 10 claims.

        The whole view is :meth:`to_html`.
        """
        from framing._display import html_summary
        from framing.storyview import render_story_view

        n_shared = int((self.coverage.sum(axis=1) >= 2).sum())
        head = html_summary("ClaimAlignment", {"story": self.story, "outlets": self.outlets,
                                               "claims": self.n_claims, "shared": n_shared,
                                               "omissions": len(self.omissions)})
        return head + render_story_view(self, standalone=False, max_claims=10)

    def __repr__(self) -> str:
        n_shared = int((self.coverage.sum(axis=1) >= 2).sum())
        return (f"ClaimAlignment(story={self.story!r}, outlets={self.outlets}, "
                f"claims={self.n_claims}, shared={n_shared})")


def _margin_links(Xa: np.ndarray, Xb: np.ndarray, *, k: int, min_similarity: float,
                  margin: float, mutual: bool) -> list[tuple[int, int, float, float]]:
    """Accepted (i, j, cosine, ratio margin) links between two sentence sets.

    Ratio margin (Artetxe & Schwenk 2019): cos(x, y) divided by the mean of the average
    cosine of x to its k nearest neighbours in b and of y to its k nearest in a.
    """
    if len(Xa) == 0 or len(Xb) == 0:
        return []
    S = Xa.astype(np.float64) @ Xb.T.astype(np.float64)
    ka, kb = min(k, S.shape[1]), min(k, S.shape[0])
    nn_a = -np.sort(-S, axis=1)[:, :ka].mean(axis=1)
    nn_b = -np.sort(-S, axis=0)[:kb, :].mean(axis=0)
    denom = np.maximum((nn_a[:, None] + nn_b[None, :]) / 2, 1e-6)
    M = S / denom
    best_b = S.argmax(axis=1)
    best_a = S.argmax(axis=0)
    links = []
    for i in range(S.shape[0]):
        cands = [int(best_b[i])] if mutual else list(range(S.shape[1]))
        for j in cands:
            if mutual and int(best_a[j]) != i:
                continue
            if not mutual and (int(best_b[i]) != j and int(best_a[j]) != i):
                continue
            if S[i, j] >= min_similarity and M[i, j] >= margin:
                links.append((i, j, float(S[i, j]), float(M[i, j])))
    return links


def align_claims(
    sentences: pd.DataFrame,
    *,
    embeddings: np.ndarray | None = None,
    encoder: Any = None,
    story: str | None = None,
    min_similarity: float = 0.55,
    margin: float = 1.05,
    mutual: bool = True,
    k: int = 4,
    outlets: Sequence[str] | None = None,
) -> ClaimAlignment:
    """Align the sentences of one story's articles across outlets into claims.

    For every pair of outlets, each sentence is compared with all sentences of the other
    outlet (cosine of the embeddings; the order of sentences plays no part). A link is
    accepted when the two sentences are each other's best match (``mutual``), their cosine
    is at least ``min_similarity``, and their ratio margin (Artetxe & Schwenk 2019) --
    the cosine divided by the average cosine of both sentences to their ``k`` nearest
    candidates -- is at least ``margin``, i.e. the match clearly stands out from the
    next-best candidates. Claims are then grown from the accepted links in order of
    decreasing cosine, joining two groups only if they share no outlet, so a claim has
    at most one sentence per outlet (a link that would break this is reported with
    ``used=False``). Every sentence without an accepted link is a singleton claim. Claims
    are numbered by the mean relative position of their sentences in their articles.

    Parameters
    ----------
    sentences : DataFrame
        Sentence table of one story (``doc_id``, ``sent_id``, ``outlet``, ``text``;
        ``position`` is used for ordering when present). With a ``story_id`` column and
        ``story`` given, only that story's rows are used.
    embeddings : ndarray, optional
        Sentence embeddings, one L2-normalised row per row of ``sentences``.
    encoder : object, optional
        Encoder used when ``embeddings`` is None.
    story : str, optional
        Story label (selects rows when ``sentences`` has ``story_id``).
    min_similarity : float
        Minimum cosine of an accepted link.
    margin : float
        Minimum ratio margin of an accepted link (1.0 disables the margin test).
    mutual : bool
        Require mutual best matches (else a best match in either direction suffices).
    k : int
        Neighbourhood size of the margin.
    outlets : sequence of str, optional
        Outlet column order (default: order of first appearance).

    Returns
    -------
    ClaimAlignment

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({
    ...     "doc_id": ["a", "a", "b", "b"], "sent_id": ["a:0", "a:1", "b:0", "b:1"],
    ...     "outlet": ["A", "A", "B", "B"],
    ...     "text": ["Russia vetoed the resolution", "Markets were calm",
    ...              "Officials praised the harvest", "the resolution Russia vetoed"]})
    >>> al = align_claims(s, encoder=HashEncoder(), min_similarity=0.5, margin=1.0)
    >>> al.coverage.astype(int).values.tolist()  # claims ordered by position in the articles
    [[0, 1], [1, 1], [1, 0]]
    """
    _require_columns(sentences, ("doc_id", "sent_id", "outlet", "text"), "sentences")
    df = sentences
    if "story_id" in df.columns:
        if story is not None:
            keep = (df["story_id"] == story).to_numpy()
            if not keep.any():
                raise ValueError(f"no sentences of story {story!r} (column 'story_id')")
            if embeddings is not None:
                embeddings = np.asarray(embeddings)[keep]
            df = df[keep]
        elif df["story_id"].nunique() > 1:
            raise ValueError("sentences hold several stories (column 'story_id'); pass story=...")
        elif len(df):
            story = str(df["story_id"].iloc[0])
    if df["sent_id"].duplicated().any():
        dup = df.loc[df["sent_id"].duplicated(), "sent_id"].iloc[0]
        raise ValueError(f"column 'sent_id' is not unique (e.g. {dup!r})")
    if not (0 <= min_similarity <= 1):
        raise ValueError(f"min_similarity must be in [0, 1], got {min_similarity}")
    if margin < 0 or k < 1:
        raise ValueError(f"margin must be >= 0 and k >= 1, got margin={margin}, k={k}")
    df = df.reset_index(drop=True)
    X = _resolve_embeddings(_texts(df["text"]), embeddings, encoder, "sentence")
    outl = df["outlet"].astype(str).tolist()
    order = list(dict.fromkeys(outl))
    if outlets is not None:
        extra = [o for o in order if o not in outlets]
        if extra:
            raise ValueError(f"sentences have outlet(s) {extra} not in outlets={list(outlets)}")
        order = [str(o) for o in outlets]
    outl_arr = np.array(outl, dtype=object)
    idx = {o: np.flatnonzero(outl_arr == o) for o in order}

    links = []
    for ai, oa in enumerate(order):
        for ob in order[ai + 1:]:
            ia, ib = idx[oa], idx[ob]
            for i, j, sim, mar in _margin_links(X[ia], X[ib], k=k, min_similarity=min_similarity,
                                                margin=margin, mutual=mutual):
                links.append((int(ia[i]), int(ib[j]), sim, mar))
    links.sort(key=lambda t: (-t[2], t[0], t[1]))

    # union-find with outlet sets: at most one sentence per outlet per claim
    parent = list(range(len(df)))
    members_outlets = [{o} for o in outl]
    best_sim = np.full(len(df), np.nan)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    used = []
    for a, b, sim, _ in links:
        ra, rb = find(a), find(b)
        ok = ra != rb and not (members_outlets[ra] & members_outlets[rb])
        if ok:
            parent[rb] = ra
            members_outlets[ra] |= members_outlets[rb]
            for s in (a, b):
                best_sim[s] = sim if np.isnan(best_sim[s]) else max(best_sim[s], sim)
        used.append(ok)

    roots = np.array([find(i) for i in range(len(df))])
    if "position" in df.columns:
        pos = pd.to_numeric(df["position"], errors="coerce").to_numpy(dtype=float)
    else:
        pos = df.groupby("doc_id", sort=False).cumcount().to_numpy(dtype=float)
    doc = df["doc_id"].astype(str).to_numpy(dtype=object)
    rel = np.zeros(len(df))
    for d in pd.unique(doc):
        m = doc == d
        span = np.nanmax(pos[m]) if m.sum() > 1 else 0.0
        rel[m] = pos[m] / span if span and span > 0 else 0.0
    root_ids = pd.unique(roots)
    key = {r: (float(np.mean(rel[roots == r])), int(np.min(np.flatnonzero(roots == r)))) for r in root_ids}
    ranked = sorted(root_ids, key=lambda r: key[r])
    width = max(3, len(str(len(ranked))))
    cid = {r: f"c{k_ + 1:0{width}d}" for k_, r in enumerate(ranked)}

    claims = pd.DataFrame({
        "claim_id": pd.array([cid[r] for r in roots], dtype="str"),
        "outlet": pd.array(outl, dtype="str"),
        "sent_id": df["sent_id"].astype("str").to_numpy(),
        "doc_id": df["doc_id"].astype("str").to_numpy(),
        "text": df["text"].astype("str").to_numpy(),
        "similarity": best_sim,
        "position": pos,
    })
    rank_of = {cid[r]: i for i, r in enumerate(ranked)}
    claims = claims.assign(_r=claims["claim_id"].map(rank_of),
                           _o=claims["outlet"].map({o: i for i, o in enumerate(order)}))
    claims = claims.sort_values(["_r", "_o", "position"], kind="stable").drop(columns=["_r", "_o"])
    claims = claims.reset_index(drop=True)

    claim_ids = [cid[r] for r in ranked]
    coverage = pd.DataFrame(False, index=pd.Index(claim_ids, name="claim_id"), columns=order)
    for c_, o in zip(claims["claim_id"], claims["outlet"]):
        coverage.loc[c_, o] = True
    coverage.columns.name = "outlet"

    om_rows = []
    for c_ in claim_ids:
        carriers = [o for o in order if coverage.loc[c_, o]]
        for o in order:
            if not coverage.loc[c_, o]:
                om_rows.append((o, c_, ", ".join(carriers), len(carriers)))
    omissions = pd.DataFrame(om_rows, columns=["outlet", "claim_id", "carried_by", "n_carriers"])
    omissions = omissions.astype({"outlet": "str", "claim_id": "str", "carried_by": "str"})

    sid = df["sent_id"].astype(str).tolist()
    link_df = pd.DataFrame(
        [(sid[a], outl[a], sid[b], outl[b], sim, mar, u) for (a, b, sim, mar), u in zip(links, used)],
        columns=["sent_id_a", "outlet_a", "sent_id_b", "outlet_b", "similarity", "margin", "used"],
    )
    params = {"min_similarity": min_similarity, "margin": margin, "mutual": mutual, "k": k,
              "encoder": getattr(encoder, "name", None) if embeddings is None else None}
    return ClaimAlignment(claims=claims, coverage=coverage, omissions=omissions, links=link_df,
                          outlets=order, story=story, params=params)


# ----------------------------------------------------------------------------- benchmark

def _synthetic_corpus(n_stories: int, outlets: Sequence[str], rng: np.random.Generator) -> pd.DataFrame:
    vocab = [f"w{i}" for i in range(3000)]
    names = [f"Name{i}" for i in range(500)]
    rows = []
    for s in range(n_stories):
        topic = rng.choice(vocab, 40, replace=False)
        ents = rng.choice(names, 4, replace=False)
        day = pd.Timestamp("2022-09-01") + pd.Timedelta(days=int(rng.integers(0, 40)))
        for o in outlets:
            words = list(rng.choice(topic, 60)) + list(rng.choice(vocab, 60)) + list(rng.choice(ents, 6))
            rng.shuffle(words)
            rows.append({"doc_id": f"{o}-{s}", "outlet": o, "published": day,
                         "title": " ".join(words[:8]), "text": ". ".join(" ".join(words[i:i + 12])
                                                                    for i in range(0, len(words), 12)),
                         "url": "", "lang": "en", "gold": s})
    return pd.DataFrame(rows)


def benchmark(*, n_stories: int = 100, n_outlets: int = 3, sentences_per_doc: int = 30,
              random_state: int = 0) -> dict[str, float]:
    """Time story linking and claim alignment on synthetic data (HashEncoder, no model).

    Returns a dict of wall-clock seconds and sizes: ``link_stories_s`` for
    ``n_stories * n_outlets`` articles, ``align_claims_s`` for one story of ``n_outlets``
    articles with ``sentences_per_doc`` sentences each, plus ``link_ari`` as a sanity check.

    Examples
    --------
    >>> r = benchmark(n_stories=5, sentences_per_doc=5)
    >>> sorted(r)
    ['align_claims', 'align_claims_s', 'align_sentences', 'link_ari', 'link_articles', 'link_stories_s']
    """
    from sklearn.metrics import adjusted_rand_score

    from framing.testing import HashEncoder

    rng = np.random.default_rng(random_state)
    outlets = [f"O{i}" for i in range(n_outlets)]
    corpus = _synthetic_corpus(n_stories, outlets, rng)
    enc = HashEncoder(dim=128)
    X = enc.encode([f"{t}\n{x}" for t, x in zip(corpus["title"], corpus["text"])])
    t0 = time.perf_counter()
    linked = link_stories(corpus, embeddings=X, one_per_outlet=True)
    t_link = time.perf_counter() - t0
    ari = adjusted_rand_score(corpus["gold"], linked["story_id"])

    sent_rows = []
    base = [" ".join(rng.choice([f"v{i}" for i in range(2000)], 10)) for _ in range(sentences_per_doc)]
    for o in outlets:
        perm = rng.permutation(sentences_per_doc)
        for p, i in enumerate(perm):
            sent_rows.append({"doc_id": o, "sent_id": f"{o}:{p}", "outlet": o, "text": base[i], "position": p})
    sents = pd.DataFrame(sent_rows)
    E = enc.encode(sents["text"].tolist())
    t0 = time.perf_counter()
    al = align_claims(sents, embeddings=E)
    t_align = time.perf_counter() - t0
    return {"link_stories_s": t_link, "link_articles": float(len(corpus)), "link_ari": float(ari),
            "align_claims_s": t_align, "align_sentences": float(len(sents)),
            "align_claims": float(al.n_claims)}
