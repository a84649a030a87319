"""Plots of lexical contrasts and framing markers (tables from :mod:`framing.lexical` and
:mod:`framing.markers`). Each function draws on ``ax`` (or a new figure) and returns the Axes;
nothing is saved or shown."""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy.special import ndtri

from framing._compat import renamed_kwargs
from framing.voice import text_label

__all__ = ["plot_fightin_words", "plot_term_intervals", "plot_prior_sensitivity", "plot_marker_rates",
           "plot_marker_heatmap", "plot_marker_voice", "spread_labels"]

_GROUP_COLOR, _OTHER_COLOR, _NEUTRAL = "#b2182b", "#2166ac", "#bbbbbb"


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _contrast(result: pd.DataFrame, group: str | None, other: str | None) -> tuple[pd.DataFrame, str, str]:
    need = {"term", "group", "other", "z", "delta"}
    if not isinstance(result, pd.DataFrame) or not need <= set(result.columns):
        raise ValueError(f"expected the output of framing.fightin_words (columns {sorted(need)})")
    pairs = result[["group", "other"]].drop_duplicates()
    if group is not None:
        pairs = pairs[pairs["group"] == str(group)]
    if other is not None:
        pairs = pairs[pairs["other"] == str(other)]
    if pairs.empty:
        raise ValueError(f"no contrast with group={group!r}, other={other!r}; contrasts are "
                         f"{result[['group', 'other']].drop_duplicates().values.tolist()}")
    g, o = pairs.iloc[0]
    return result[(result["group"] == g) & (result["other"] == o)], str(g), str(o)


