"""Comparing groups on an axis (:func:`compare_groups`) and explaining a group's position
(:func:`explain_axis`), from the result of :func:`framing.axes.score_axes`.

Both take the scores first, then the axis, then what is compared or explained
(``compare_groups(scores, axis, a, b)``, ``explain_axis(scores, axis, group=...)``).
"""
from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from framing._display import html_summary
from framing.stats import MIN_DOCS, SmallGroupWarning, as_rng as _rng, check_min_docs, percentile_interval, small_groups

from .resample import _STATS, _bootstrap, _perm_diffs
from .score import AxisScores

__all__ = ["compare_groups", "explain_axis", "AxisExplanation"]


# --------------------------------------------------------------------------------------
# comparing groups
# --------------------------------------------------------------------------------------

def _label_codes(scores: AxisScores, side: Any, what: str) -> list[int]:
    labels = scores._atoms["labels"]
    wanted = side if isinstance(side, list) else [side]
    codes = []
    for lab in wanted:
        if lab not in labels:
            raise KeyError(f"compare_groups: {what}={lab!r} is not a group; groups: {labels}")
        codes.append(labels.index(lab))
    return codes


def _min_perm_p(n_a: int, n_b: int, n_perm: int) -> float:
    """Smallest two-sided p the permutation test can give: a split and its mirror image tie when
    the sides are equal, and a Monte Carlo p is at least ``1 / (n_perm + 1)``."""
    splits = math.comb(n_a + n_b, n_a)
    return max((2 if n_a == n_b else 1) / splits, 1 / (n_perm + 1))


def _side_label(x: Any) -> Any:
    return ", ".join(map(str, x)) if isinstance(x, list) else x


