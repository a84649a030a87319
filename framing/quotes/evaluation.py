"""Scoring speaker attribution against annotated quote spans."""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from framing.quotes.patterns import _DETS
from framing.quotes.summaries import _check_alpha, _ci_to_alpha

__all__ = ["speaker_matches", "evaluate_speakers"]


def _name_tokens(name: str) -> list[str]:
    toks = re.split(r"[\s_]+", str(name).strip())
    toks = [re.sub(r"(?:'s|’s)$", "", t).strip(".,").lower() for t in toks]
    return [t for t in toks if t and t not in _DETS and t not in {"of", "the"}]


def speaker_matches(predicted: str | None, gold: str | None) -> bool:
    """Does a predicted speaker phrase name the gold speaker?

    True when every token of the gold name (underscores as spaces, ``Rick_Perry``) occurs in
    the prediction ("Texas Gov. Rick Perry"), or when the prediction ends with the gold
    name's last token (a surname reference: "Perry", "Gov. Perry").

    Examples
    --------
    >>> speaker_matches("Texas Gov. Rick Perry", "Rick_Perry"), speaker_matches("Perry", "Rick_Perry")
    (True, True)
    >>> speaker_matches("Mitt Romney", "Rick_Perry"), speaker_matches(None, "Rick_Perry")
    (False, False)
    """
    if predicted is None or gold is None or (isinstance(predicted, float) and np.isnan(predicted)):
        return False
    p, g = _name_tokens(predicted), _name_tokens(gold)
    if not p or not g:
        return False
    return set(g) <= set(p) or p[-1] == g[-1]


@_ci_to_alpha()
def evaluate_speakers(
    quotes: pd.DataFrame,
    gold: pd.DataFrame,
    *,
    start_col: str = "doc_start",
    end_col: str = "doc_end",
    speaker_col: str = "speaker",
    exclude: Sequence[str] = ("other_anti", "other_pro", "other_neutral", "other", ""),
    alpha: float = 0.05,
    return_matches: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Precision and recall of speaker attribution on annotated quote spans.

    Each gold span (``doc_id``, ``start_col``, ``end_col``, ``speaker_col``; e.g. the
    ``quote == "yes"`` rows of :func:`framing.corpora.basil_annotations`) is matched to the
    extracted quote of the same document that overlaps it most (in characters). It is
    *attributed* if that quote has a speaker, and *correct* if :func:`speaker_matches`.
    precision = correct / attributed, recall = correct / gold spans, coverage = spans with
    any overlapping quote / gold spans. Gold spans whose speaker is an unnamed category
    (``exclude``, e.g. BASIL's ``other_anti``) are left out. Intervals are Wilson score
    intervals for the proportions (scipy).

    Parameters
    ----------
    quotes : DataFrame
        Output of :func:`extract_quotes`.
    gold : DataFrame
        Annotated spans with doc-level character offsets.
    start_col, end_col, speaker_col : str
        Gold columns.
    exclude : sequence of str
        Gold speaker labels that name no one.
    alpha : float
        Error level: the intervals are ``1 - alpha`` Wilson intervals.
    return_matches : bool
        Also return the per-span table (``doc_id``, ``start``, ``end``, ``gold_speaker``,
        ``found``, ``pred_speaker``, ``correct``).

    Returns
    -------
    DataFrame or (DataFrame, DataFrame)
        ``metric`` (precision, recall, f1, coverage), ``value``, ``ci_low``, ``ci_high``,
        ``numerator``, ``denominator``; with ``return_matches`` also the per-span table.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"doc_id": ["d", "d"], "quote_start": [0, 50], "quote_end": [20, 70],
    ...                   "speaker": ["Jane Roe", None]})
    >>> g = pd.DataFrame({"doc_id": ["d", "d"], "doc_start": [2, 55], "doc_end": [9, 60],
    ...                   "speaker": ["Jane_Roe", "John_Doe"]})
    >>> evaluate_speakers(q, g).set_index("metric")["value"].round(3).to_dict()
    {'precision': 1.0, 'recall': 0.5, 'f1': 0.667, 'coverage': 1.0}
    """
    from scipy.stats import binomtest

    _check_alpha(alpha)
    for c in ("doc_id", "quote_start", "quote_end", "speaker"):
        if c not in quotes.columns:
            raise ValueError(f"quotes lack column {c!r}")
    for c in ("doc_id", start_col, end_col, speaker_col):
        if c not in gold.columns:
            raise ValueError(f"gold lacks column {c!r}")
    g = gold[~gold[speaker_col].fillna("").astype(str).isin(set(exclude))]
    g = g[g[start_col].notna() & g[end_col].notna()]
    by_doc = {d: grp for d, grp in quotes.groupby(quotes["doc_id"].astype(str))}
    rows = []
    for r in g.itertuples(index=False):
        d = str(getattr(r, "doc_id"))
        s, e = int(getattr(r, start_col)), int(getattr(r, end_col))
        gs = getattr(r, speaker_col)
        pred, best = None, 0
        grp = by_doc.get(d)
        if grp is not None:
            ov = (np.minimum(grp["quote_end"].to_numpy(), e) - np.maximum(grp["quote_start"].to_numpy(), s))
            k = int(np.argmax(ov))
            if ov[k] > 0:
                best = int(ov[k])
                sp = grp["speaker"].iloc[k]
                pred = None if (sp is None or (isinstance(sp, float) and np.isnan(sp)) or pd.isna(sp)) else str(sp)
        rows.append({"doc_id": d, "start": s, "end": e, "gold_speaker": gs, "found": best > 0,
                     "pred_speaker": pred, "correct": speaker_matches(pred, gs)})
    m = pd.DataFrame(rows, columns=["doc_id", "start", "end", "gold_speaker", "found", "pred_speaker", "correct"])
    n = len(m)
    n_found = int(m["found"].sum()) if n else 0
    n_attr = int(m["pred_speaker"].notna().sum()) if n else 0
    n_ok = int(m["correct"].sum()) if n else 0

    def prop(k: int, nn: int) -> tuple[float, float, float]:
        if nn == 0:
            return float("nan"), float("nan"), float("nan")
        iv = binomtest(k, nn).proportion_ci(confidence_level=1 - alpha, method="wilson")
        return k / nn, float(iv.low), float(iv.high)

    p, r_ = prop(n_ok, n_attr), prop(n_ok, n)
    f1 = 2 * p[0] * r_[0] / (p[0] + r_[0]) if n_attr and n and (p[0] + r_[0]) > 0 else float("nan")
    cov = prop(n_found, n)
    out = pd.DataFrame([
        ("precision", *p, n_ok, n_attr), ("recall", *r_, n_ok, n),
        ("f1", f1, float("nan"), float("nan"), n_ok, n), ("coverage", *cov, n_found, n),
    ], columns=["metric", "value", "ci_low", "ci_high", "numerator", "denominator"])
    return (out, m) if return_matches else out