def _tested(sub: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """``significant`` as a bool array (NA: False) and whether the terms were tested at all."""
    if "significant" not in sub.columns:
        return np.zeros(len(sub), dtype=bool), False
    sig = sub["significant"].astype("boolean")
    tested = bool(len(sig)) and not bool(sig.isna().any())
    return sig.fillna(False).to_numpy(dtype=bool), tested


def spread_labels(y: Sequence[float], *, gap: float, lo: float, hi: float) -> np.ndarray:
    """Move label positions apart so neighbours are at least ``gap`` apart, staying in [lo, hi].

    Deterministic 1-D repulsion: labels keep the order of ``y`` (descending), are pushed down
    where they crowd, then pushed back up if they run past ``lo``. If they cannot fit, they are
    spread evenly over [lo, hi].

    Examples
    --------
    >>> spread_labels([5.0, 4.9, 4.8, 0.0], gap=1.0, lo=0.0, hi=6.0).tolist()
    [5.0, 4.0, 3.0, 0.0]
    """
    y = np.asarray(y, dtype=float)
    order = np.argsort(-y, kind="stable")
    p = np.clip(y[order], lo, hi)
    n = len(p)
    if n == 0:
        return p
    if (n - 1) * gap > hi - lo:
        out = np.linspace(hi, lo, n)
    else:
        for i in range(1, n):
            p[i] = min(p[i], p[i - 1] - gap)
        if p[-1] < lo:
            p[-1] = lo
            for i in range(n - 2, -1, -1):
                p[i] = max(p[i], p[i + 1] + gap)
        out = p
    res = np.empty(n)
    res[order] = out
    return res


def plot_fightin_words(result: pd.DataFrame, *, ax: Axes | None = None, top: int = 15, group: str | None = None,
                       other: str | None = None, fontsize: float = 8.0) -> Axes:
    """Monroe-style plot: total frequency (x, log scale) against z (y), top terms labelled.

    Every tested term is a dot: coloured when ``significant`` (the document-level permutation
    test, q < alpha; red: more in ``group``, blue: more in ``other``), grey otherwise; a
    result computed with ``n_perm=0`` was not tested, so no dot is coloured (the title
    says so). The ``top`` terms of each side are labelled in a column
    to the right of the cloud, in the order of their z, joined to their dot by a thin leader
    line; labels never overlap (:func:`spread_labels`): the font shrinks down to 4 pt and, if
    the axes are still too small, only the highest-ranked labels are kept. Dashed lines mark
    :math:`z = \\pm z_{1-\\alpha/2}`, the token-level reference (not the test).

    Parameters
    ----------
    result : DataFrame
        Output of :func:`framing.fightin_words`.
    top : int
        Terms labelled on each side.
    group, other : str, optional
        Which contrast to draw (default: the first one).
    fontsize : float
        Label size (reduced if the labels would not fit).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.lexical import fightin_words
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B", "B"], "text": ["sham vote", "sham poll", "vote", "poll vote"]})
    >>> ax = plot_fightin_words(fightin_words(c, mode="two", min_count=1), top=2)
    """
    ax = _axes(ax, (8, 6))
    sub, g, o = _contrast(result, group, other)
    alpha = float(result.attrs.get("alpha", 0.05))
    zc = float(ndtri(1 - alpha / 2))
    total = (sub["count_group"] + sub["count_other"]).to_numpy(dtype=float) if "count_group" in sub else \
        np.ones(len(sub))
    z = sub["z"].to_numpy(dtype=float)
    sig, tested = _tested(sub)
    colors = np.where(sig & (z > 0), _GROUP_COLOR, np.where(sig & (z < 0), _OTHER_COLOR, _NEUTRAL))
    ax.scatter(total, z, s=8, c=colors, alpha=0.6, linewidths=0, zorder=2)
    ax.set_xscale("log")
    ax.axhline(0, color="0.6", lw=0.6, zorder=1)
    for h in (zc, -zc):
        ax.axhline(h, color="0.6", lw=0.6, ls="--", zorder=1)
    if len(sub) == 0:
        return ax
    # log-x layout: the dots fill the left ~72% of the axes, the label column starts at 76%
    lo_x = np.log10(max(float(total.min()), 1e-9))
    hi_x = np.log10(max(float(total.max()), 1e-9))
    span = max(hi_x - lo_x, 0.5)
    a, b = lo_x - 0.03 * span, hi_x + 0.03 * span
    right = a + (b - a) / 0.72
    ax.set_xlim(10 ** a, 10 ** right)
    x_label = 10 ** (a + 0.76 * (right - a))
    pos = np.flatnonzero(z > 0)
    neg = np.flatnonzero(z < 0)
    pos = pos[np.argsort(-z[pos], kind="stable")][:top]
    neg = neg[np.argsort(z[neg], kind="stable")][:top]
    zmax = max(float(z.max()), zc) * 1.08
    zmin = min(float(z.min()), -zc) * 1.08
    ax.set_ylim(zmin, zmax)
    fig = ax.figure
    height_in = ax.get_window_extent().height / fig.dpi
    # each label needs a slot of `frac` of the axes height; shrink the font if both sides
    # together cannot fit, then widen the y-range so each side has room for its labels
    frac = fontsize * 1.35 / 72 / max(height_in, 1e-6)
    need = (len(pos) + len(neg) + 1) * frac
    if need > 0.95:
        fontsize = max(4.0, fontsize * 0.95 / need)
        frac = fontsize * 1.35 / 72 / max(height_in, 1e-6)
        capacity = max(int(0.95 / frac) - 1, 0)
        if len(pos) + len(neg) > capacity:  # still too many: keep the highest-ranked labels
            k_pos = min(len(pos), max(capacity - len(neg), (capacity + 1) // 2))
            pos, neg = pos[:k_pos], neg[:capacity - k_pos]
    n_p, n_n = (len(pos) + 0.5) * frac, (len(neg) + 0.5) * frac
    for _ in range(50):
        if n_p + n_n >= 1:
            break
        if zmax / (zmax - zmin) < n_p:
            zmax = n_p * -zmin / (1 - n_p)
        if -zmin / (zmax - zmin) < n_n:
            zmin = -n_n * zmax / (1 - n_n)
    ax.set_ylim(zmin, zmax)
    gap = frac * (zmax - zmin)
    terms = sub["term"].astype(str).to_numpy()
    for idx, lo, hi, color in ((pos, gap / 2, zmax - gap / 2, _GROUP_COLOR),
                               (neg, zmin + gap / 2, -gap / 2, _OTHER_COLOR)):
        if len(idx) == 0:
            continue
        ys = spread_labels(z[idx], gap=gap, lo=lo, hi=hi)
        for i, yl in zip(idx, ys):
            ax.plot([total[i], x_label], [z[i], yl], color=color, lw=0.4, alpha=0.7, zorder=3)
            ax.text(x_label, yl, " " + terms[i], va="center", ha="left", fontsize=fontsize, color=color,
                    zorder=4)
    what = text_label(result.attrs)
    ax.set_xlabel("count in both groups (log scale)" + (f"\ntext counted: {what}" if what else ""))
    ax.set_ylabel("z (log-odds ratio / its s.e.)")
    ax.text(0.01, 0.99, f"more in {g}", transform=ax.transAxes, va="top", color=_GROUP_COLOR, fontsize=9)
    ax.text(0.01, 0.01, f"more in {o}", transform=ax.transAxes, va="bottom", color=_OTHER_COLOR, fontsize=9)
    ax.set_title(f"Fightin' Words: {g} vs {o}" + (f" ({what})" if what else "")
                 + ("" if tested else "\nnot tested (n_perm=0): no term coloured"))
    return ax


def plot_term_intervals(result: pd.DataFrame, *, ax: Axes | None = None, top: int = 20, group: str | None = None,
                        other: str | None = None, terms: Sequence[str] | None = None) -> Axes:
    """Token-level vs document-level intervals of the log-odds ratio for the top terms.

    For each term two horizontal intervals: the token-level one,
    :math:`\\delta \\pm z_{1-\\alpha/2}\\sigma` (Monroe et al.'s variance, which treats every
    token as independent), and the document-level bootstrap interval (``ci_low``,
    ``ci_high``). Terms that the token-level test calls significant but the document-level
    permutation test (``significant``) does not are written in bold with a ``†`` (only when
    the result has that test: with ``n_perm=0`` nothing is marked); the tick labels give
    the number of documents containing the term on each side.

    Parameters
    ----------
    result : DataFrame
        Output of :func:`framing.fightin_words` run with ``n_boot > 0``.
    top : int
        Number of terms (largest :math:`|z|`) when ``terms`` is not given.
    group, other : str, optional
        Which contrast (default: the first).
    terms : list of str, optional
        Draw these terms instead of the top ones.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.lexical import fightin_words
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B", "B"], "text": ["sham vote", "sham poll", "vote", "poll vote"]})
    >>> ax = plot_term_intervals(fightin_words(c, mode="two", min_count=1, n_boot=50, random_state=0))
    """
    sub, g, o = _contrast(result, group, other)
    if not {"ci_low", "ci_high", "var"} <= set(sub.columns):
        raise ValueError("plot_term_intervals needs a fightin_words result computed with n_boot > 0")
    alpha = float(result.attrs.get("alpha", 0.05))
    zc = float(ndtri(1 - alpha / 2))
    if terms is not None:
        missing = sorted(set(terms) - set(sub["term"]))
        if missing:
            raise ValueError(f"terms not in the {g} vs {o} result: {missing}")
        sel = sub.set_index("term").loc[list(terms)].reset_index()
    else:
        sel = sub.loc[sub["z"].abs().sort_values(ascending=False, kind="stable").index[:top]]
    sel = sel.sort_values("delta", kind="stable").reset_index(drop=True)
    ax = _axes(ax, (7, 0.3 * len(sel) + 1.5))
    y = np.arange(len(sel), dtype=float)
    half = zc * np.sqrt(sel["var"].to_numpy(dtype=float))
    d = sel["delta"].to_numpy(dtype=float)
    ax.hlines(y + 0.17, d - half, d + half, color="0.45", lw=2, label=f"token-level ±{zc:.2f}σ")
    ax.hlines(y - 0.17, sel["ci_low"], sel["ci_high"], color=_OTHER_COLOR, lw=2,
              label=f"document bootstrap {100 * (1 - alpha):.0f}% CI")
    ax.plot(d, y, "k|", ms=8)
    ax.axvline(0, color="0.6", lw=0.6)
    doc_sig, tested = _tested(sel)
    token_sig = (np.abs(sel["z"].to_numpy(dtype=float)) > zc) & tested
    labels = []
    for i, row in sel.iterrows():
        flag = " †" if token_sig[i] and not doc_sig[i] else ""
        docs = f" [{int(row['docs_group'])}|{int(row['docs_other'])}]" if "docs_group" in row else ""
        labels.append(f"{row['term']}{docs}{flag}")
    ax.set_yticks(y, labels)
    for tick, t_sig, d_sig in zip(ax.get_yticklabels(), token_sig, doc_sig):
        if t_sig and not d_sig:
            tick.set_fontweight("bold")
            tick.set_color(_GROUP_COLOR)
    ax.set_ylim(-0.7, len(sel) - 0.3)
    ax.set_xlabel(f"log-odds ratio δ  (> 0: more in {g}; < 0: more in {o})")
    ax.set_title(f"{g} vs {o}: token-level vs document-level uncertainty\n"
                 f"[documents with the term: {g}|{o}]; "
                 + ("† significant only at token level" if tested else "not tested (n_perm=0)"), fontsize=9)
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    return ax


def plot_prior_sensitivity(result: pd.DataFrame, *, ax: Axes | None = None, top: int = 8, group: str | None = None,
                           other: str | None = None, value: str = "z", fontsize: float = 7.0) -> Axes:
    """How the top terms' z (or δ, or rank) moves as the Dirichlet prior changes.

    One line per term across the prior settings of :func:`framing.prior_sensitivity`
    (x, ordered by :math:`\\\\alpha_0`, the reference setting marked by a vertical line):
    the ``top`` terms with the highest z under the reference (red: more in ``group``) and the
    ``top`` with the lowest (blue: more in ``other``), each labelled at the right end. Flat
    lines mean the ranking does not hang on the prior; lines that cross or converge on 0
    mean it does (Monroe, Colaresi & Quinn 2008 leave the prior's size to the analyst).

    Parameters
    ----------
    result : DataFrame
        Output of :func:`framing.prior_sensitivity`.
    top : int
        Terms drawn on each side.
    group, other : str, optional
        Which contrast to draw (default: the first one).
    value : {"z", "delta", "rank"}
        What the y axis shows (``"rank"``: 1 at the top).
    fontsize : float
        Label size.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.lexical import prior_sensitivity
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B", "B"],
    ...                   "text": ["sham vote sham poll", "sham poll vote", "vote poll vote", "poll vote held"]})
    >>> ax = plot_prior_sensitivity(prior_sensitivity(c, mode="two", min_count=1), top=2)
    >>> [t.get_text() for t in ax.get_xticklabels()][:2]
    ['uniform, 0.01 per term (α0=0.04)', 'pooled, α0=10']
    """
    need = {"group", "other", "term", "setting", "z", "delta", "rank", "reference", "prior_scale"}
    if not isinstance(result, pd.DataFrame) or not need <= set(result.columns):
        raise ValueError(f"expected the output of framing.prior_sensitivity (columns {sorted(need)})")
    if value not in ("z", "delta", "rank"):
        raise ValueError(f"value must be 'z', 'delta' or 'rank', got {value!r}")
    sub, g, o = _contrast(result, group, other)
    settings = [d["setting"] for d in result.attrs.get("settings", [])] or \
        list(sub.sort_values("prior_scale", kind="stable")["setting"].drop_duplicates())
    settings = [s for s in settings if s in set(sub["setting"])]
    ref = result.attrs.get("reference")
    if ref not in settings:
        flagged = sub.loc[sub["reference"].astype(bool), "setting"]
        ref = flagged.iloc[0] if len(flagged) else settings[0]
    wide = sub.pivot_table(index="term", columns="setting", values=value, sort=False)[settings]
    ref_z = sub[sub["setting"] == ref].set_index("term")["z"]
    order = ref_z.sort_values(ascending=False, kind="stable").index
    hi = list(order[:top])
    lo = [t for t in list(order[::-1][:top]) if t not in hi]
    ax = _axes(ax, (max(6.0, 1.3 * len(settings) + 3), 6))
    x = np.arange(len(settings), dtype=float)
    for terms, color in ((hi, _GROUP_COLOR), (lo, _OTHER_COLOR)):
        for t in terms:
            ax.plot(x, wide.loc[t].to_numpy(dtype=float), "-o", color=color, lw=1, ms=3, alpha=0.8)
    k_ref = settings.index(ref)
    ax.axvline(k_ref, color="0.5", lw=0.8, ls="--", zorder=0)
    if value != "rank":
        ax.axhline(0, color="0.7", lw=0.6, zorder=0)
    else:
        ax.invert_yaxis()
    drawn = hi + lo
    if drawn:
        last = wide.loc[drawn, settings[-1]].to_numpy(dtype=float)
        finite = np.isfinite(last)
        lo_y, hi_y = ax.get_ylim()
        lo_y, hi_y = min(lo_y, hi_y), max(lo_y, hi_y)
        height_in = ax.get_window_extent().height / ax.figure.dpi
        gap = fontsize * 1.3 / 72 / max(height_in, 1e-6) * (hi_y - lo_y)
        ys = spread_labels(np.where(finite, last, lo_y), gap=gap, lo=lo_y, hi=hi_y)
        for t, yl in zip(drawn, ys):
            ax.text(x[-1] + 0.12, yl, t, va="center", ha="left", fontsize=fontsize,
                    color=_GROUP_COLOR if t in hi else _OTHER_COLOR)
    ax.set_xlim(-0.3, len(settings) - 0.3 + 0.9)
    ax.set_xticks(x, settings, rotation=30, ha="right", fontsize=8)
    ax.set_xlabel("prior (ordered by α0, the total prior count; dashed: reference)")
    ax.set_ylabel({"z": "z (log-odds ratio / its s.e.)", "delta": "log-odds ratio δ", "rank": "rank by z"}[value])
    ax.set_title(f"Prior sensitivity: {g} vs {o} (top {top} terms of each side under {ref})", fontsize=9)
    return ax


def _rates_frame(rates: pd.DataFrame, family: str | Sequence[str] | None) -> pd.DataFrame:
    need = {"group", "family", "marker", "rate"}
    if not isinstance(rates, pd.DataFrame) or not need <= set(rates.columns):
        raise ValueError(f"expected the output of framing.marker_rates (columns {sorted(need)})")
    if family is not None:
        fams = [family] if isinstance(family, str) else list(family)
        unknown = sorted(set(fams) - set(rates["family"]))
        if unknown:
            raise ValueError(f"unknown family {unknown}; families are {sorted(set(rates['family']))}")
        rates = rates[rates["family"].isin(fams)]
    return rates


def _interval_label(attrs: dict) -> str:
    return {"profile": "negative-binomial profile CI over documents", "bca": "BCa bootstrap CI over documents",
            "percentile": "percentile bootstrap CI over documents"}.get(attrs.get("interval"), "CI over documents")


def _rate_whiskers(ax: Axes, x: np.ndarray, y: np.ndarray, lo: np.ndarray, hi: np.ndarray, cap: float, *,
                   color: object, label: str, filled: bool = True) -> None:
    """Dots with interval whiskers; an infinite upper bound is drawn to ``cap`` with an arrow head."""
    open_hi = np.isinf(hi)
    hi_drawn = np.where(open_hi, cap, hi)
    err = np.vstack([x - lo, hi_drawn - x])
    err = np.where(np.isfinite(err), np.clip(err, 0, None), 0)
    ax.errorbar(x, y, xerr=err, fmt="o", ms=4, lw=1, capsize=0, color=color, mfc=color if filled else "white",
                label=label)
    if open_hi.any():
        ax.plot(np.full(open_hi.sum(), cap), y[open_hi], ">", ms=4, color=color)


def _cap(values: Sequence[np.ndarray]) -> float:
    finite = np.concatenate([v[np.isfinite(v)] for v in values if len(v)]) if values else np.array([])
    return float(finite.max() * 1.15) if len(finite) and finite.max() > 0 else 1.0


def _group_names(rates: pd.DataFrame, group: str | Sequence[str] | None) -> list[str]:
    """The groups to draw: those named (a label or a list, in that order), else all, sorted."""
    if group is None:
        return [str(g) for g in sorted(rates["group"].unique())]
    return [str(group)] if isinstance(group, str) else [str(g) for g in group]


@renamed_kwargs(groups="group")
def plot_marker_rates(rates: pd.DataFrame, *, ax: Axes | None = None, family: str | Sequence[str] | None = None,
                      group: str | Sequence[str] | None = None) -> Axes:
    """Dot-and-whisker plot of marker rates per 1,000 words by group, with their intervals.

    One row per marker (grouped by family); within a row one dot per group (outlet), dodged
    vertically, with its document-level interval (``attrs["interval"]``) as whiskers. An
    unbounded upper limit (all of a group's matches in one document) is drawn to the edge
    with an arrow head; a group below ``min_docs`` documents has no whisker.

    Parameters
    ----------
    rates : DataFrame
        Output of :func:`framing.marker_rates`.
    family : str or list, optional
        Family or families to draw (default: all).
    group : str or list of str, optional
        The group(s) of the ``group`` column to draw, in this order (default: all, sorted).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.markers import marker_rates
    >>> c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "text": ["Kiev, Kiev.", "Kyiv."]})
    >>> ax = plot_marker_rates(marker_rates(c, n_boot=20, random_state=0), family="naming")
    """
    rates = _rates_frame(rates, family)
    names = _group_names(rates, group)
    rows = rates[["family", "marker"]].drop_duplicates().to_numpy().tolist()
    multi = len({f for f, _ in rows}) > 1
    ax = _axes(ax, (7, 0.45 * len(rows) + 1.5))
    colors = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    step = 0.8 / max(len(names), 1)
    has_ci = {"ci_low", "ci_high"} <= set(rates.columns)
    cap = _cap([rates["rate"].to_numpy(dtype=float)] + ([rates["ci_high"].to_numpy(dtype=float)] if has_ci else []))
    for gi, name in enumerate(names):
        sub = rates[rates["group"] == name].set_index(["family", "marker"]).reindex([tuple(r) for r in rows])
        yy = np.arange(len(rows)) - 0.4 + step * (gi + 0.5)
        x = sub["rate"].to_numpy(dtype=float)
        if has_ci and sub["ci_low"].notna().any():
            _rate_whiskers(ax, x, yy, sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float), cap,
                           color=colors(gi % colors.N), label=name)
        else:
            ax.plot(x, yy, "o", ms=4, color=colors(gi % colors.N), label=name)
    ax.set_yticks(range(len(rows)), [f"{f}: {m}" if multi else m for f, m in rows])
    ax.invert_yaxis()
    for k in range(1, len(rows)):
        ax.axhline(k - 0.5, color="0.92", lw=0.6, zorder=0)
    what = text_label(rates.attrs)
    ax.set_xlabel(f"rate per {rates.attrs.get('per', 1000):g} words ({_interval_label(rates.attrs)})"
                  + (f"\ntext counted: {what}" if what else ""))
    ax.legend(fontsize=7, frameon=False, loc="best", title=rates.attrs.get("group"))
    return ax


@renamed_kwargs(groups="group")
def plot_marker_heatmap(rates: pd.DataFrame, *, ax: Axes | None = None, family: str | Sequence[str] | None = None,
                        normalize: str | None = "row", group: str | Sequence[str] | None = None) -> Axes:
    """Heatmap of marker rates: markers (rows) by groups (columns), rates written in the cells.

    Parameters
    ----------
    rates : DataFrame
        Output of :func:`framing.marker_rates`.
    family : str or list, optional
        Family or families to draw.
    normalize : "row" or None
        ``"row"``: colour shows each marker's rate relative to its largest rate across the
        groups (so rare and common markers are equally readable); None: the raw rate.
    group : str or list of str, optional
        The group(s) to draw as columns, in this order (default: all).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.markers import marker_rates
    >>> c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "text": ["Kiev, Kiev.", "Kyiv."]})
    >>> ax = plot_marker_heatmap(marker_rates(c, n_boot=0), family="naming")
    """
    if normalize not in ("row", None):
        raise ValueError(f"normalize must be 'row' or None, got {normalize!r}")
    rates = _rates_frame(rates, family)
    rows = rates[["family", "marker"]].drop_duplicates().to_numpy().tolist()
    multi = len({f for f, _ in rows}) > 1
    wide = rates.pivot_table(index=["family", "marker"], columns="group", values="rate", sort=False)
    wide = wide.reindex([tuple(r) for r in rows])
    if group is not None:
        wide = wide.reindex(columns=_group_names(rates, group))
    values = wide.to_numpy(dtype=float)
    shown = values
    if normalize == "row":
        with np.errstate(invalid="ignore", divide="ignore"):
            peak = np.nanmax(values, axis=1, keepdims=True)
            shown = np.where(peak > 0, values / peak, 0.0)
    ax = _axes(ax, (0.9 * values.shape[1] + 3, 0.35 * values.shape[0] + 1.5))
    ax.imshow(shown, aspect="auto", cmap="Reds", interpolation="nearest", vmin=0)
    top = np.nanmax(shown) if np.isfinite(shown).any() else 1.0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}" if v < 10 else f"{v:.0f}", ha="center", va="center", fontsize=6,
                        color="white" if shown[i, j] > 0.6 * top else "black")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in wide.columns], rotation=45, ha="right")
    ax.set_yticks(range(values.shape[0]), [f"{f}: {m}" if multi else m for f, m in wide.index])
    what = "share of the row's largest rate" if normalize == "row" else "rate"
    label = text_label(rates.attrs)
    ax.set_title(f"markers per {rates.attrs.get('per', 1000):g} words (colour: {what})"
                 + (f"\n{label}" if label else ""), fontsize=9)
    return ax


