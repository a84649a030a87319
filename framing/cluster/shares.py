"""Outlet x cluster shares with cluster-bootstrap intervals, and the permutation test of
whether outlets differ in their cluster mix (:func:`outlet_shares`, :func:`share_test`).

Field & Welsh (2007) for the cluster bootstrap over whole articles, Agresti (2013) for the
adjusted standardised residuals, Benjamini & Hochberg (1995) for the adjusted p-values.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from framing._checks import GroupSpec, group_labels, require_columns
from framing._compat import renamed_kwargs
from framing._display import html_summary
from framing.stats import MIN_DOCS, as_rng, bootstrap_counts, check_min_docs, fdr_bh, percentile_interval, small_groups

from ._numeric import UNCLUSTERED, ClusterError
from .stability import _labels_array

__all__ = ["outlet_shares", "share_test", "ShareTest"]


@dataclass
class _UnitTable:
    groups: list[str]          # group names, sorted
    clusters: np.ndarray       # cluster ids (columns of C), -1 last if present
    C: np.ndarray              # (D, K) counts per unit and cluster
    unit_group: np.ndarray     # (D,) group code of each unit
    unit_name: str | None
    group_name: str            # name of the group column in the results


def _group_column(table: pd.DataFrame, group: GroupSpec, lab: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """The group label per row (``group=`` of the glossary) and the mask of rows in a group.

    A missing value in a group *column* is an error; rows that a mapping leaves out are in
    no group and left out of the analysis.
    """
    gser = group_labels(table, group, name="table", error=ClusterError)
    if isinstance(group, str) and gser.isna().any():
        raise ClusterError(f"table column {group!r} row {int(np.flatnonzero(gser.isna().to_numpy())[0])} is missing")
    return gser, gser.notna().to_numpy()


def _unit_table(table: pd.DataFrame, labels: Any, group: GroupSpec, unit: str | None) -> _UnitTable:
    require_columns(table, [unit] if unit is not None else [], name="table", error=ClusterError)
    n = len(table)
    if n == 0:
        raise ClusterError("table is empty")
    lab = _labels_array(labels, n)
    gser, keep = _group_column(table, group, lab)
    if not keep.all():
        table, lab, gser = table.iloc[np.flatnonzero(keep)], lab[keep], gser[keep]
        n = len(table)
        if n == 0:
            raise ClusterError(f"no row of the table is in a group of {group!r}")
    g = gser.astype(str).to_numpy()
    groups, gcode = np.unique(g, return_inverse=True)
    if unit is None:
        ucode = np.arange(n)
        unit_group = gcode
    else:
        user = table[unit]
        if user.isna().any():
            raise ClusterError(f"table column {unit!r} row {int(np.flatnonzero(user.isna().to_numpy())[0])} is missing")
        _, ucode = np.unique(user.astype(str).to_numpy(), return_inverse=True)
        ug = np.full(ucode.max() + 1, -1)
        ug[ucode] = gcode
        conflict = ug[ucode] != gcode
        if conflict.any():
            i = int(np.flatnonzero(conflict)[0])
            raise ClusterError(f"table row {i}: unit {table[unit].iloc[i]!r} (column {unit!r}) belongs to more "
                               f"than one group ({gser.iloc[i]!r} and another); each unit must belong to exactly "
                               "one group")
        unit_group = ug
    clusters = np.unique(lab)
    if clusters[0] == UNCLUSTERED:  # put unclustered last
        clusters = np.concatenate([clusters[1:], clusters[:1]])
    kcode = np.empty(n, dtype=np.int64)
    for j, c in enumerate(clusters):
        kcode[lab == c] = j
    C = np.zeros((int(ucode.max()) + 1, len(clusters)), dtype=np.float64)
    np.add.at(C, (ucode, kcode), 1.0)
    return _UnitTable(groups=[str(x) for x in groups], clusters=clusters, C=C, unit_group=np.asarray(unit_group),
                      unit_name=unit, group_name=group if isinstance(group, str) else "group")


def _boot_tables(ut: _UnitTable, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster bootstrap within each group: (n_boot, G, K) resampled count tables.

    Units (articles) are drawn with replacement within their group, keeping the group's
    number of units (:func:`framing.stats.bootstrap_counts` with the groups as strata); a
    resample is the weighted sum ``W @ C`` of the units' cluster counts.
    """
    W = bootstrap_counts(ut.C.shape[0], n_boot, rng, strata=ut.unit_group)
    out = np.empty((n_boot, len(ut.groups), ut.C.shape[1]))
    for gi in range(len(ut.groups)):
        idx = np.flatnonzero(ut.unit_group == gi)
        out[:, gi, :] = W[:, idx] @ ut.C[idx]
    return out


