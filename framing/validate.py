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

import numpy as np
import pandas as pd

from framing.stats import as_rng

__all__ = ["agreement"]

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
