"""Side-by-side HTML story view of a :class:`framing.align.ClaimAlignment`.

Outlets are columns, aligned claims are rows, and a claim an outlet does not carry shows as
an empty, hatched *gap* cell, so omissions are visible at a glance. Each column header names
the outlet's article(s) -- title, publication date and a link to the original -- when the
alignment (or the ``corpus`` passed) carries ``title``, ``published`` and ``url``. Rows follow
the articles (:func:`story_order`): a claim is placed when its sentences are next in their
articles, so every column reads in article order unless two outlets tell the story in a
different order (then the claim whose sentences sit earliest on average goes first).
The standalone page is self-contained: inline CSS, no external resources, all text
HTML-escaped. A small inline script (no network) records what rendered into attributes
of ``<body>`` -- ``data-rendered-columns``, ``data-rendered-rows``, ``data-rendered-gaps``
-- and any JavaScript error into ``data-js-errors``, so a headless browser test can check
the page with ``--dump-dom``. In a notebook (``_repr_html_``) the same table is shown
without the script.
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing.align import ARTICLE_COLUMNS, ClaimAlignment

__all__ = ["render_story_view", "story_order", "story_articles"]

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
.fsv .fsv-article { display: block; font-weight: normal; font-size: 12px; margin-top: 2px; }
.fsv .fsv-date { color: #555; }
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
  var arts = t ? t.querySelectorAll('thead .fsv-article').length : 0;
  document.body.setAttribute('data-rendered-articles', String(arts));
  document.body.setAttribute('data-js-errors', String(window.__fsvErrors.length));
});
"""


def _e(x: object) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def story_articles(alignment: ClaimAlignment, corpus: pd.DataFrame | None = None) -> pd.DataFrame:
    """The alignment's articles with their ``title``, ``published`` and ``url`` (NaN where unknown).

    Metadata comes from :attr:`ClaimAlignment.articles` and, for the columns it lacks or
    leaves empty, from ``corpus`` (matched on ``doc_id``).

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.align import align_claims
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"doc_id": ["a", "b"], "sent_id": ["a:0", "b:0"], "outlet": ["A", "B"],
    ...                   "text": ["Vote held", "Vote held"]})
    >>> corpus = pd.DataFrame({"doc_id": ["a", "b"], "title": ["Vote", "Ballot"]})
    >>> story_articles(align_claims(s, encoder=HashEncoder(), margin=1.0), corpus)["title"].tolist()
    ['Vote', 'Ballot']
    """
    arts = alignment.articles
    if arts is None or not len(arts):
        arts = alignment.claims[["doc_id", "outlet"]].drop_duplicates("doc_id")
    arts = arts.reset_index(drop=True).copy()
    for c in ARTICLE_COLUMNS:
        if c not in arts.columns:
            arts[c] = np.nan
    if corpus is not None:
        if "doc_id" not in corpus.columns:
            raise ValueError("corpus lacks column 'doc_id'")
        meta = corpus.drop_duplicates("doc_id").assign(doc_id=lambda d: d["doc_id"].astype(str)).set_index("doc_id")
        for c in ARTICLE_COLUMNS:
            if c in meta.columns:
                given = arts["doc_id"].astype(str).map(meta[c])
                arts[c] = arts[c].where(arts[c].notna() & (arts[c].astype(str) != ""), given)
    return arts


def story_order(alignment: ClaimAlignment) -> list[str]:
    """Claim ids in reading order: a merge of the articles' sentence orders.

    Repeatedly places the claim whose sentences are all next in their articles (the claim
    numbered first among them if several are); when none is (two articles tell the story in
    a different order), the claim numbered first among those next in some article. Claims
    are numbered by the mean relative position of their sentences
    (:func:`framing.align.align_claims`), so the order agrees with the numbering whenever the
    articles agree.

    Examples
    --------
    >>> import pandas as pd
    >>> from framing.align import align_claims
    >>> from framing.testing import HashEncoder
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b"], "sent_id": ["a:0", "a:1", "b:0"],
    ...                   "outlet": ["A", "A", "B"], "text": ["Intro", "Vote held", "Vote held"]})
    >>> story_order(align_claims(s, encoder=HashEncoder(), margin=1.0))
    ['c001', 'c002']
    """
    rank = {c: i for i, c in enumerate(alignment.coverage.index)}
    claims = alignment.claims
    queues = [g.sort_values("position", kind="stable", na_position="last")["claim_id"].tolist()
              for _, g in claims.groupby("doc_id", sort=False)]
    size = claims["claim_id"].value_counts().to_dict()
    heads = [0] * len(queues)
    placed: set[str] = set()
    out: list[str] = []
    while len(out) < len(rank):
        for q, queue in enumerate(queues):
            while heads[q] < len(queue) and queue[heads[q]] in placed:
                heads[q] += 1
        front = [queue[heads[q]] for q, queue in enumerate(queues) if heads[q] < len(queue)]
        if not front:   # claims without sentences (not made by align_claims): numbering order
            front = [c for c in rank if c not in placed]
        ready = [c for c in set(front) if front.count(c) == size.get(c, 0)]
        pick = min(ready or front, key=lambda c: rank.get(c, len(rank)))
        placed.add(pick)
        out.append(pick)
    return out