def _no_interval(groups: list[str], n_units: np.ndarray, min_docs: int, caller: str, unit: str | None,
                 stacklevel: int = 4) -> np.ndarray:
    """Boolean mask of the groups with fewer than ``min_docs`` units (warned about by name)."""
    small = set(small_groups(dict(zip(groups, n_units.tolist())), min_docs, caller=caller,
                             unit="articles" if unit is not None else "rows", stacklevel=stacklevel))
    return np.array([g in small for g in groups], dtype=bool)


def outlet_shares(table: pd.DataFrame, labels: Any, *, group: GroupSpec = "outlet", unit: str | None = "doc_id",
                  n_boot: int = 1000, alpha: float = 0.05,
                  random_state: int | np.random.Generator | None = None, min_docs: int = MIN_DOCS) -> pd.DataFrame:
    """Share of each outlet's items (sentences) in each cluster, with cluster-bootstrap CIs.

    Sentences of one article are not independent (an article about a strike has many
    strike sentences), so intervals come from a cluster bootstrap (Field & Welsh 2007):
    whole articles (``unit``) are resampled with replacement within each outlet, the share
    is recomputed as (cluster sentences) / (all sentences) of the resample, and the
    ``alpha/2`` and ``1 - alpha/2`` percentiles of ``n_boot`` resamples form the interval.
    Unclustered items (-1) are a category of their own, so each outlet's shares sum to 1.
    An outlet with fewer than ``min_docs`` articles gets NaN intervals and a
    :class:`framing.stats.SmallGroupWarning` naming it: resampling one article gives a
    zero-width interval, a few articles one far too narrow.

    Parameters
    ----------
    table : DataFrame
        One row per clustered item, aligned with ``labels``; needs the ``group`` and ``unit``
        columns.
    labels : array of int, or a fitted Clusterer / StableClusters
    group : str, mapping or (column, mapping)
        The glossary's ``group=``: a column name (default ``"outlet"``), a mapping
        ``{outlet: label}`` (outlets left out are in no group and left out), or a
        ``(column, mapping)`` pair.
    unit : str or None
        Column identifying the resampling unit (the article); None resamples rows
        (only right if rows are independent).
    n_boot : int
        Bootstrap resamples of whole units.
    alpha : float
        1 - confidence level.
    random_state : int, numpy Generator or None
    min_docs : int
        Minimum number of units (articles) for an interval (default
        :data:`framing.stats.MIN_DOCS`, 5).

    Returns
    -------
    DataFrame
        One row per group and cluster: the group (column named after the ``group`` column,
        ``group`` for a mapping), ``cluster``, ``n`` (items in the cluster), ``n_items``
        (items of the group), ``n_units``, ``share``, ``ci_low``, ``ci_high``. ``attrs``
        records the method, ``group``, ``min_docs`` and ``small_groups`` (the groups left
        without an interval).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"outlet": ["A"] * 6 + ["B"] * 6, "doc_id": list("aabbccddeeff")})
    >>> s = outlet_shares(t, [0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1], n_boot=200, random_state=0, min_docs=2)
    >>> s[["outlet", "cluster", "n", "share"]].round(3).to_string(index=False)
    'outlet  cluster  n  share\\n     A        0  3  0.500\\n     A        1  3  0.500\\n     B        0  1  0.167\\n     B        1  5  0.833'
    """
    if not 0 < alpha < 1:
        raise ClusterError(f"alpha must be in (0, 1), got {alpha!r}")
    if n_boot < 1:
        raise ClusterError(f"n_boot must be >= 1, got {n_boot!r}")
    min_docs = check_min_docs(min_docs, caller="outlet_shares")
    ut = _unit_table(table, labels, group, unit)
    rng = as_rng(random_state)
    G, K = len(ut.groups), len(ut.clusters)
    obs = np.zeros((G, K))
    np.add.at(obs, ut.unit_group, ut.C)
    tot = obs.sum(axis=1)
    boot = _boot_tables(ut, n_boot, rng)
    lo, hi = percentile_interval(boot / boot.sum(axis=2, keepdims=True), alpha, axis=0)
    n_units = np.bincount(ut.unit_group, minlength=G)
    small = _no_interval(ut.groups, n_units, min_docs, "outlet_shares", unit)
    lo[small], hi[small] = np.nan, np.nan
    out = pd.DataFrame({
        ut.group_name: np.repeat(ut.groups, K),
        "cluster": np.tile(ut.clusters, G),
        "n": obs.ravel().astype(np.int64),
        "n_items": np.repeat(tot, K).astype(np.int64),
        "n_units": np.repeat(n_units, K),
        "share": (obs / tot[:, None]).ravel(),
        "ci_low": lo.ravel(),
        "ci_high": hi.ravel(),
    })
    out.attrs.update({"method": "cluster bootstrap (percentile)", "unit": unit, "group": ut.group_name,
                      "n_boot": n_boot, "alpha": alpha, "min_docs": min_docs,
                      "small_groups": [g for g, sm in zip(ut.groups, small) if sm]})
    return out


