"""Drawing for claim alignment and quotes: coverage heatmap, actor shares, verb profile.

Every function takes a result from :mod:`framing.align` or :mod:`framing.quotes`, draws on
``ax`` (a new figure's axes when None) and returns the Axes. Nothing is saved or shown.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plot_claim_coverage", "plot_actor_shares", "plot_verb_profile"]


def _axes(ax: Any, figsize: tuple[float, float] = (7, 5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
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


def _ci_dotplot(df: pd.DataFrame, category: str, *, ax: Any, xlabel: str, title: str,
                labels: dict[str, str] | None = None) -> Any:
    import matplotlib.pyplot as plt

    for c in ("outlet", category, "share", "ci_low", "ci_high"):
        if c not in df.columns:
            raise ValueError(f"expected column {c!r} (use the output of framing.quotes)")
    outlets = list(dict.fromkeys(df["outlet"].astype(str)))
    cats = list(dict.fromkeys(df[category].astype(str)))
    ax = _axes(ax, figsize=(7, 0.6 + 0.35 * len(cats) * max(1, len(outlets)) ** 0.5 + 1))
    cmap = plt.get_cmap("tab10" if len(outlets) <= 10 else "tab20")
    height = 0.8 / max(len(outlets), 1)
    for j, o in enumerate(outlets):
        sub = df[df["outlet"].astype(str) == o].set_index(df[df["outlet"].astype(str) == o][category].astype(str))
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
    ax.legend(title="outlet", fontsize=8, loc="best")
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
                       title=title or "Who gets quoted (share of quoted words, 95% CI)", labels=labels)


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
                       title=title or "How speech is attributed (share of attributions, 95% CI)")


