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

from framing.stats import as_rng

__all__ = ["agreement", "estimate_shares"]

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
              group: str | None = None) -> pd.DataFrame:
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
    group : str, optional
        A column of the first table: also report alpha within each of its values.

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
        if group not in coded[0].columns:
            raise ValueError(f"coded table 0 has no column {group!r} (group=)")
        g = keys.merge(coded[0][on].astype(str).assign(_g=coded[0][group].to_numpy()), on=on, how="left")["_g"]
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
                lo, hi = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
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


def estimate_shares(sentences: pd.DataFrame, coder: Any, coded: pd.DataFrame, *, label: str,
                    group: str | None = "outlet", method: str = "ppi", embeddings: Any = None,
                    alpha: float = 0.05, power_tuning: bool = True, cluster: str | None = "doc_id") -> pd.DataFrame:
    """Share of each code per group, from a coder's predictions corrected by the hand codes.

    **Prediction-powered inference** (Angelopoulos, Bates, Fannjiang, Jordan & Zrnic 2023,
    *Science* 382; PPI++ power tuning: Angelopoulos, Duchi & Zrnic 2023): for class ``c`` in a
    group with ``n`` coded and ``N`` uncoded sentences, predictions ``f`` (the coder's
    probability of ``c``) and codes ``Y`` (1 if coded ``c``),

    ``theta = mean_n(Y - lambda f) + lambda mean_N(f)``,
    ``Var = Var_n(Y - lambda f) / n + lambda^2 Var_N(f) / N``,

    with ``lambda = Cov(Y, f) / ((1 + n/N) Var(f))`` clipped to [0, 1] (``power_tuning``; else
    ``lambda = 1``, classic PPI), and a normal interval. The variances are cluster-robust by
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
    group : str or None
        Grouping column of ``sentences`` (None: one group "all").
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
    g_all = (s[group].astype(object).to_numpy() if group is not None else np.full(len(s), "all", dtype=object))
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
                rows.append({"group": g, "label": c, "estimate": est, "ci_low": max(0.0, est - half),
                             "ci_high": min(1.0, est + half), "n_coded": n, "n_total": n + N, "method": "ppi",
                             "lambda": lam})
                yv = y
                m = float(yv.mean()) if n else np.nan
                v = _cluster_var_of_mean(yv, None if clus is None else clus[lab]) if n >= 2 else np.nan
                h = z * np.sqrt(v) if np.isfinite(v) else np.nan
                rows.append({"group": g, "label": c, "estimate": m, "ci_low": max(0.0, m - h) if n else np.nan,
                             "ci_high": min(1.0, m + h) if n else np.nan, "n_coded": n, "n_total": n + N,
                             "method": "coded_only", "lambda": np.nan})
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
