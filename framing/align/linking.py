"""Link articles into stories: combined similarity, calibrated threshold, constrained linkage."""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import require_columns, resolve_embeddings
from framing.align.entities import _texts, _tfidf_cosine, extract_entities

__all__ = ["story_similarity", "calibrate_threshold", "link_stories", "NULL_QUANTILE", "MIN_NULL_PAIRS"]

#: Quantile of the null (impossible-pair) similarities used as the calibrated threshold.
NULL_QUANTILE = 0.999
#: Below this many null pairs a calibrated threshold is flagged ``rough`` (the 99.9%
#: quantile of fewer pairs lies near their maximum).
MIN_NULL_PAIRS = 1000

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


def _article_vectors(texts: Sequence[str], embeddings: Any, encoder: Any, *, name: str) -> np.ndarray:
    """Unit-length article vectors (the glossary's embeddings=/encoder= rule; zero rows kept as zeros)."""
    return resolve_embeddings(texts, embeddings=embeddings, encoder=encoder, name=name, what="article",
                              zero="keep")


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
    require_columns(corpus, ("title", "text"), name="corpus")
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
        X = _article_vectors(full, embeddings, encoder, name="embeddings").astype(np.float64)
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
    require_columns(reference, ("title", "text"), name="reference")
    if len(reference) == 0:
        raise ValueError("reference corpus is empty")
    if encoder is None and (embeddings is None or reference_embeddings is None):
        raise ValueError("a reference null needs embeddings of both corpora (embeddings= and "
                         "reference_embeddings=) or an encoder=")

    def _emb(df: pd.DataFrame, given: Any, what: str) -> np.ndarray:
        full = [f"{t}\n{x}" if t else x for t, x in zip(_texts(df["title"]), _texts(df["text"]))]
        return _article_vectors(full, given, encoder, name=what)

    Xc = _emb(corpus, embeddings, "embeddings")
    X = np.vstack([Xc, _emb(reference, reference_embeddings, "reference_embeddings")])
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
    require_columns(corpus, ("outlet", "title", "text"), name="corpus")
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    S, cross = _similarities(corpus, embeddings=embeddings, encoder=encoder, similarity=similarity,
                             reference=reference, reference_embeddings=reference_embeddings,
                             title_weight=title_weight)
    outlets = corpus["outlet"].astype(str).to_numpy(dtype=object)
    return _calibrate(S, cross, _usable_days(corpus), outlets, window_days=window_days,
                      one_per_outlet=one_per_outlet, quantile=quantile)


def _drops_random_state(func: Callable[..., Any]) -> Callable[..., Any]:
    """Accept the retired ``random_state=`` of a deterministic function for one release, with a
    DeprecationWarning (it never had an effect)."""

    @functools.wraps(func)
    def inner(*args: Any, **kwargs: Any) -> Any:
        if "random_state" in kwargs:
            kwargs.pop("random_state")
            warnings.warn(f"{func.__qualname__}(random_state=...) is deprecated and ignored (the method is "
                          "deterministic: ties break by row order); it will be removed in the next release",
                          DeprecationWarning, stacklevel=2)
        return func(*args, **kwargs)

    return inner


@_drops_random_state
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
    require_columns(corpus, ("doc_id", "outlet", "title", "text") + (("published",) if use_dates else ()),
                    name="corpus")
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

