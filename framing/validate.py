"""Checking a measure against human coding: agreement between coders.

:func:`agreement` gives Krippendorff's alpha (Krippendorff 2004, *Content Analysis*, ch. 11;
computed with the ``krippendorff`` package) between two or more coding passes of the same
units, with a bootstrap interval over units (Hayes & Krippendorff 2007), and the raw share
of units on which the coders agree.

Coded tables follow the project's convention: ids and offsets plus code columns, never
corpus text (see ``docs/codebook_voice.md``); units are matched by ``doc_id`` and
``sent_id``.

References
----------
Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology* (2nd ed.).
Sage.

Hayes, A. F. & Krippendorff, K. (2007). Answering the call for a standard reliability
measure for coding data. *Communication Methods and Measures* 1(1), 77-89.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import check_embeddings, group_labels, l2_normalize, resolve_embeddings
from framing.stats import as_rng, percentile_interval

__all__ = ["agreement", "estimate_shares", "validate_axis", "axis_reliability", "coding_sample",
           "write_coding_sheet", "read_codes"]

_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _alpha(matrix: np.ndarray, level: str, n_categories: int) -> float:
    import krippendorff

    if np.isfinite(matrix).sum() == 0 or n_categories < 2:
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level,
                                        value_domain=np.arange(n_categories, dtype=float)))


def agreement(*coded: pd.DataFrame, label: str, on: Sequence[str] = ("doc_id", "sent_id"),
              level: str = "nominal", categories: Sequence[str] | None = None, n_boot: int = 2000,
              alpha: float = 0.05, random_state: int | np.random.Generator | None = None,
              group: Any = None) -> pd.DataFrame:
    """Krippendorff's alpha between coding passes of the same units, with a bootstrap interval.

    Parameters
    ----------
    *coded : DataFrame
        Two or more coded tables (one per coder or pass) with the ``on`` columns and the
        ``label`` column. Units are matched on ``on``; a unit missing from a pass, or with
        an empty code, counts as missing for that pass (alpha handles missing values).
    label : str
        The code column (e.g. ``"voice"``).
    on : sequence of str
        Columns identifying a unit.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement.
    categories : sequence of str, optional
        Category order (for ordinal codes; default: sorted values).
    n_boot, alpha, random_state
        Bootstrap replicates over units, 1 - coverage, seed.
    group : str, mapping, (column, mapping) or None
        Also report alpha within each group of the first table (the glossary's ``group=``: a
        column, a mapping ``{outlet: label}``, or a ``(column, mapping)`` pair).

    Returns
    -------
    DataFrame
        One row per group ("all" first): ``group``, ``label``, ``estimate`` (alpha),
        ``ci_low``, ``ci_high`` (percentile bootstrap over units), ``percent_agreement``
        (share of units coded by every pass on which all passes agree), ``n`` (units coded by
        at least two passes), ``n_coders``.

    Examples
    --------
    >>> a = pd.DataFrame({"doc_id": list("abcdef"), "sent_id": list("123456"),
    ...                   "voice": ["own", "own", "reported", "direct", "own", "reported"]})
    >>> b = a.assign(voice=["own", "own", "reported", "reported", "own", "reported"])
    >>> r = agreement(a, b, label="voice", n_boot=200, random_state=0)
    >>> r[["estimate", "percent_agreement", "n"]].round(3).values.tolist()
    [[0.732, 0.833, 6.0]]
    """
    if len(coded) < 2:
        raise ValueError("agreement() needs at least two coded tables")
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {list(_LEVELS)}, got {level!r}")
    on = list(on)
    for k, t in enumerate(coded):
        missing = [c for c in [*on, label] if c not in t.columns]
        if missing:
            raise ValueError(f"coded table {k}: missing column(s) {missing}")
        dup = t.duplicated(on)
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            raise ValueError(f"coded table {k}, row {row}: unit {t[on].iloc[row].tolist()} is coded twice")
    keys = pd.concat([t[on].astype(str) for t in coded]).drop_duplicates().reset_index(drop=True)
    values = []
    for t in coded:
        v = keys.merge(t[on].astype(str).assign(_v=t[label].to_numpy()), on=on, how="left")["_v"]
        values.append([None if pd.isna(x) or not str(x).strip() else str(x) for x in v])
    seen = {x for v in values for x in v if x is not None}
    if categories is None:
        cats = sorted(seen)
    else:
        cats = [str(c) for c in categories]
        unknown = seen - set(cats)
        if unknown:
            raise ValueError(f"codes {sorted(unknown)} are not in categories={cats}")
    code = {c: float(i) for i, c in enumerate(cats)}
    M = np.array([[code[x] if x is not None else np.nan for x in v] for v in values])   # coders x units
    pairable = (np.isfinite(M).sum(axis=0) >= 2)
    groups: list[tuple[str, np.ndarray]] = [("all", pairable)]
    if group is not None:
        labels = group_labels(coded[0], group, name="coded table 0")
        g = keys.merge(coded[0][on].astype(str).assign(_g=labels.to_numpy()), on=on, how="left")["_g"]
        groups += [(str(x), pairable & (g == x).to_numpy()) for x in pd.unique(g.dropna())]
    rng = as_rng(random_state)
    rows = []
    for name, mask in groups:
        sub = M[:, mask]
        n = sub.shape[1]
        est = _alpha(sub, level, len(cats)) if n else float("nan")
        full = np.isfinite(sub).all(axis=0)
        agree = (np.nanmax(sub[:, full], axis=0) == np.nanmin(sub[:, full], axis=0)).mean() if full.any() \
            else float("nan")
        lo = hi = float("nan")
        if n_boot and n > 1:
            draws = np.array([_alpha(sub[:, rng.integers(0, n, n)], level, len(cats)) for _ in range(int(n_boot))])
            draws = draws[np.isfinite(draws)]
            if len(draws):
                lo, hi = percentile_interval(draws, alpha)
        rows.append({"group": name, "label": label, "estimate": est, "ci_low": float(lo), "ci_high": float(hi),
                     "percent_agreement": float(agree), "n": int(n), "n_coders": len(coded)})
    out = pd.DataFrame(rows)
    out.attrs["agreement"] = {"measure": "Krippendorff's alpha", "level": level, "categories": cats,
                              "n_boot": int(n_boot), "alpha": alpha, "bootstrap": "units, percentile"}
    return out


# ----------------------------------------------------------------------------- group shares

def _cluster_var_of_mean(values: np.ndarray, clusters: np.ndarray | None) -> float:
    """Variance of the mean of ``values``: iid, or cluster-robust when clusters are given."""
    n = len(values)
    if n < 2:
        return float("nan")
    if clusters is None:
        return float(np.var(values, ddof=1) / n)
    _, inv = np.unique(clusters, return_inverse=True)
    G = inv.max() + 1
    if G < 2:
        return float("nan")
    sums = np.bincount(inv, weights=values - values.mean(), minlength=G)
    return float(G / (G - 1) * (sums ** 2).sum() / n ** 2)


def _ppi_mean(y: np.ndarray, f_lab: np.ndarray, f_unl: np.ndarray, *, power_tuning: bool,
              c_lab: np.ndarray | None, c_unl: np.ndarray | None) -> tuple[float, float, float]:
    """PPI++ estimate of E[Y], its variance and lambda (Angelopoulos, Duchi & Zrnic 2023)."""
    n, N = len(y), len(f_unl)
    if power_tuning and n > 1 and N > 0:
        vf = np.var(f_lab, ddof=1)
        lam = float(np.cov(y, f_lab, ddof=1)[0, 1] / ((1 + n / N) * vf)) if vf > 0 else 0.0
        lam = min(max(lam, 0.0), 1.0)
    else:
        lam = 1.0 if N > 0 else 0.0
    est = float(np.mean(y - lam * f_lab) + (lam * np.mean(f_unl) if N > 0 else 0.0))
    var = _cluster_var_of_mean(y - lam * f_lab, c_lab)
    if N > 0 and lam > 0:
        var += lam ** 2 * _cluster_var_of_mean(f_unl, c_unl)
    return est, var, lam


def _widen_if_degenerate(y: np.ndarray, lo: float, hi: float, alpha: float) -> tuple[float, float]:
    """Clip to [0, 1]; when the coded sample holds no (or only) positives, the normal
    interval collapses to a point, so use the exact Clopper-Pearson bound of the coded
    sample instead (0 positives of n: upper bound 1 - (alpha/2)^(1/n))."""
    n = len(y)
    if n == 0:
        return float("nan"), float("nan")
    k = float(np.sum(y))
    if k == 0:
        return 0.0, max(min(1.0, hi) if np.isfinite(hi) else 0.0, 1 - (alpha / 2) ** (1 / n))
    if k == n:
        return min(max(0.0, lo) if np.isfinite(lo) else 1.0, (alpha / 2) ** (1 / n)), 1.0
    return (max(0.0, lo) if np.isfinite(lo) else float("nan"), min(1.0, hi) if np.isfinite(hi) else float("nan"))


def estimate_shares(sentences: pd.DataFrame, coder: Any, coded: pd.DataFrame, *, label: str,
                    group: Any = "outlet", method: str = "ppi", embeddings: Any = None,
                    alpha: float = 0.05, power_tuning: bool = True, cluster: str | None = "doc_id") -> pd.DataFrame:
    """Share of each code per group, from a coder's predictions corrected by the hand codes.

    **Prediction-powered inference** (Angelopoulos, Bates, Fannjiang, Jordan & Zrnic 2023,
    *Science* 382; PPI++ power tuning: Angelopoulos, Duchi & Zrnic 2023): for class ``c`` in a
    group with ``n`` coded and ``N`` uncoded sentences, predictions ``f`` (the coder's
    probability of ``c``) and codes ``Y`` (1 if coded ``c``),

    ``theta = mean_n(Y - lambda f) + lambda mean_N(f)``,
    ``Var = Var_n(Y - lambda f) / n + lambda^2 Var_N(f) / N``,

    with ``lambda = Cov(Y, f) / ((1 + n/N) Var(f))`` clipped to [0, 1] (``power_tuning``; else
    ``lambda = 1``, classic PPI), and a normal interval. When the coded sentences of a group
    hold none (or only) of a class, that interval would collapse to a point; the exact
    Clopper-Pearson bound of the coded sample is given instead (``[0, 1 - (alpha/2)^(1/n)]``). The variances are cluster-robust by
    document (``cluster``): sentences of one article are not independent. The coded
    sentences must be a random sample of the group's sentences (or its stratum): PPI is then
    unbiased whatever the coder's errors, and the coder only narrows the interval. Beside it
    (``method="ppi"`` returns both), **classify-and-count**: the share of sentences whose
    most probable class is ``c``, with a naive interval that ignores the coder's errors -- it
    is biased whenever the coder is, which is why it is shown only for comparison -- and the
    **coded-only** mean of the codes.

    Parameters
    ----------
    sentences : DataFrame
        The population: every sentence of the groups (``doc_id``, ``sent_id``, the ``group``
        column and ``text`` or ``embeddings=``).
    coder : Coder or DataFrame
        A fitted :class:`framing.Coder`, or its ``predict_proba`` table for ``sentences``
        (one column per class, rows in the table's order).
    coded : DataFrame
        Coded sentences (``doc_id``, ``sent_id``, ``label``), each a row of ``sentences``.
    label : str
        The code column of ``coded``.
    group : str, mapping, (column, mapping) or None
        How sentences are grouped (the glossary's ``group=``: a column of ``sentences``, a
        mapping ``{outlet: label}``, a ``(column, mapping)`` pair; None: one group "all").
    method : {"ppi", "classify_and_count"}
    embeddings : array, optional
        One row per sentence, for the coder.
    alpha : float
        1 - coverage.
    power_tuning : bool
        PPI++ (default) or classic PPI.
    cluster : str or None
        Column of document ids for cluster-robust variances (None: sentences iid).

    Returns
    -------
    DataFrame
        One row per (group, class, method): ``group``, ``label`` (the class), ``estimate``,
        ``ci_low``, ``ci_high``, ``n_coded``, ``n_total``, ``method`` ("ppi",
        "classify_and_count", "coded_only"), ``lambda`` (PPI).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(2000) < 0.3                                   # true share 0.3
    >>> proba = np.clip(0.45 + 0.2 * y + rng.normal(0, 0.15, 2000), 0, 1)  # a weak, biased coder
    >>> s = pd.DataFrame({"doc_id": [f"d{i}" for i in range(2000)], "sent_id": [f"d{i}:0" for i in range(2000)],
    ...                   "outlet": "X"})
    >>> P = pd.DataFrame({"no": 1 - proba, "yes": proba})
    >>> coded = s.iloc[:300].assign(code=np.where(y[:300], "yes", "no"))
    >>> r = estimate_shares(s, P, coded, label="code")
    >>> r.query("label == 'yes'")[["method", "estimate"]].round(2).values.tolist()
    [['ppi', 0.26], ['classify_and_count', 0.51], ['coded_only', 0.25]]
    """
    from scipy.stats import norm

    if method not in ("ppi", "classify_and_count"):
        raise ValueError(f"method must be 'ppi' or 'classify_and_count', got {method!r}")
    for c in ("doc_id", "sent_id", label):
        if c not in coded.columns:
            raise ValueError(f"estimate_shares: the coded table has no column {c!r}")
    if isinstance(coder, pd.DataFrame):
        P = coder.reset_index(drop=True)
        if len(P) != len(sentences):
            raise ValueError(f"estimate_shares: the probability table has {len(P)} rows, sentences {len(sentences)}")
    else:
        P = coder.predict_proba(sentences, embeddings=embeddings).reset_index(drop=True)
    classes = [str(c) for c in P.columns]
    P.columns = classes
    s = sentences.reset_index(drop=True)
    key = s["doc_id"].astype(str) + "\x1f" + s["sent_id"].astype(str)
    pos = pd.Series(np.arange(len(s)), index=key)
    if not pos.index.is_unique:
        raise ValueError("estimate_shares: (doc_id, sent_id) is not unique in sentences")
    ckey = coded["doc_id"].astype(str) + "\x1f" + coded["sent_id"].astype(str)
    missing = ~ckey.isin(pos.index)
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise ValueError(f"estimate_shares: coded row {row} ({coded['sent_id'].iloc[row]!r}) is not in sentences "
                         "(the coded sample must come from the population estimated)")
    codes = coded[label].astype(str).to_numpy()
    unknown = sorted(set(codes) - set(classes))
    if unknown:
        raise ValueError(f"estimate_shares: codes {unknown} are not classes of the coder {classes}")
    lab_pos = pos[ckey].to_numpy()
    is_lab = np.zeros(len(s), dtype=bool)
    is_lab[lab_pos] = True
    g_all = group_labels(s, group, name="sentences").to_numpy(dtype=object)
    clus = s[cluster].astype(str).to_numpy() if cluster is not None and cluster in s.columns else None
    hard = np.asarray(classes, dtype=object)[P.to_numpy().argmax(axis=1)]
    z = float(norm.ppf(1 - alpha / 2))
    rows = []
    for g in sorted({x for x in g_all if x is not None and not (isinstance(x, float) and np.isnan(x))}, key=str):
        in_g = g_all == g
        lab = np.flatnonzero(in_g & is_lab)
        unl = np.flatnonzero(in_g & ~is_lab)
        lab_codes = pd.Series(codes, index=lab_pos).loc[lab].to_numpy() if len(lab) else np.array([], dtype=object)
        n, N = len(lab), len(unl)
        for c in classes:
            f = P[c].to_numpy()
            y = (lab_codes == c).astype(float)
            if method == "ppi":
                if n >= 2:
                    est, var, lam = _ppi_mean(y, f[lab], f[unl], power_tuning=power_tuning,
                                              c_lab=None if clus is None else clus[lab],
                                              c_unl=None if clus is None else clus[unl])
                    half = z * np.sqrt(var) if np.isfinite(var) else np.nan
                else:
                    est, half, lam = np.nan, np.nan, np.nan
                lo, hi = _widen_if_degenerate(y, est - half, est + half, alpha)
                rows.append({"group": g, "label": c, "estimate": est, "ci_low": lo, "ci_high": hi, "n_coded": n,
                             "n_total": n + N, "method": "ppi", "lambda": lam})
                m = float(y.mean()) if n else np.nan
                v = _cluster_var_of_mean(y, None if clus is None else clus[lab]) if n >= 2 else np.nan
                h = z * np.sqrt(v) if np.isfinite(v) else np.nan
                lo, hi = _widen_if_degenerate(y, m - h, m + h, alpha)
                rows.append({"group": g, "label": c, "estimate": m, "ci_low": lo, "ci_high": hi, "n_coded": n,
                             "n_total": n + N, "method": "coded_only", "lambda": np.nan})
            idx = np.flatnonzero(in_g)
            hv = (hard[idx] == c).astype(float)
            m = float(hv.mean())
            v = _cluster_var_of_mean(hv, None if clus is None else clus[idx])
            h = z * np.sqrt(v) if np.isfinite(v) else np.nan
            rows.append({"group": g, "label": c, "estimate": m, "ci_low": max(0.0, m - h), "ci_high": min(1.0, m + h),
                         "n_coded": n, "n_total": n + N, "method": "classify_and_count", "lambda": np.nan})
    order = {"ppi": 0, "classify_and_count": 1, "coded_only": 2}
    out = pd.DataFrame(rows)
    if len(out):
        out = out.sort_values(["group", "label", "method"], key=lambda col: col.map(order) if col.name == "method"
                              else col.astype(str), kind="stable").reset_index(drop=True)
    out.attrs["estimate_shares"] = {"method": method, "power_tuning": power_tuning, "alpha": alpha,
                                    "cluster": cluster, "label": label, "group": group}
    return out


# ----------------------------------------------------------------------------- axes

def _auc_and_ci(pos: np.ndarray, neg: np.ndarray, docs_pos: np.ndarray, docs_neg: np.ndarray, *, n_boot: int,
                alpha: float, rng: np.random.Generator) -> tuple[float, float, float]:
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    x = np.r_[pos, neg]
    est = float(roc_auc_score(y, x))
    docs = np.r_[docs_pos, docs_neg]
    ud, inv = np.unique(docs, return_inverse=True)
    rows_of = [np.flatnonzero(inv == d) for d in range(len(ud))]
    draws = []
    for _ in range(int(n_boot)):
        pick = np.concatenate([rows_of[d] for d in rng.integers(0, len(ud), len(ud))])
        if 0 < y[pick].sum() < len(pick):
            draws.append(roc_auc_score(y[pick], x[pick]))
    lo, hi = (percentile_interval(np.asarray(draws), alpha) if draws else (np.nan, np.nan))
    return est, float(lo), float(hi)


def validate_axis(coded: pd.DataFrame, axis: Any, *, label: str, positive: str | Sequence[str],
                  negative: str | Sequence[str], embeddings: Any = None, encoder: Any = None,
                  n_boot: int = 2000, alpha: float = 0.05,
                  random_state: int | np.random.Generator | None = None) -> pd.DataFrame:
    """How well an axis's projection separates sentences coded for its two poles (AUC).

    The AUC is the probability that a sentence coded for the positive pole projects higher
    on the axis than one coded for the negative pole (0.5: no better than chance), with a
    document-bootstrap percentile interval. Sentences with other codes are not used.

    Parameters
    ----------
    coded : DataFrame
        Coded sentences with ``doc_id``, ``label`` and ``text`` (or ``embeddings=``).
    axis : Axis or sequence of Axis
        Fitted axes. (The order ``validate_axis(axis, coded)`` of earlier releases still works
        for one release, with a DeprecationWarning.)
    label : str
        The code column.
    positive, negative : str or list of str
        Codes that belong to each pole (e.g. ``"legitimizing"`` / ``"delegitimizing"``).
    embeddings, encoder
        Sentence embeddings (one row per coded sentence) or the encoder of the axes.
    n_boot, alpha, random_state

    Returns
    -------
    DataFrame
        One row per axis: ``axis``, ``label``, ``estimate`` (AUC), ``ci_low``, ``ci_high``,
        ``n_positive``, ``n_negative``, ``n_docs``; ``attrs["validate_axis"]`` records the options.

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> from framing.axes import Axis
    >>> enc = HashEncoder(dim=64)
    >>> ax = Axis("calm", ["calm quiet day", "a peaceful night"], ["violent loud riot", "angry clash"]).fit(enc)
    >>> coded = pd.DataFrame({"doc_id": list("abcd"), "text": ["quiet calm", "peaceful day", "loud riot", "violent clash"],
    ...                       "tone": ["calm", "calm", "violent", "violent"]})
    >>> float(validate_axis(coded, ax, label="tone", positive="calm", negative="violent", encoder=enc,
    ...                     n_boot=0)["estimate"].iloc[0])
    1.0
    """
    from framing.axes import Axis, as_axis_list

    if isinstance(coded, Axis) or (isinstance(coded, (list, tuple)) and coded and isinstance(coded[0], Axis)):
        import warnings

        warnings.warn("validate_axis(axis, coded) is deprecated and will be removed in the next release; use "
                      "validate_axis(coded, axis) (the table first, see docs/glossary.md)", DeprecationWarning,
                      stacklevel=2)
        coded, axis = axis, coded
    pos_codes = [positive] if isinstance(positive, str) else list(positive)
    neg_codes = [negative] if isinstance(negative, str) else list(negative)
    for c in ("doc_id", label):
        if c not in coded.columns:
            raise ValueError(f"validate_axis: the coded table has no column {c!r}")
    codes = coded[label].astype(str).to_numpy()
    is_pos, is_neg = np.isin(codes, pos_codes), np.isin(codes, neg_codes)
    if not is_pos.any() or not is_neg.any():
        raise ValueError(f"validate_axis: need sentences coded {pos_codes} and {neg_codes} in {label!r}; "
                         f"found {sorted(set(codes))}")
    if embeddings is None and encoder is not None and "text" not in coded.columns:
        raise ValueError("validate_axis: the coded table has no 'text' column to embed (or pass embeddings=)")
    texts = coded["text"].astype(str).tolist() if embeddings is None and encoder is not None \
        else [""] * len(coded)
    X = resolve_embeddings(texts, embeddings=embeddings, encoder=encoder, name="validate_axis: embeddings",
                           what="coded sentence", normalize=False, dtype=np.float64)
    docs = coded["doc_id"].astype(str).to_numpy()
    rng = as_rng(random_state)
    rows = []
    for ax in as_axis_list(axis):
        p = ax.project(X)
        est, lo, hi = _auc_and_ci(p[is_pos], p[is_neg], docs[is_pos], docs[is_neg], n_boot=n_boot, alpha=alpha,
                                  rng=rng)
        rows.append({"axis": ax.name, "label": label, "estimate": est, "ci_low": lo, "ci_high": hi,
                     "n_positive": int(is_pos.sum()), "n_negative": int(is_neg.sum()),
                     "n_docs": int(len(set(docs[is_pos | is_neg])))})
    out = pd.DataFrame(rows)
    out.attrs["validate_axis"] = {"label": label, "positive": pos_codes, "negative": neg_codes,
                                  "n_boot": int(n_boot), "alpha": alpha, "bootstrap": "documents, percentile"}
    return out


def axis_reliability(axis: Any, embeddings: Any, *, n_splits: int = 200, min_reliability: float = 0.5,
                     random_state: int | np.random.Generator | None = 0) -> pd.DataFrame:
    """Split-half reliability of an axis *on the sentences it scores*.

    For each of ``n_splits`` random splits of each pole's texts into halves, two half-axes
    are built and the analysed sentences are projected on both; the reliability is the
    correlation of the two projections across sentences, Spearman-Brown corrected
    (``2 r / (1 + r)``), averaged over splits. Unlike the cosine between half-axis vectors
    (:attr:`framing.Axis.reliability_`), this measures agreement of the *scores*: in an
    anisotropic embedding space two half-axes can point the same way overall while the
    components that vary across the corpus disagree. An :class:`~framing.axes.AxisReliabilityWarning`
    names each axis below ``min_reliability``.

    Parameters
    ----------
    axis : Axis or sequence of Axis
        Fitted axes (their pole embeddings are used).
    embeddings : array of shape (n_sentences, dim)
        The analysed sentences.
    n_splits, min_reliability, random_state

    Returns
    -------
    DataFrame
        One row per axis: ``axis``, ``estimate`` (mean Spearman-Brown reliability of the
        projections), ``split_low``, ``split_high`` (2.5 and 97.5 percentiles over splits),
        ``cosine_reliability`` (the pole-vector version, for comparison), ``n_sentences``,
        ``ok``.

    Examples
    --------
    >>> from framing.testing import HashEncoder
    >>> from framing.axes import Axis
    >>> enc = HashEncoder(dim=64)
    >>> ax = Axis("calm", ["calm quiet day", "quiet calm night", "calm peaceful town", "peaceful quiet day"],
    ...           ["violent loud riot", "loud angry clash", "violent angry crowd", "angry loud riot"]).fit(enc)
    >>> r = axis_reliability(ax, enc.encode(["a calm day", "a loud riot", "quiet town", "angry crowd"]))
    >>> bool(r["estimate"].iloc[0] > 0.5)
    True
    """
    import warnings

    from framing.axes import AxisReliabilityWarning, as_axis_list

    X = l2_normalize(check_embeddings(embeddings, name="axis_reliability: embeddings", what="sentence",
                                      dtype=np.float64), zero="keep", dtype=np.float64)
    rng = as_rng(random_state)
    rows = []
    for ax in as_axis_list(axis):
        ax._check_fitted()
        P = np.asarray(ax.positive_embeddings_, dtype=float)
        N = np.asarray(ax.negative_embeddings_, dtype=float)
        if P.shape[1] != X.shape[1]:
            raise ValueError(f"axis {ax.name!r}: embeddings have dimension {X.shape[1]}, the axis {P.shape[1]}")
        vals = []
        for _ in range(int(n_splits)):
            ip, inn = rng.permutation(len(P)), rng.permutation(len(N))
            hp, hn = len(P) // 2, len(N) // 2
            va = P[ip[:hp]].mean(0) - N[inn[:hn]].mean(0)
            vb = P[ip[hp:]].mean(0) - N[inn[hn:]].mean(0)
            a, b = X @ va, X @ vb
            if a.std() == 0 or b.std() == 0:
                continue
            r = float(np.corrcoef(a, b)[0, 1])
            vals.append(2 * r / (1 + r) if r > -1 else -np.inf)
        vals = np.asarray(vals)
        est = float(np.mean(vals)) if len(vals) else float("nan")
        ok = bool(est >= min_reliability)
        if not ok:
            warnings.warn(f"axis {ax.name!r}: its projections of these {len(X)} sentences are unreliable "
                          f"(split-half reliability of the scores {est:.2f} < {min_reliability}; the pole-vector "
                          f"reliability is {ax.reliability_.split_half:.2f}). Differences between groups on this "
                          f"axis may be noise.", AxisReliabilityWarning, stacklevel=2)
        lo, hi = (np.quantile(vals, [0.025, 0.975]) if len(vals) else (np.nan, np.nan))
        rows.append({"axis": ax.name, "estimate": est, "split_low": float(lo), "split_high": float(hi),
                     "cosine_reliability": float(ax.reliability_.split_half), "n_sentences": int(len(X)), "ok": ok})
    out = pd.DataFrame(rows)
    out.attrs["axis_reliability"] = {"n_splits": int(n_splits), "min_reliability": min_reliability}
    return out


# ----------------------------------------------------------------------------- coding workflow

def coding_sample(sentences: pd.DataFrame, n: int, *, strata: str | None = None, allocation: str = "equal",
                  random_state: int | np.random.Generator | None = None) -> pd.DataFrame:
    """A random sample of sentences to code, with inclusion probabilities for design-based estimates.

    Parameters
    ----------
    sentences : DataFrame
        The population (a sentence table, possibly filtered: e.g. own-voice sentences about
        the referendums). Not modified.
    n : int
        Sentences to draw in all.
    strata : str, optional
        Column to stratify on (e.g. ``"outlet"``): ``allocation="equal"`` draws ``n / k`` per
        stratum (all of a smaller stratum, the rest spread over the others),
        ``"proportional"`` in proportion to stratum size.
    random_state : int or Generator

    Returns
    -------
    DataFrame
        The sampled rows (original index kept) plus ``stratum`` and ``inclusion_prob``
        (n_h / N_h, the probability that a sentence of its stratum was drawn; weight a coded
        sentence by ``1 / inclusion_prob`` for population estimates). ``attrs["coding_sample"]``
        records the design.

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": [f"d{i}" for i in range(30)], "sent_id": [f"d{i}:0" for i in range(30)],
    ...                   "outlet": ["A"] * 20 + ["B"] * 10})
    >>> sample = coding_sample(s, 10, strata="outlet", random_state=0)
    >>> sample.groupby("stratum")["inclusion_prob"].first().to_dict()
    {'A': 0.25, 'B': 0.5}
    """
    if allocation not in ("equal", "proportional"):
        raise ValueError(f"allocation must be 'equal' or 'proportional', got {allocation!r}")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    rng = as_rng(random_state)
    lab = sentences[strata].astype(str) if strata is not None else pd.Series("all", index=sentences.index)
    sizes = lab.value_counts().sort_index()
    n = min(int(n), int(sizes.sum()))
    if allocation == "proportional":
        raw = n * sizes / sizes.sum()
        take = np.floor(raw).astype(int)
        rest = n - int(take.sum())
        for k in (raw - take).sort_values(ascending=False).index[:rest]:
            take[k] += 1
    else:
        take = pd.Series(0, index=sizes.index)
        left, open_ = n, list(sizes.index)
        while left > 0 and open_:
            share = max(left // len(open_), 1)
            for k in list(open_):
                add = min(share, int(sizes[k] - take[k]), left)
                take[k] += add
                left -= add
                if take[k] >= sizes[k]:
                    open_.remove(k)
                if left == 0:
                    break
    parts = []
    for k, m in take.items():
        idx = np.flatnonzero((lab == k).to_numpy())
        pick = rng.choice(idx, size=int(m), replace=False) if m else np.array([], dtype=int)
        parts.append(sentences.iloc[np.sort(pick)].assign(stratum=k, inclusion_prob=float(m) / float(sizes[k])))
    out = pd.concat(parts)
    out.attrs = {"coding_sample": {"n": int(len(out)), "strata": strata, "allocation": allocation,
                                   "stratum_sizes": {str(k): int(v) for k, v in sizes.items()},
                                   "drawn": {str(k): int(v) for k, v in take.items()}}}
    return out


def write_coding_sheet(sample: pd.DataFrame, path: str, *, codes: dict[str, Sequence[str]],
                       codebook: str | None = None, sentences: pd.DataFrame | None = None,
                       context: int = 1) -> str:
    """Write a CSV a coder fills in a spreadsheet, and a JSON sidecar with the allowed codes.

    Columns: ``doc_id``, ``sent_id`` (and ``start``, ``end`` when present), ``before`` /
    ``after`` (``context`` neighbouring sentences from ``sentences``, for reading), ``text``,
    one empty column per code, ``note``. The sidecar ``PATH.json`` records the allowed values
    and the codebook, and :func:`read_codes` checks the filled sheet against it. The sheet
    holds corpus text for the coder: keep it out of version control (store the codes with
    ids and offsets only).

    Returns
    -------
    str
        The path written.
    """
    import json

    need = [c for c in ("doc_id", "sent_id", "text") if c not in sample.columns]
    if need:
        raise ValueError(f"write_coding_sheet: the sample lacks column(s) {need}")
    sheet = sample[[c for c in ("doc_id", "sent_id", "start", "end") if c in sample.columns]].copy()
    if sentences is not None and context > 0:
        s = sentences.reset_index(drop=True)
        pos = {(d, i): k for k, (d, i) in enumerate(zip(s["doc_id"].astype(str), s["sent_id"].astype(str)))}
        before, after = [], []
        for d, i in zip(sample["doc_id"].astype(str), sample["sent_id"].astype(str)):
            k = pos.get((d, i))
            if k is None:
                before.append(""), after.append("")
                continue
            b = [s.at[j, "text"] for j in range(max(0, k - context), k) if str(s.at[j, "doc_id"]) == d]
            a = [s.at[j, "text"] for j in range(k + 1, min(len(s), k + 1 + context)) if str(s.at[j, "doc_id"]) == d]
            before.append(" ".join(map(str, b))), after.append(" ".join(map(str, a)))
        sheet["before"] = before
        sheet["text"] = sample["text"].to_numpy()
        sheet["after"] = after
    else:
        sheet["text"] = sample["text"].to_numpy()
    for c in codes:
        sheet[c] = ""
    sheet["note"] = ""
    sheet.to_csv(path, index=False)
    with open(f"{path}.json", "w", encoding="utf-8") as fh:
        json.dump({"codes": {k: list(map(str, v)) for k, v in codes.items()}, "codebook": codebook}, fh, indent=2)
    return str(path)


def read_codes(path: str, *, codes: dict[str, Sequence[str]] | None = None, missing: str = "error") -> pd.DataFrame:
    """Read a filled coding sheet; every problem names the row and column.

    Parameters
    ----------
    path : str
        The CSV written by :func:`write_coding_sheet` and filled by a coder.
    codes : dict, optional
        Allowed values per code column (default: the sheet's JSON sidecar).
    missing : {"error", "keep"}
        An empty code is an error (default) or kept as missing (``attrs["uncoded"]`` lists
        the rows).

    Returns
    -------
    DataFrame
        ``doc_id``, ``sent_id`` (``start``, ``end``), ``text``, one column per code,
        ``note``: nothing dropped silently.
    """
    import json
    import os

    if codes is None:
        side = f"{path}.json"
        if not os.path.exists(side):
            raise ValueError(f"{path}: no codes= given and no sidecar {side} with the allowed codes")
        with open(side, encoding="utf-8") as fh:
            codes = json.load(fh)["codes"]
    try:
        t = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the coding sheet ({exc})") from None
    need = [c for c in ("doc_id", "sent_id", *codes) if c not in t.columns]
    if need:
        raise ValueError(f"{path}: missing column(s) {need}; columns present: {list(t.columns)}")
    dup = t.duplicated(["doc_id", "sent_id"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise ValueError(f"{path}, row {row + 2}: sentence {t['sent_id'].iloc[row]!r} appears twice")
    uncoded = []
    for c, allowed in codes.items():
        vals = [str(v).strip() or None for v in t[c]]
        t[c] = pd.Series(vals, index=t.index, dtype=object)
        for r, v in enumerate(vals):
            if v is None:
                if missing == "error":
                    raise ValueError(f"{path}, row {r + 2}, column {c!r}: no code (allowed: {list(allowed)})")
                uncoded.append({"row": r + 2, "column": c, "sent_id": t["sent_id"].iloc[r]})
            elif v not in allowed:
                raise ValueError(f"{path}, row {r + 2}, column {c!r}: {v!r} is not a code (allowed: {list(allowed)})")
    for c in ("start", "end"):
        if c in t.columns:
            t[c] = pd.to_numeric(t[c], errors="raise").astype("int64")
    t.attrs = {"source": str(path), "uncoded": uncoded}
    return t
