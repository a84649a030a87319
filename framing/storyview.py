"""Side-by-side HTML story view of a :class:`framing.align.ClaimAlignment`.

Outlets are columns, aligned claims are rows (in story order), and a claim an outlet does
not carry shows as an empty, hatched *gap* cell, so omissions are visible at a glance.
The standalone page is self-contained: inline CSS, no external resources, all text
HTML-escaped. A small inline script (no network) records what rendered into attributes
of ``<body>`` -- ``data-rendered-columns``, ``data-rendered-rows``, ``data-rendered-gaps``
-- and any JavaScript error into ``data-js-errors``, so a headless browser test can check
the page with ``--dump-dom``. In a notebook (``_repr_html_``) the same table is shown
without the script.
"""
from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from framing.align import ClaimAlignment

__all__ = ["render_story_view"]

_CSS = """
.fsv { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; font-size: 13px;
       color: #222; }
.fsv h2 { font-size: 16px; margin: 0 0 4px 0; }
.fsv .fsv-meta { color: #555; margin: 0 0 8px 0; }
.fsv table { border-collapse: collapse; table-layout: fixed; width: 100%; }
.fsv th, .fsv td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; }
.fsv thead th { background: #f0f0f0; position: sticky; top: 0; }
.fsv th.fsv-claim { width: 5.5em; font-weight: normal; color: #555; white-space: nowrap; }
.fsv td.fsv-gap { background: repeating-linear-gradient(45deg, #fafafa, #fafafa 6px, #eee 6px, #eee 12px); }
.fsv tr.fsv-unique td.fsv-cell { background: #fff7e6; }
.fsv tr.fsv-shared td.fsv-cell { background: #eef6ee; }
.fsv .fsv-sim { color: #888; font-size: 11px; }
.fsv .fsv-legend span { display: inline-block; padding: 0 6px; margin-right: 6px; border: 1px solid #ccc; }
"""

_SCRIPT = """
window.__fsvErrors = [];
window.addEventListener('error', function (e) {
  window.__fsvErrors.push(String(e.message || e));
  document.body.setAttribute('data-js-errors', String(window.__fsvErrors.length));
});
document.addEventListener('DOMContentLoaded', function () {
  var t = document.querySelector('table.fsv-table');
  var cols = t ? t.querySelectorAll('thead th.fsv-outlet').length : 0;
  var rows = t ? t.querySelectorAll('tbody tr.fsv-row').length : 0;
  var gaps = t ? t.querySelectorAll('tbody td.fsv-gap').length : 0;
  document.body.setAttribute('data-rendered-columns', String(cols));
  document.body.setAttribute('data-rendered-rows', String(rows));
  document.body.setAttribute('data-rendered-gaps', String(gaps));
  document.body.setAttribute('data-js-errors', String(window.__fsvErrors.length));
});
"""


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def render_story_view(alignment: "ClaimAlignment", *, title: str | None = None, standalone: bool = True,
                      max_claims: int | None = None, min_outlets: int = 1) -> str:
    """Render a claim alignment as an HTML table (outlets x claims, gaps for omissions).

    Parameters
    ----------
    alignment : ClaimAlignment
        Output of :func:`framing.align.align_claims`.
    title : str, optional
        Heading (default: the story label).
    standalone : bool
        A full HTML page with the self-check script (True) or a fragment for notebooks.
    max_claims : int, optional
        Show at most this many claims (shared claims first is *not* applied: story order
        is kept; the rest is counted in a note).
    min_outlets : int
        Only show claims carried by at least this many outlets.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.align import align_claims
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"doc_id": ["a", "b"], "sent_id": ["a:0", "b:0"], "outlet": ["A", "B"],
    ...                   "text": ["Vote <b>held</b>", "Vote <b>held</b>"]})
    >>> page = render_story_view(align_claims(s, encoder=HashEncoder(), margin=1.0))
    >>> "&lt;b&gt;held" in page and "<b>held" not in page
    True
    """
    cov = alignment.coverage
    outlets = list(alignment.outlets)
    n_car = cov.sum(axis=1) if len(cov) else cov.sum(axis=1)
    claim_ids = [c for c in cov.index if int(n_car.loc[c]) >= min_outlets]
    hidden = 0
    if max_claims is not None and len(claim_ids) > max_claims:
        hidden = len(claim_ids) - max_claims
        claim_ids = claim_ids[:max_claims]
    cells: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for r in alignment.claims.itertuples(index=False):
        cells.setdefault((r.claim_id, r.outlet), []).append((r.text, r.similarity))
    summ = alignment.summary().set_index("outlet") if len(outlets) else None
    head = title if title is not None else (f"Story {alignment.story}" if alignment.story else "Story view")
    n_shared = int((n_car >= 2).sum()) if len(cov) else 0
    parts = ['<div class="fsv">', f"<h2>{_e(head)}</h2>",
             f'<p class="fsv-meta">{len(outlets)} outlets, {len(cov)} claims ({n_shared} carried by two or more '
             f'outlets); min. similarity {_e(alignment.params.get("min_similarity"))}, margin '
             f'{_e(alignment.params.get("margin"))}.</p>',
             '<p class="fsv-meta fsv-legend"><span style="background:#eef6ee">shared</span>'
             '<span style="background:#fff7e6">one outlet only</span>'
             '<span style="background:repeating-linear-gradient(45deg,#fafafa,#fafafa 6px,#eee 6px,#eee 12px)">'
             'omitted</span></p>',
             '<table class="fsv-table"><thead><tr><th class="fsv-claim">claim</th>']
    for o in outlets:
        sub = ""
        if summ is not None:
            sub = (f'<br><span class="fsv-sim">{int(summ.loc[o, "n_claims"])} claims, '
                   f'{int(summ.loc[o, "n_unique"])} alone, {int(summ.loc[o, "n_omitted_shared"])} shared '
                   f'omitted</span>')
        parts.append(f'<th class="fsv-outlet" data-outlet="{_e(o)}">{_e(o)}{sub}</th>')
    parts.append("</tr></thead><tbody>")
    for c in claim_ids:
        k = int(n_car.loc[c])
        cls = "fsv-shared" if k >= 2 else "fsv-unique"
        parts.append(f'<tr class="fsv-row {cls}" data-claim="{_e(c)}"><th class="fsv-claim">{_e(c)}'
                     f'<br><span class="fsv-sim">{k}/{len(outlets)}</span></th>')
        for o in outlets:
            items = cells.get((c, o))
            if not items:
                parts.append(f'<td class="fsv-gap" data-outlet="{_e(o)}" title="not reported by {_e(o)}"></td>')
                continue
            body = "<br>".join(
                _e(t) + (f' <span class="fsv-sim">({s:.2f})</span>' if s is not None and np.isfinite(s) else "")
                for t, s in items)
            parts.append(f'<td class="fsv-cell" data-outlet="{_e(o)}">{body}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table>")
    if hidden:
        parts.append(f'<p class="fsv-meta">{hidden} more claims not shown.</p>')
    parts.append("</div>")
    fragment = "".join(parts)
    if not standalone:
        return f"<style>{_CSS}</style>{fragment}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(head)}</title><style>{_CSS}</style>"
            f"<script>{_SCRIPT}</script></head><body>{fragment}</body></html>\n")
