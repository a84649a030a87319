"""Compact HTML for results shown in a notebook (the ``_repr_html_`` of every result class).

One helper, :func:`html_summary`, writes what a result is, its parameters and the top rows of
its main table, so each class's ``_repr_html_`` is a one-liner and every result looks alike.
"""
from __future__ import annotations

import html
from typing import Any, Mapping

import numpy as np
import pandas as pd

__all__ = ["html_summary"]


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, (list, tuple, set)) and len(value) > 8:
        items = list(value)
        return ", ".join(map(str, items[:8])) + f", ... ({len(items)} in all)"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def html_summary(title: str, params: Mapping[str, Any] | None = None, table: pd.DataFrame | None = None,
                 n: int = 10, *, note: str = "", max_colwidth: int = 80) -> str:
    """A small HTML block: a header line, the parameters, and the first ``n`` rows of a table.

    Parameters
    ----------
    title : str
        What the object is, e.g. ``"AxisScores"``; shown in bold.
    params : mapping, optional
        Parameters and headline numbers, shown after the title as ``key=value`` (``None``
        values are left out; floats with four significant digits).
    table : DataFrame, optional
        The main table; only its first ``n`` rows are shown, with a line saying how many
        rows there are in all. Long cell texts are cut to ``max_colwidth`` characters.
    n : int
        Rows of ``table`` to show.
    note : str
        An optional line under the table (plain text, escaped).
    max_colwidth : int
        Longest cell text shown.

    Returns
    -------
    str
        An HTML fragment (no scripts, no styles), a few kB at most.

    Examples
    --------
    >>> s = html_summary("Demo", {"alpha": 0.05}, pd.DataFrame({"x": range(20)}), n=3)
    >>> "<b>Demo</b>" in s and "alpha=0.05" in s and "first 3 of 20 rows" in s
    True
    """
    parts = [f"<b>{html.escape(title)}</b>"]
    shown = {k: v for k, v in (params or {}).items() if v is not None}
    if shown:
        parts.append(" &middot; " + ", ".join(f"{html.escape(str(k))}={html.escape(_fmt(v))}"
                                            for k, v in shown.items()))
    out = ["<div class='framing-result'>", "<p>" + "".join(parts) + "</p>"]
    if table is not None:
        total = len(table)
        head = table.head(n).copy()
        for col in head.columns:
            if head[col].dtype == object:
                head[col] = head[col].map(lambda v: v if not isinstance(v, str) or len(v) <= max_colwidth
                                          else v[:max_colwidth - 3] + "...")
        if head.shape[1] > 12:
            head = head.iloc[:, :12]
        out.append(head.to_html(index=False, float_format=lambda x: f"{x:.4g}", border=0, escape=True))
        if total > n:
            out.append(f"<p><i>first {n} of {total} rows</i></p>")
    if note:
        out.append(f"<p><i>{html.escape(note)}</i></p>")
    out.append("</div>")
    return "\n".join(out)