def compare_groups(scores: AxisScores, axis: str, a: Any, b: Any, *, stat: str = "bias",
                   n_boot: int | None = None, n_perm: int | None = None, alpha: float | None = None,
                   random_state: int | np.random.Generator | None = None,
                   min_docs: int | None = None) -> pd.DataFrame:
    """Difference between two groups on one axis: bootstrap CI and permutation test.

    The interval is reported only where the two sides can support one. It is NaN, with a
    :class:`framing.stats.SmallGroupWarning` naming the side, when a side has fewer than
    ``min_docs`` resampling units, or when the permutation test could not reject at
    ``alpha`` whatever the data: with ``n_a`` and ``n_b`` units there are only
    ``C(n_a + n_b, n_a)`` ways to split them, so the smallest attainable two-sided p is
    about ``2 / C(n_a + n_b, n_a)`` (0.1 with three documents a side). A percentile
    interval from so few documents is far too narrow and could exclude 0 while the test
    says p = 0.125; now it cannot.

    Parameters
    ----------
    scores : AxisScores
    axis : str
    a, b : group label, or list of labels (pooled into one side)
    stat : {"bias", "intensity"}
    n_boot, n_perm : int, optional
        Bootstrap draws (documents resampled with replacement within each side, independently)
        and permutations (the sides' documents shuffled between them); default ``n_boot`` of
        ``scores``.
    alpha : float, optional
        Default: that of ``scores``.
    random_state : int, Generator or None
    min_docs : int, optional
        Minimum resampling units (documents; sentences with ``resample="units"``) on each
        side for an interval; default that of ``scores`` (5).

    Returns
    -------
    DataFrame
        One row: ``axis``, ``stat``, ``a``, ``b``, ``value_a``, ``value_b``, ``difference``
        (a - b), ``ci_low``, ``ci_high`` (percentile bootstrap; NaN for small sides, see
        above), ``p_value`` (two-sided permutation p value,
        ``(1 + #|perm diff| >= |diff|) / (n_perm + 1)``), ``n_a``, ``n_b`` (resampled units:
        documents, or sentences with ``resample="units"``). ``attrs["compare_groups"]`` records
        the options. Over several comparisons, ``framing.fdr_bh`` of the ``p_value`` column
        gives a ``q`` column.

    Examples
    --------
    >>> from framing.axes import Axis, score_axes
    >>> from framing.testing import HashEncoder
    >>> enc = HashEncoder(dim=128)
    >>> axis = Axis("calm", ["calm quiet day", "quiet peaceful night", "calm peaceful town"],
    ...             ["violent loud riot", "loud angry clash", "violent angry crowd"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": list("abcdef"), "outlet": list("XXXYYY"),
    ...                   "text": ["calm quiet morning", "peaceful town", "quiet day",
    ...                            "violent riot", "angry loud crowd", "loud clash"]})
    >>> scores = score_axes(s, axis, encoder=enc, n_boot=200, n_null=200, random_state=0)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     row = compare_groups(scores, "calm", "X", "Y", random_state=0).iloc[0]
    >>> bool(row["difference"] > 0), bool(np.isnan(row["ci_low"])), float(row["p_value"]) > 0.05   # 3 vs 3
    (True, True, True)
    >>> print(str(caught[-1].message).split(";")[0])
    compare_groups: no interval (NaN) for 2 groups with fewer than min_docs=5 documents: 'X' (3), 'Y' (3)

    """
    if stat not in _STATS:
        raise ValueError(f"stat: expected one of {_STATS}, got {stat!r}")
    ai = scores._axis_index(axis)
    col = ai + (scores._atoms["A"] if stat == "intensity" else 0)
    num = scores._atoms["num"][:, col:col + 1]
    den = scores._atoms["den"]
    atom_g = scores._atoms["group"]
    ca, cb = _label_codes(scores, a, "a"), _label_codes(scores, b, "b")
    if set(ca) & set(cb):
        raise ValueError("compare_groups: a and b share a group")
    sa, sb = np.isin(atom_g, ca), np.isin(atom_g, cb)
    n_boot = int(n_boot or scores.params["n_boot"])
    n_perm = int(n_perm or scores.params["n_null"])
    alpha = float(alpha if alpha is not None else scores.params["alpha"])
    min_docs = check_min_docs(min_docs if min_docs is not None else scores.params.get("min_docs", MIN_DOCS),
                              caller="compare_groups")
    rng = _rng(random_state)
    va = float(num[sa].sum() / den[sa].sum())
    vb = float(num[sb].sum() / den[sb].sum())
    diff = va - vb
    boot = _bootstrap(num[sa], den[sa], n_boot, rng)[:, 0] - _bootstrap(num[sb], den[sb], n_boot, rng)[:, 0]
    lo, hi = percentile_interval(boot, alpha)
    # permutation: shuffle the side labels over the pooled atoms
    pool = np.flatnonzero(sa | sb)
    n_a, n_b = int(sa.sum()), int(sb.sum())
    perm_diffs = _perm_diffs(num[pool, 0], den[pool], n_a, n_perm, rng)
    ok = np.isfinite(perm_diffs)
    p = (1 + np.sum(np.abs(perm_diffs[ok]) >= abs(diff) - 1e-12)) / (ok.sum() + 1)
    unit = "documents" if scores.params.get("resample", "documents") == "documents" else "sentences"
    if small_groups({_side_label(a): n_a, _side_label(b): n_b}, min_docs, caller="compare_groups", unit=unit):
        lo = hi = np.nan
    elif _min_perm_p(n_a, n_b, n_perm) > alpha:
        warnings.warn(f"compare_groups: no interval (NaN) for {_side_label(a)!r} ({n_a}) vs {_side_label(b)!r} "
                      f"({n_b}): with so few {unit} and {n_perm} permutations the permutation test cannot reach "
                      f"p <= {alpha}", SmallGroupWarning, stacklevel=2)
        lo = hi = np.nan
    out = pd.DataFrame([{"axis": axis, "stat": stat, "a": _side_label(a), "b": _side_label(b), "value_a": va,
                         "value_b": vb, "difference": diff, "ci_low": float(lo), "ci_high": float(hi),
                         "p_value": float(p), "n_a": n_a, "n_b": n_b}])
    out.attrs["compare_groups"] = {"n_boot": n_boot, "n_perm": n_perm, "alpha": alpha, "min_docs": min_docs,
                                   "unit": unit}
    return out


# --------------------------------------------------------------------------------------
# explanations
# --------------------------------------------------------------------------------------