def plot_marker_voice(rates: pd.DataFrame, *, ax: Axes | None = None, markers: Sequence[str] | None = None,
                      family: str | Sequence[str] | None = None) -> Axes:
    """Marker rates in each group's own voice (filled) and in attributed speech (open), with CIs.

    Parameters
    ----------
    rates : DataFrame
        Output of :func:`framing.marker_rates_by_voice`.
    markers : list of str, optional
        Markers to show, in this order (default: all of ``family``).
    family : str or list, optional
        Marker family/families.

    Examples
    --------
    >>> from framing.markers import marker_rates_by_voice
    >>> c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": ["X", "Y"], "published": pd.NaT,
    ...                   "text": ["Kyiv called the vote a “sham”.", "The sham vote ended."]})
    >>> ax = plot_marker_voice(marker_rates_by_voice(c, n_boot=0, boilerplate="keep"), markers=["sham"])
    """
    if "voice" not in rates.columns:
        raise ValueError("plot_marker_voice needs the output of marker_rates_by_voice (a 'voice' column)")
    sub = _rates_frame(rates, family)
    if markers is not None:
        sub = sub[sub["marker"].isin(list(markers))]
        order = [m for m in markers if m in set(sub["marker"])]
    else:
        order = list(pd.unique(sub["marker"]))
    if sub.empty:
        raise ValueError("plot_marker_voice: no rows for these markers/family")
    ax = _axes(ax, (8, 0.6 * len(order) + 2))
    groups = sorted(pd.unique(sub["group"]).tolist(), key=str)
    voices = [v for v in rates.attrs.get("voices", ["own", "attributed"]) if v in set(sub["voice"])]
    colors = plt.get_cmap("tab10")
    cap = _cap([sub["rate"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float)])
    n = len(groups) * len(voices)
    for gi, g in enumerate(groups):
        for vi, v in enumerate(voices):
            t = sub[(sub["group"] == g) & (sub["voice"] == v)].drop_duplicates("marker").set_index("marker")
            t = t.reindex(order)
            k = gi * len(voices) + vi
            y = np.arange(len(order)) + (k - (n - 1) / 2) * 0.8 / max(n, 1)
            _rate_whiskers(ax, t["rate"].to_numpy(dtype=float), y, t["ci_low"].to_numpy(dtype=float),
                           t["ci_high"].to_numpy(dtype=float), cap, color=colors(gi % 10), label=f"{g}, {v}",
                           filled=v == "own")
    ax.set_yticks(range(len(order)), order)
    ax.invert_yaxis()
    for k in range(1, len(order)):
        ax.axhline(k - 0.5, color="0.92", lw=0.6, zorder=0)
    ax.set_xlabel(f"rate per {rates.attrs.get('per', 1000):g} words of each voice ({_interval_label(rates.attrs)})")
    ax.legend(fontsize=7, frameon=False, loc="best")
    ax.set_title("own voice (filled) vs attributed speech (open)", fontsize=10)
    return ax