@dataclass
class ShareTest:
    """Result of :func:`share_test`.

    Attributes
    ----------
    statistic : float
        Pearson chi-square of the observed group x cluster table.
    cramers_v : float
    p_value : float
        Permutation p-value ``(b + 1) / (B + 1)``, b = permutations with a statistic at least
        as large as observed.
    n_perm : int
        Number of permutations B.
    cells : DataFrame
        One row per group and cluster: ``observed``, ``expected``, ``residual`` (adjusted
        standardised residual), ``p_value`` (permutation, two-sided on the residual),
        ``q`` (Benjamini-Hochberg over all cells), ``share``, ``pooled_share``,
        ``ratio`` (share / pooled share), ``ratio_ci_low``, ``ratio_ci_high`` (cluster
        bootstrap), ``direction`` ("over", "under" or "" when not significant).
    info : dict
        Units, items, groups, clusters, alpha.
    """

    statistic: float
    cramers_v: float
    p_value: float
    n_perm: int
    cells: pd.DataFrame
    info: dict = field(default_factory=dict)

    @property
    def permutations(self) -> int:
        """Deprecated name of :attr:`n_perm`."""
        warnings.warn("ShareTest.permutations is deprecated; use n_perm (see docs/glossary.md)",
                      DeprecationWarning, stacklevel=2)
        return self.n_perm

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per group and cluster (:attr:`cells`, a copy)."""
        return self.cells.copy()

    def summary(self) -> pd.DataFrame:
        """One row: ``statistic`` (chi-square), ``cramers_v``, ``p_value``, ``n_perm``,
        ``n_units``, ``n_items``, and the numbers of cells flagged ``n_over`` / ``n_under``."""
        d = self.cells["direction"] if "direction" in self.cells.columns else pd.Series(dtype=object)
        return pd.DataFrame([{"statistic": self.statistic, "cramers_v": self.cramers_v, "p_value": self.p_value,
                              "n_perm": self.n_perm, "n_units": self.info.get("n_units"),
                              "n_items": self.info.get("n_items"), "n_over": int((d == "over").sum()),
                              "n_under": int((d == "under").sum())}])

    def __repr__(self) -> str:
        sig = self.cells[self.cells["direction"] != ""]
        return (f"ShareTest(chi2={self.statistic:.2f}, V={self.cramers_v:.3f}, p={self.p_value:.4g}, "
                f"B={self.n_perm}, {self.info.get('n_units')} units; "
                f"{len(sig)} cells over/under-represented)")

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the test and the cells, most significant first."""
        cells = self.cells
        if "q" in cells.columns:
            cells = cells.sort_values("q", kind="stable")
        params = {"chi2": self.statistic, "cramers_v": self.cramers_v, "p": self.p_value,
                  "n_perm": self.n_perm, "units": self.info.get("n_units"),
                  "over/under-represented cells": int((self.cells["direction"] != "").sum())
                  if "direction" in self.cells.columns else None}
        return html_summary("ShareTest", params, cells)