@dataclass
class AxisExplanation:
    """What drives a group's position on an axis (see :func:`explain_axis`).

    Attributes
    ----------
    group, axis : the group and axis explained
    sentences : DataFrame
        ``pole`` ("positive"/"negative"), ``rank``, ``text``, ``projection``, ``deviation``
        (projection - corpus bias), ``pull`` (the sentence's total weighted deviation, over all its
        occurrences in the group, as a share of the group's total weight), ``count`` (how often
        the identical sentence occurs in the group), ``doc_id``, ``sent_id`` (first occurrence).
    neutral_share : float
        Weighted share of the group's sentences within ``band`` corpus SDs of the corpus bias.
    band : float
        Half-width of the near-neutral band, in corpus SDs of the projection.
    corpus_bias, corpus_sd : float
    n_units : int

    :meth:`to_frame` gives the sentences as a tidy table, :meth:`summary` the headline numbers.
    """

    group: Any
    axis: str
    sentences: pd.DataFrame
    neutral_share: float
    band: float
    corpus_bias: float
    corpus_sd: float
    n_units: int
    positive_label: str = ""
    negative_label: str = ""

    def __str__(self) -> str:
        lines = [f"{self.group} on {self.axis}: {self.neutral_share:.0%} of {self.n_units} sentences near-neutral "
                 f"(|projection - {self.corpus_bias:.3f}| < {self.band:g} SD = {self.band * self.corpus_sd:.3f})"]
        for pole, label in (("positive", self.positive_label), ("negative", self.negative_label)):
            lines.append(f"  towards {label}:")
            for r in self.sentences[self.sentences["pole"] == pole].itertuples():
                lines.append(f"    {r.projection:+.3f} x{r.count}  {r.text[:140]}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the neutral share and the top pulling sentences."""
        params = {"group": self.group, "axis": self.axis, "neutral_share": self.neutral_share,
                  "n_units": self.n_units, "band": self.band, "corpus_bias": self.corpus_bias}
        cols = [c for c in ("pole", "rank", "projection", "pull", "count", "text") if c in self.sentences.columns]
        return html_summary("AxisExplanation", params, self.sentences[cols])

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per sentence shown (:attr:`sentences`, with ``group`` and
        ``axis`` columns in front)."""
        out = self.sentences.copy()
        out.insert(0, "axis", self.axis)
        out.insert(0, "group", self.group)
        return out

    def summary(self) -> pd.DataFrame:
        """One row: ``group``, ``axis``, ``neutral_share``, ``n_units``, ``pull_positive`` and
        ``pull_negative`` (summed pull of the sentences shown for each pole), ``corpus_bias``."""
        pull = self.sentences.groupby("pole")["pull"].sum()
        return pd.DataFrame([{"group": self.group, "axis": self.axis, "neutral_share": self.neutral_share,
                              "n_units": self.n_units, "pull_positive": float(pull.get("positive", 0.0)),
                              "pull_negative": float(pull.get("negative", 0.0)), "corpus_bias": self.corpus_bias}])


_NO_GROUP = object()


def explain_axis(scores: AxisScores, axis: str, *legacy: Any, group: Any = _NO_GROUP, n: int = 5,
                 band: float = 0.5) -> AxisExplanation:
    """The sentences that pull a group towards each pole of an axis, and its neutral share.

    Identical sentences (boilerplate repeated across a group's documents) are merged; the
    ranking is by *pull*: the merged sentence's summed weighted deviation from the corpus bias,
    ``sum w_u (p_u - B_T)``, divided by the group's total weight, i.e. its contribution to
    ``bias_group - B_T``. The near-neutral share is the weighted share of the group's sentences
    with ``|p_u - B_T| < band * SD``, SD being the corpus-wide SD of the projections.

    Parameters
    ----------
    scores : AxisScores
    axis : str
        The axis (by name).
    group : a group label (as in ``scores.groups["group"]``), keyword-only
        The group explained. The order ``explain_axis(scores, group, axis)`` of earlier
        releases still works for one release, with a DeprecationWarning.
    n : int
        Sentences per pole.
    band : float
        Half-width of the neutral band in corpus SDs (default 0.5).

    Returns
    -------
    AxisExplanation

    Examples
    --------
    >>> from framing.axes import Axis, score_axes
    >>> from framing.testing import HashEncoder
    >>> enc = HashEncoder(dim=128)
    >>> axis = Axis("calm", ["calm quiet day", "quiet peaceful night", "calm peaceful town"],
    ...             ["violent loud riot", "loud angry clash", "violent angry crowd"]).fit(enc)
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b", "c", "d"], "outlet": ["X", "X", "X", "Y", "Y"],
    ...                   "text": ["a calm quiet morning", "violent riot", "budget talks", "loud clash",
    ...                            "calm talks"]})
    >>> ex = explain_axis(score_axes(s, axis, encoder=enc, n_boot=50, n_null=50, random_state=0), "calm", group="X", n=1)
    >>> ex.sentences["text"].tolist()
    ['a calm quiet morning', 'violent riot']

    """
    if legacy:
        if len(legacy) > 1 or group is not _NO_GROUP:
            raise TypeError("explain_axis() takes (scores, axis, *, group=...)")
        # explain_axis(scores, group, axis) of earlier releases: the third positional is the axis
        warnings.warn("explain_axis(scores, group, axis) is deprecated and will be removed in the next release; "
                      "use explain_axis(scores, axis, group=...) (see docs/glossary.md)", DeprecationWarning,
                      stacklevel=2)
        group, axis = axis, legacy[0]
    if group is _NO_GROUP:
        raise TypeError("explain_axis() missing the keyword argument 'group' (the group explained)")
    if n < 1:
        raise ValueError(f"n: expected a positive integer, got {n!r}")
    ai = scores._axis_index(axis)
    labels = scores._atoms["labels"]
    if group not in labels:
        raise KeyError(f"explain_axis: {group!r} is not a group; groups: {labels}")
    sel = scores._atoms["unit_gcode"] == labels.index(group)
    corp = scores.corpus.iloc[ai]
    BT, sd = float(corp["bias"]), float(corp["sd"])
    p = scores.projections[sel, ai]
    w = _effective_weights(scores, sel)
    dev = p - BT
    units = scores._units
    sub = pd.DataFrame({"text": units["text"].to_numpy(dtype=object)[sel],
                        "doc_id": units["doc_id"].to_numpy(dtype=object)[sel],
                        "sent_id": units["sent_id"].to_numpy(dtype=object)[sel],
                        "projection": p, "deviation": dev, "wdev": w * dev})
    merged = sub.groupby("text", sort=False).agg(
        doc_id=("doc_id", "first"), sent_id=("sent_id", "first"), projection=("projection", "first"),
        deviation=("deviation", "first"), pull=("wdev", "sum"), count=("text", "size")).reset_index()
    merged["pull"] /= w.sum()
    pos = merged[merged["pull"] > 0].nlargest(n, "pull").assign(pole="positive")
    neg = merged[merged["pull"] < 0].nsmallest(n, "pull").assign(pole="negative")
    out = pd.concat([pos, neg], ignore_index=True)
    out["rank"] = out.groupby("pole").cumcount() + 1
    out = out[["pole", "rank", "text", "projection", "deviation", "pull", "count", "doc_id", "sent_id"]]
    neutral = float(w[np.abs(dev) < band * sd].sum() / w.sum())
    ax = scores.axes[ai]
    return AxisExplanation(group=group, axis=ax.name, sentences=out, neutral_share=neutral, band=band,
                           corpus_bias=BT, corpus_sd=sd, n_units=int(sel.sum()),
                           positive_label=ax.positive_label, negative_label=ax.negative_label)


# the signature users see: the deprecated positional form is not part of it
explain_axis.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
    inspect.Parameter("scores", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation="AxisScores"),
    inspect.Parameter("axis", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation="str"),
    inspect.Parameter("group", inspect.Parameter.KEYWORD_ONLY, annotation="Any"),
    inspect.Parameter("n", inspect.Parameter.KEYWORD_ONLY, default=5, annotation="int"),
    inspect.Parameter("band", inspect.Parameter.KEYWORD_ONLY, default=0.5, annotation="float"),
], return_annotation="AxisExplanation")


def _effective_weights(scores: AxisScores, sel: np.ndarray) -> np.ndarray:
    """The selected sentences' weights as used in scoring (normalised per document when
    ``document_weight="equal"``)."""
    units = scores._units
    w = units["weight"].to_numpy(dtype=float)[sel]
    if scores.params["document_weight"] == "equal":
        docs = units["doc_id"].to_numpy(dtype=object)[sel]
        w = w / pd.Series(w).groupby(docs).transform("sum").to_numpy()
    return w
