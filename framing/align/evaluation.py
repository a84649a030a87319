"""Score a story linking against gold stories: pairwise scores, ARI, date baselines, threshold curve."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import require_columns
from framing.stats import as_rng, bootstrap_counts
from framing.align.linking import (NULL_QUANTILE, _calibrate, _constrained_average_linkage, _day_numbers,
                                   _null_mask, _similarities, _usable_days)

__all__ = ["evaluate_linking", "linking_baselines", "linking_curve", "BASELINES", "CURVE_SETTINGS"]

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
    return bootstrap_counts(G, n_boot, rng)


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
        require_columns(pred, (gold,), name="pred")
        return pred[gold].tolist()
    if isinstance(gold, pd.Series) and not isinstance(gold.index, pd.RangeIndex):
        require_columns(pred, ("doc_id",), name="pred")
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
    require_columns(pred, (pred_col,), name="pred")
    _check_n_boot(n_boot)
    g = _gold_labels(pred, gold)
    a = _labels_to_codes(pred[pred_col].tolist())
    b = _labels_to_codes(g)
    est = _pair_metrics(a, b)
    lo = np.full(len(_PAIR_METRICS), np.nan)
    hi = lo.copy()
    if n_boot > 0 and len(a):
        lo, hi = _interval(_boot_metrics([a], b, _story_draws(b, n_boot, as_rng(random_state))))
    rows: list[tuple[str, float, float, float]] = [
        (m, float(e), float(l_), float(h)) for m, e, l_, h in zip(_PAIR_METRICS, est, lo, hi)]
    rows += [(m, float(v), np.nan, np.nan) for m, v in (
        ("n_articles", len(pred)), ("n_pred_stories", len(np.unique(a))), ("n_gold_stories", len(np.unique(b))))]
    if similarity is not None:
        require_columns(pred, ("outlet",), name="pred")
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
    require_columns(corpus, ("outlet", "published"), name="corpus")
    _check_n_boot(n_boot)
    if window_days < 0:
        raise ValueError(f"window_days must be >= 0, got {window_days}")
    if not isinstance(n_ties, (int, np.integer)) or n_ties < 1:
        raise ValueError(f"n_ties must be an integer >= 1, got {n_ties!r}")
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
    require_columns(corpus, ("outlet", "title", "text"), name="corpus")
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