def _chi2_parts(T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chi-square statistic, expected counts and adjusted residuals for tables (..., G, K)."""
    N = T.sum(axis=(-2, -1), keepdims=True)
    r = T.sum(axis=-1, keepdims=True)
    c = T.sum(axis=-2, keepdims=True)
    E = r * c / N
    with np.errstate(invalid="ignore", divide="ignore"):
        chi = np.where(E > 0, (T - E) ** 2 / np.where(E > 0, E, 1), 0.0).sum(axis=(-2, -1))
        denom = np.sqrt(E * (1 - r / N) * (1 - c / N))
        resid = np.where(denom > 0, (T - E) / np.where(denom > 0, denom, 1), 0.0)
    return chi, E, resid


def _permuted_tables(ut: _UnitTable, B: int, rng: np.random.Generator) -> np.ndarray:
    """(B, G, K) tables with the group codes shuffled across units (one sparse product)."""
    G, K, D = len(ut.groups), ut.C.shape[1], ut.C.shape[0]
    pg = ut.unit_group[np.argsort(rng.random((B, D)), axis=1)]  # (B, D): group of unit d in permutation b
    rows = (np.arange(B)[:, None] * G + pg).ravel()
    S = sparse.csr_matrix((np.ones(B * D), (rows, np.tile(np.arange(D), B))), shape=(B * G, D))
    return np.asarray(S @ ut.C).reshape(B, G, K)


def _ratio_interval(ut: _UnitTable, n_boot: int, rng: np.random.Generator, alpha: float, min_docs: int,
                    unit: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Cluster-bootstrap percentile interval of share / pooled share (NaN for small groups)."""
    G, K = len(ut.groups), ut.C.shape[1]
    if not n_boot:
        return np.full((G, K), np.nan), np.full((G, K), np.nan)
    boot = _boot_tables(ut, n_boot, rng)
    bshare = boot / boot.sum(axis=2, keepdims=True)
    bpool = boot.sum(axis=1) / boot.sum(axis=(1, 2))[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        bratio = bshare / bpool[:, None, :]
    rlo, rhi = percentile_interval(bratio, alpha, axis=0)
    small = _no_interval(ut.groups, np.bincount(ut.unit_group, minlength=G), min_docs, "share_test", unit,
                         stacklevel=6)
    rlo[small], rhi[small] = np.nan, np.nan
    return rlo, rhi


@renamed_kwargs(permutations="n_perm")
def share_test(table: pd.DataFrame, labels: Any, *, group: GroupSpec = "outlet", unit: str | None = "doc_id",
               n_perm: int = 1000, n_boot: int = 1000, alpha: float = 0.05,
               include_unclustered: bool = True,
               random_state: int | np.random.Generator | None = None, min_docs: int = MIN_DOCS) -> ShareTest:
    """Do outlets differ in their cluster mix? Permutation test over whole articles.

    The statistic is Pearson's chi-square on the group x cluster table of item (sentence)
    counts. Under the null hypothesis the group label of an article is exchangeable, so the
    reference distribution comes from permuting group labels across whole articles
    (``unit``), keeping each article's sentences together; the chi-square distribution
    would ignore that sentences of one article cluster together and reject far too often.
    The p-value is ``(b + 1) / (B + 1)``. Cramér's V is reported as effect size.

    Per cell, the adjusted standardised residual (Agresti 2013) says whether a group is over-
    (positive) or under-represented (negative) in a cluster; its two-sided p-value comes
    from the same permutations, and p-values are adjusted with Benjamini-Hochberg (1995)
    over all cells (column ``q``). The share ratio (group share / pooled share) gets a
    percentile interval from a cluster bootstrap of articles within each group; a group with
    fewer than ``min_docs`` articles gets NaN ratio intervals and a
    :class:`framing.stats.SmallGroupWarning`. A cell is flagged "over" or
    "under" when its ``q`` is below ``alpha``.

    Parameters
    ----------
    table, labels, group, unit
        As in :func:`outlet_shares`.
    n_perm : int
        Number of permutations B (``permutations=`` is the deprecated name).
    n_boot : int
        Bootstrap resamples for the ratio intervals (0 skips them).
    alpha : float
        Level for the flags and the intervals.
    include_unclustered : bool
        Keep -1 as a category (default; otherwise unclustered items are left out of the test
        -- their share is then best reported separately with :func:`outlet_shares`).
    random_state : int, numpy Generator or None
    min_docs : int
        Minimum number of articles of a group for its ratio intervals (default 5).

    Returns
    -------
    ShareTest

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(40)], "outlet": ["A"] * 20 + ["B"] * 20})
    >>> t = docs.loc[docs.index.repeat(5)].reset_index(drop=True)
    >>> labels = np.where(t["outlet"] == "A", rng.random(len(t)) < 0.8, rng.random(len(t)) < 0.2).astype(int)
    >>> res = share_test(t, labels, n_perm=199, n_boot=200, random_state=1)
    >>> res.p_value < 0.01
    True
    >>> res.cells.query("outlet == 'A' and cluster == 1")["direction"].item()
    'over'
    >>> res.summary()[["n_perm", "n_over", "n_under"]].to_dict("records")
    [{'n_perm': 199, 'n_over': 2, 'n_under': 2}]
    """
    if n_perm < 1:
        raise ClusterError(f"n_perm must be >= 1, got {n_perm!r}")
    if not 0 < alpha < 1:
        raise ClusterError(f"alpha must be in (0, 1), got {alpha!r}")
    min_docs = check_min_docs(min_docs, caller="share_test")
    lab = _labels_array(labels, len(table))
    if not include_unclustered:
        keep = lab != UNCLUSTERED
        table = table.iloc[np.flatnonzero(keep)]
        lab = lab[keep]
    ut = _unit_table(table, lab, group, unit)
    G, K = len(ut.groups), len(ut.clusters)
    if G < 2:
        raise ClusterError(f"share_test needs at least 2 groups in {ut.group_name!r}, found {ut.groups}")
    rng = as_rng(random_state)
    obs = np.zeros((G, K))
    np.add.at(obs, ut.unit_group, ut.C)
    chi_obs, E_obs, res_obs = _chi2_parts(obs)
    N = obs.sum()
    V = float(np.sqrt(chi_obs / (N * (min(G, K) - 1)))) if min(G, K) > 1 else float("nan")
    B = int(n_perm)
    chi_perm, _, res_perm = _chi2_parts(_permuted_tables(ut, B, rng))
    p = float((1 + np.sum(chi_perm >= chi_obs - 1e-9 * max(1.0, abs(chi_obs)))) / (B + 1))
    p_cell = (1 + (np.abs(res_perm) >= np.abs(res_obs)[None] - 1e-9).sum(axis=0)) / (B + 1)
    q = fdr_bh(p_cell.ravel()).reshape(G, K)
    share = obs / obs.sum(axis=1, keepdims=True)
    pooled = obs.sum(axis=0) / N
    rlo, rhi = _ratio_interval(ut, n_boot, rng, alpha, min_docs, unit)
    cells = pd.DataFrame({
        ut.group_name: np.repeat(ut.groups, K),
        "cluster": np.tile(ut.clusters, G),
        "observed": obs.ravel().astype(np.int64),
        "expected": E_obs.ravel(),
        "residual": res_obs.ravel(),
        "p_value": p_cell.ravel(),
        "q": q.ravel(),
        "share": share.ravel(),
        "pooled_share": np.tile(pooled, G),
        "ratio": (share / pooled[None, :]).ravel(),
        "ratio_ci_low": rlo.ravel(),
        "ratio_ci_high": rhi.ravel(),
        "direction": np.where(q < alpha, np.where(res_obs > 0, "over", "under"), "").ravel(),
    })
    info = {"unit": unit, "group": ut.group_name, "n_units": ut.C.shape[0], "n_items": int(N), "groups": ut.groups,
            "clusters": ut.clusters.tolist(), "alpha": alpha, "n_boot": n_boot, "min_docs": min_docs,
            "statistic": "Pearson chi-square", "null": f"{ut.group_name} labels exchangeable across {unit or 'rows'}"}
    return ShareTest(statistic=float(chi_obs), cramers_v=V, p_value=p, n_perm=B, cells=cells, info=info)
