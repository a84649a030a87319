"""Drawing for story linking, claim alignment and quotes: linking accuracy over the merge
threshold, coverage heatmap, actor shares, verb profile.

Every function takes a result from :mod:`framing.align` or :mod:`framing.quotes`, draws on
``ax`` (a new figure's axes when None) and returns the Axes. Nothing is saved or shown.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plot_linking_curve", "plot_claim_coverage", "plot_actor_shares", "plot_verb_profile"]


def _axes(ax: Any, figsize: tuple[float, float] = (7, 5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


_METRIC_LABELS = {"ari": "adjusted Rand index", "pairwise_f1": "pairwise F1",
                  "pairwise_precision": "pairwise precision", "pairwise_recall": "pairwise recall"}
_NULL_LABELS = {"dates": "far-apart pairs", "outlet": "same-outlet pairs",
                "dates+outlet": "far-apart and same-outlet pairs", "reference": "another corpus"}


def plot_linking_curve(result: pd.DataFrame, *, ax: Any = None, title: str | None = None) -> Any:
    """Linking accuracy over the merge threshold, with the calibrated thresholds and baselines.

    One line per setting (e.g. dated, content only) with its 95% story-bootstrap band when
    the result has intervals; a marker with error bar and a dotted vertical line at each
    threshold calibrated without gold stories (line style by null); a dashed horizontal
    line per date baseline. Legend entries, below the axes, carry the values (and the
    baselines' intervals).

    Parameters
    ----------
    result : DataFrame
        Output of :func:`framing.align.linking_curve`.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, pandas as pd
    >>> r = pd.DataFrame({
    ...     "setting": ["dated", "dated", "dated", "dates only"],
    ...     "kind": ["curve", "curve", "calibrated", "baseline"],
    ...     "null": ["", "", "dates", ""], "threshold": [0.2, 0.4, 0.32, np.nan],
    ...     "estimate": [0.99, 0.8, 0.98, 0.89], "ci_low": np.nan, "ci_high": np.nan,
    ...     "n_pred_stories": [50, 70, 51, np.nan]})
    >>> ax = plot_linking_curve(r)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['dated', 'dates only: ARI 0.890', 'dated, threshold from far-apart pairs: 0.320, ARI 0.980']
    """
    import matplotlib.pyplot as plt

    for c in ("setting", "kind", "threshold", "estimate", "ci_low", "ci_high"):
        if c not in result.columns:
            raise ValueError(f"expected column {c!r} (use the output of framing.align.linking_curve)")
    metric = result.attrs.get("linking_curve", {}).get("metric", "ari")
    short = {"ari": "ARI", "pairwise_f1": "F1"}.get(metric, metric)
    ax = _axes(ax, figsize=(7, 4.2))
    curve = result[result["kind"] == "curve"]
    settings = list(dict.fromkeys(curve["setting"].astype(str)))
    cal = result[result["kind"] == "calibrated"]
    settings += [s for s in dict.fromkeys(cal["setting"].astype(str)) if s not in settings]
    cmap = plt.get_cmap("tab10")
    colour = {s: cmap(i % cmap.N) for i, s in enumerate(settings)}
    styles = {"dates": ":", "outlet": ":", "dates+outlet": ":", "reference": "-."}
    markers = {"dates": "D", "outlet": "D", "dates+outlet": "D", "reference": "s"}
    for s in settings:
        sub = curve[curve["setting"].astype(str) == s].sort_values("threshold")
        if len(sub):
            x = sub["threshold"].to_numpy(dtype=float)
            ax.plot(x, sub["estimate"].to_numpy(dtype=float), "-o", ms=2.5, lw=1.3, color=colour[s], label=s)
            lo, hi = sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float)
            ok = np.isfinite(lo) & np.isfinite(hi)
            if ok.any():
                ax.fill_between(x[ok], lo[ok], hi[ok], color=colour[s], alpha=0.15, lw=0)
    for _, r in cal.iterrows():
        s, null = str(r["setting"]), str(r.get("null", "") or "")
        t, e = float(r["threshold"]), float(r["estimate"])
        lo, hi = float(r["ci_low"]), float(r["ci_high"])
        err = None
        if np.isfinite(lo) and np.isfinite(hi):
            err = np.array([[max(e - lo, 0.0)], [max(hi - e, 0.0)]])
        ax.axvline(t, color=colour[s], lw=0.8, ls=styles.get(null, ":"), alpha=0.8)
        ax.errorbar([t], [e], yerr=err, fmt=markers.get(null, "D"), ms=6, mfc="white", mec=colour[s],
                    ecolor=colour[s], capsize=3, zorder=5,
                    label=f"{s}, threshold from {_NULL_LABELS.get(null, null or 'null pairs')}: "
                          f"{t:.3f}, {short} {e:.3f}")
    base = result[result["kind"] == "baseline"]
    grey = ["#444444", "#999999", "#222222", "#777777"]
    for i, (_, r) in enumerate(base.iterrows()):
        e = float(r["estimate"])
        lo, hi = float(r["ci_low"]), float(r["ci_high"])
        ci = f" [{lo:.2f}, {hi:.2f}]" if np.isfinite(lo) and np.isfinite(hi) else ""
        ax.axhline(e, color=grey[i % len(grey)], lw=1, ls=(0, (5, 2 + 2 * i)),
                   label=f"{r['setting']}: {short} {e:.3f}{ci}")
    vals = result[["estimate", "ci_low", "ci_high"]].to_numpy(dtype=float)
    vals = vals[np.isfinite(vals)]
    low = float(vals.min()) if vals.size else 0.0
    ax.set_ylim(min(low, 1.0) - 0.03, 1.02)
    ax.set_xlabel("merge threshold (combined similarity)")
    ax.set_ylabel(_METRIC_LABELS.get(metric, metric))
    ax.set_title(title if title is not None else "Story linking vs merge threshold")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    return ax


def plot_claim_coverage(alignment: Any, *, ax: Any = None, min_outlets: int = 1, title: str | None = None) -> Any:
    """Heatmap of the claim x outlet coverage matrix (filled: the outlet carries the claim).

    Claims are rows in story order; the right margin counts each claim's outlets.

    Parameters
    ----------
    alignment : ClaimAlignment
        Output of :func:`framing.align.align_claims`.
    ax : matplotlib Axes, optional
    min_outlets : int
        Only draw claims carried by at least this many outlets.
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from framing.align import align_claims
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"doc_id": ["a", "b", "b"], "sent_id": ["a:0", "b:0", "b:1"],
    ...                   "outlet": ["A", "B", "B"], "text": ["vote held", "vote held", "rain"]})
    >>> ax = plot_claim_coverage(align_claims(s, encoder=HashEncoder(), margin=1.0))
    >>> ax.images[0].get_array().shape
    (2, 2)
    """
    cov = alignment.coverage
    keep = cov.sum(axis=1) >= min_outlets
    cov = cov[keep]
    if ax is None:
        ax = _axes(None, figsize=(1.2 + 0.9 * max(len(cov.columns), 1), 1.5 + 0.22 * max(len(cov), 1)))
    M = cov.to_numpy(dtype=float)
    ax.imshow(M if M.size else np.zeros((0, len(cov.columns))), aspect="auto", cmap="Greens", vmin=0, vmax=1.25,
              interpolation="nearest")
    ax.set_xticks(range(len(cov.columns)))
    ax.set_xticklabels([str(c) for c in cov.columns], rotation=45, ha="right")
    step = max(1, len(cov) // 40)
    ax.set_yticks(range(0, len(cov), step))
    ax.set_yticklabels([str(c) for c in cov.index[::step]], fontsize=7)
    ax.set_xticks(np.arange(-0.5, len(cov.columns), 1), minor=True)
    ax.tick_params(which="minor", length=0)
    ax.grid(which="minor", axis="x", color="white", linewidth=2)
    n = cov.sum(axis=1).to_numpy()
    for i, k in enumerate(n):
        if i % step == 0:
            ax.text(len(cov.columns) - 0.4, i, f"{int(k)}", va="center", fontsize=7, color="#555")
    ax.set_xlim(-0.5, len(cov.columns) - 0.5 + 0.6)
    ax.set_ylabel("claim (story order)")
    ax.set_title(title if title is not None else
                 f"Who reports which claim{f' ({alignment.story})' if alignment.story else ''}")
    return ax


def _group_column(df: pd.DataFrame) -> str:
    """The group column of a :mod:`framing.quotes` summary: ``outlet``, ``group``, or the first
    column (the summaries name it after their ``group=`` column)."""
    for c in ("outlet", "group"):
        if c in df.columns:
            return c
    if len(df.columns) == 0:
        raise ValueError("expected a group column (use the output of framing.quotes)")
    return str(df.columns[0])


def _level(df: pd.DataFrame) -> str:
    """The interval level recorded by the summary (``attrs["bootstrap"]["alpha"]``), as "95%"."""
    alpha = (df.attrs.get("bootstrap") or {}).get("alpha", 0.05)
    return f"{100 * (1 - alpha):.4g}%"


def _ci_dotplot(df: pd.DataFrame, category: str, *, ax: Any, xlabel: str, title: str,
                labels: dict[str, str] | None = None) -> Any:
    import matplotlib.pyplot as plt

    gcol = _group_column(df)
    for c in (category, "share", "ci_low", "ci_high"):
        if c not in df.columns:
            raise ValueError(f"expected column {c!r} (use the output of framing.quotes)")
    outlets = list(dict.fromkeys(df[gcol].astype(str)))
    cats = list(dict.fromkeys(df[category].astype(str)))
    ax = _axes(ax, figsize=(7, 0.6 + 0.35 * len(cats) * max(1, len(outlets)) ** 0.5 + 1))
    cmap = plt.get_cmap("tab10" if len(outlets) <= 10 else "tab20")
    height = 0.8 / max(len(outlets), 1)
    for j, o in enumerate(outlets):
        mine = df[df[gcol].astype(str) == o]
        sub = mine.set_index(mine[category].astype(str))
        sub = sub.reindex(cats)
        y = np.arange(len(cats)) - 0.4 + height * (j + 0.5)
        x = sub["share"].to_numpy(dtype=float)
        lo = sub["ci_low"].to_numpy(dtype=float)
        hi = sub["ci_high"].to_numpy(dtype=float)
        err = np.vstack([np.where(np.isfinite(lo), x - lo, 0), np.where(np.isfinite(hi), hi - x, 0)])
        ax.errorbar(x, y, xerr=np.clip(err, 0, None), fmt="o", ms=4, capsize=2, color=cmap(j % cmap.N),
                    label=o, lw=1)
    ax.set_yticks(range(len(cats)))
    ax.set_yticklabels([labels.get(c, c) if labels else c for c in cats])
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(title=gcol, fontsize=8, loc="best")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_actor_shares(shares: pd.DataFrame, *, ax: Any = None, labels: dict[str, str] | None = None,
                      title: str | None = None) -> Any:
    """Dot plot of the share of quoted words by actor group per outlet, with bootstrap CIs.

    Parameters
    ----------
    shares : DataFrame
        Output of :func:`framing.quotes.quote_shares`.
    ax : matplotlib Axes, optional
    labels : dict, optional
        Group id -> display label (e.g. ``ActorLexicon.default().labels``).
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> s = pd.DataFrame({"outlet": ["X", "X"], "actor_group": ["un", "other"], "share": [0.7, 0.3],
    ...                   "ci_low": [0.5, 0.1], "ci_high": [0.9, 0.5]})
    >>> ax = plot_actor_shares(s)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['un', 'other']
    """
    return _ci_dotplot(shares, "actor_group", ax=ax, xlabel="share of quoted words",
                       title=title or f"Who gets quoted (share of quoted words, {_level(shares)} CI)", labels=labels)


def plot_verb_profile(profile: pd.DataFrame, *, ax: Any = None, title: str | None = None) -> Any:
    """Dot plot of the share of attributions by speech verb per outlet, with bootstrap CIs.

    Parameters
    ----------
    profile : DataFrame
        Output of :func:`framing.quotes.verb_profile` (``verb`` or ``verb_class`` column).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> p = pd.DataFrame({"outlet": ["X", "Y"], "verb": ["say", "say"], "share": [0.8, 0.6],
    ...                   "ci_low": [0.7, 0.4], "ci_high": [0.9, 0.8]})
    >>> len(plot_verb_profile(p).get_legend().get_texts())
    2
    """
    cat = "verb" if "verb" in profile.columns else "verb_class"
    return _ci_dotplot(profile, cat, ax=ax, xlabel="share of attributions",
                       title=title or f"How speech is attributed (share of attributions, {_level(profile)} CI)")