def _fmt_date(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return str(value)


def _article_header(row: Any) -> str:
    """One article in a column header: title (a link when there is a url) and date."""
    title = row.get("title")
    title = "" if title is None or (not isinstance(title, str) and pd.isna(title)) else str(title)
    url = row.get("url")
    url = str(url) if isinstance(url, str) and url.startswith(("http://", "https://")) else ""
    date = _fmt_date(row.get("published"))
    if not (title or url or date):
        return ""
    text = _e(title) if title else _e(row.get("doc_id"))
    if url:
        text = f'<a class="fsv-link" href="{_e(url)}" target="_blank" rel="noopener noreferrer">{text}</a>'
    when = f' <span class="fsv-date">{_e(date)}</span>' if date else ""
    return (f'<span class="fsv-article" data-doc="{_e(row.get("doc_id"))}" data-title="{_e(title)}" '
            f'data-published="{_e(date)}" data-url="{_e(url)}">{text}{when}</span>')


def render_story_view(alignment: ClaimAlignment, *, corpus: pd.DataFrame | None = None,
                      path: str | Path | None = None, title: str | None = None, standalone: bool = True,
                      max_claims: int | None = None, min_outlets: int = 1) -> str:
    """Render a claim alignment as an HTML table (outlets x claims, gaps for omissions).

    Parameters
    ----------
    alignment : ClaimAlignment
        Output of :func:`framing.align.align_claims`.
    corpus : DataFrame, optional
        The corpus (``doc_id`` and any of ``title``, ``published``, ``url``), for article
        metadata the alignment's sentence table did not carry.
    path : str or Path, optional
        Also write the HTML to this file (UTF-8).
    title : str, optional
        Heading (default: the story label).
    standalone : bool
        A full HTML page with the self-check script (True) or a fragment for notebooks.
    max_claims : int, optional
        Show at most this many claims (in reading order; the rest is counted in a note).
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
    n_car = cov.sum(axis=1)
    claim_ids = [c for c in story_order(alignment) if int(n_car.loc[c]) >= min_outlets]
    hidden = 0
    if max_claims is not None and len(claim_ids) > max_claims:
        hidden = len(claim_ids) - max_claims
        claim_ids = claim_ids[:max_claims]
    head = title if title is not None else (f"Story {alignment.story}" if alignment.story else "Story view")
    parts = ['<div class="fsv">', f"<h2>{_e(head)}</h2>", _meta(alignment, n_car),
             '<table class="fsv-table"><thead><tr><th class="fsv-claim">claim</th>']
    parts += _header_cells(alignment, outlets, story_articles(alignment, corpus))
    parts.append("</tr></thead><tbody>")
    parts += _body_rows(alignment, claim_ids, outlets, n_car)
    parts.append("</tbody></table>")
    if hidden:
        parts.append(f'<p class="fsv-meta">{hidden} more claims not shown.</p>')
    parts.append("</div>")
    fragment = "".join(parts)
    if not standalone:
        return f"<style>{_CSS}</style>{fragment}"
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(head)}</title><style>{_CSS}</style>"
            f"<script>{_SCRIPT}</script></head><body>{fragment}</body></html>\n")
    if path is not None:
        Path(path).write_text(page, encoding="utf-8")
    return page


def _meta(alignment: ClaimAlignment, n_car: pd.Series) -> str:
    n_shared = int((n_car >= 2).sum()) if len(n_car) else 0
    return (f'<p class="fsv-meta">{len(alignment.outlets)} outlets, {len(alignment.coverage)} claims ({n_shared} '
            f'carried by two or more outlets); min. similarity {_e(alignment.params.get("min_similarity"))}, '
            f'margin {_e(alignment.params.get("margin"))}. Rows follow the articles.</p>'
            '<p class="fsv-meta fsv-legend"><span style="background:#eef6ee">shared</span>'
            '<span style="background:#fff7e6">one outlet only</span>'
            '<span style="background:repeating-linear-gradient(45deg,#fafafa,#fafafa 6px,#eee 6px,#eee 12px)">'
            'omitted</span></p>')


def _header_cells(alignment: ClaimAlignment, outlets: list[str], articles: pd.DataFrame) -> list[str]:
    summ = alignment.summary().set_index("outlet") if len(outlets) else None
    parts = []
    for o in outlets:
        sub = ""
        if summ is not None:
            sub = (f'<br><span class="fsv-sim">{int(summ.loc[o, "n_claims"])} claims, '
                   f'{int(summ.loc[o, "n_unique"])} alone, {int(summ.loc[o, "n_omitted_shared"])} shared '
                   f'omitted</span>')
        arts = "".join(_article_header(r) for r in articles[articles["outlet"].astype(str) == o].to_dict("records"))
        parts.append(f'<th class="fsv-outlet" data-outlet="{_e(o)}">{_e(o)}{arts}{sub}</th>')
    return parts


def _body_rows(alignment: ClaimAlignment, claim_ids: list[str], outlets: list[str], n_car: pd.Series) -> list[str]:
    cells: dict[tuple[str, str], list[tuple[str, float, float]]] = {}
    for r in alignment.claims.itertuples(index=False):
        cells.setdefault((r.claim_id, r.outlet), []).append((r.text, r.similarity, r.position))
    parts = []
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
                for t, s, _p in items)
            where = ",".join("" if p is None or not np.isfinite(p) else str(int(p)) for _t, _s, p in items)
            parts.append(f'<td class="fsv-cell" data-outlet="{_e(o)}" data-position="{where}">{body}</td>')
        parts.append("</tr>")
    return parts
