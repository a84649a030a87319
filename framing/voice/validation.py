"""Check the voice rules against hand codes; labels and excluded rows of filtered results."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from framing.stats import as_rng, bootstrap_counts
from framing.voice.attribute import attribute_voice, keyword_voice_baseline
from framing.voice.records import Records

__all__ = ["recover_coded", "evaluate_voice", "text_label", "excluded_rows"]


def recover_coded(coded: pd.DataFrame | str, *, corpora: dict[str, pd.DataFrame] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join hand codes stored as ids and offsets to their sentences, recovering the text.

    Coded data is kept without corpus text (``corpus``, ``doc_id``, ``sent_id``, ``start``,
    ``end`` and the codes, e.g. ``tests/data/voice_dev.csv``); this reads the text back from
    the fetched corpora and checks that every coded span is still a sentence of
    :func:`framing.split_sentences` (a changed corpus or segmenter is an error naming the
    row, never a silent mismatch).

    Parameters
    ----------
    coded : DataFrame or path
        The coded table (a CSV path is read with ids as strings).
    corpora : dict, optional
        Corpus name -> corpus DataFrame (default: :func:`framing.load_corpus` of each name
        in the ``corpus`` column).

    Returns
    -------
    coded : DataFrame
        The coded rows in order, plus ``text``.
    sentences : DataFrame
        The full sentence table of the coded documents (with ``corpus``), for methods that
        read a sentence in its document (e.g. ``evaluate_voice(coded, sentences=sentences)``).
    """
    from framing.segment import split_sentences

    source = "coded table"
    if not isinstance(coded, pd.DataFrame):
        source = str(coded)
        coded = pd.read_csv(coded, dtype={"doc_id": str, "sent_id": str, "corpus": str})
    need = ["corpus", "doc_id", "sent_id", "start", "end"]
    missing = [c for c in need if c not in coded.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}")
    if "text" in coded.columns:
        raise ValueError(f"{source}: coded data must not carry corpus text (column 'text')")
    tables = []
    for name in pd.unique(coded["corpus"]):
        if corpora is not None and name in corpora:
            corpus = corpora[name]
        else:
            from framing.corpora import load_corpus

            corpus = load_corpus(name)
        ids = set(coded.loc[coded["corpus"] == name, "doc_id"])
        absent = ids - set(corpus["doc_id"].astype(str))
        if absent:
            row = int(np.flatnonzero(coded["doc_id"].isin(absent).to_numpy())[0])
            raise ValueError(f"{source}, row {row}, column 'doc_id': {coded['doc_id'].iloc[row]!r} is not in "
                             f"corpus {name!r}")
        s = split_sentences(corpus[corpus["doc_id"].astype(str).isin(ids)])
        tables.append(s.assign(corpus=name))
    sents = pd.concat(tables, ignore_index=True)
    merged = coded.merge(sents[["corpus", "doc_id", "sent_id", "start", "end", "text"]],
                         on=["corpus", "doc_id", "sent_id"], how="left", suffixes=("", "_now"))
    bad = merged["text"].isna() | (merged["start"] != merged["start_now"]) | (merged["end"] != merged["end_now"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{source}, row {row}: sentence {merged['sent_id'].iloc[row]!r} at "
                         f"{merged['start'].iloc[row]}:{merged['end'].iloc[row]} is not a sentence of the current "
                         "segmentation (corpus or segmenter changed); re-code or re-align it")
    out = merged.drop(columns=["start_now", "end_now"])
    out.attrs["source"] = source
    return out, sents


def _attributed(v: pd.Series) -> np.ndarray:
    return np.where(v.astype(str).to_numpy() == "own", "own", "attributed")


def evaluate_voice(coded: pd.DataFrame, *, truth: str = "voice", sentences: pd.DataFrame | None = None,
                   group: str | None = "corpus", n_boot: int = 2000, alpha: float = 0.05,
                   random_state: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Own-vs-attributed accuracy of :func:`attribute_voice` and the keyword baseline on hand codes.

    Both methods are scored on the same coded sentences (own versus any of direct,
    reported, mixed): accuracy, and the precision and recall of "own" (precision: the share
    of sentences a measure would count as own voice that are own voice; recall: the share of
    own-voice sentences it keeps). Intervals come from a document-level bootstrap (sentences
    of one article are not independent; percentile intervals, Efron & Tibshirani 1993), and
    the difference between the two methods from the same paired resamples.

    Parameters
    ----------
    coded : DataFrame
        Coded sentences with ``doc_id``, ``sent_id``, ``text`` and the ``truth`` column (e.g.
        from :func:`recover_coded`).
    truth : str
        Column of the hand-coded voice.
    sentences : DataFrame, optional
        Sentence table of the coded documents (from :func:`recover_coded`), so quotations
        are followed across sentences; without it each row is read alone.
    group : str or None
        Also report per value of this column (e.g. ``"corpus"`` or ``"outlet"``).
    n_boot, alpha, random_state
        Bootstrap replicates, 1 - coverage, seed.

    Returns
    -------
    DataFrame
        One row per (group, metric, method) with ``group`` ("all" first), ``metric``
        ("accuracy", "own precision", "own recall"), ``method`` ("attribute_voice",
        "keyword baseline", "difference"), ``estimate``, ``ci_low``, ``ci_high``, ``n``
        (sentences in the metric's denominator), ``n_docs``. ``attrs["confusion"]`` is the confusion
        table of the coded voice against :func:`attribute_voice` (``{coded: {predicted:
        count}}``, ``pd.DataFrame(...).T`` shows it); ``attrs["errors"]`` the misclassified
        rows (ids, codes and prediction) as records (``pd.DataFrame(ev.attrs["errors"])``).

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "sent_id": ["a:0", "b:0", "c:0", "d:0"],
    ...                   "text": ["Officials said it was fair.", "It rained.", 'A "sham" vote.', "Kyiv fell."],
    ...                   "voice": ["reported", "own", "own", "own"]})
    >>> ev = evaluate_voice(c, group=None, n_boot=200, random_state=0)
    >>> ev.query("metric == 'accuracy'")[["method", "estimate"]].values.tolist()
    [['attribute_voice', 1.0], ['keyword baseline', 0.75], ['difference', 0.25]]
    """
    for c in ("doc_id", "sent_id", "text", truth):
        if c not in coded.columns:
            raise ValueError(f"evaluate_voice(): the coded table lacks column {c!r}")
    if sentences is not None:
        keys = ["doc_id", "sent_id"] + (["corpus"] if "corpus" in coded.columns and "corpus" in sentences.columns
                                        else [])
        voiced = attribute_voice(sentences)
        pred = coded[keys].merge(voiced[keys + ["voice", "speaker"]], on=keys, how="left")
        if pred["voice"].isna().any():
            row = int(np.flatnonzero(pred["voice"].isna().to_numpy())[0])
            raise ValueError(f"evaluate_voice(): coded row {row} ({coded['sent_id'].iloc[row]!r}) is not in sentences")
        pred_voice = pred["voice"]
        pred_speaker = pred["speaker"]
    else:
        voiced = attribute_voice(coded[["doc_id", "sent_id", "text"]].reset_index(drop=True))
        pred_voice, pred_speaker = voiced["voice"], voiced["speaker"]
    gold = _attributed(coded[truth])
    p_rules = _attributed(pred_voice) == "own"
    p_base = keyword_voice_baseline(coded).to_numpy() == "own"
    g_own = gold == "own"
    ok_rules = (p_rules == g_own)
    ok_base = (p_base == g_own)
    # per sentence: numerator and denominator of each metric, for rules (r) and baseline (b)
    parts = {  # metric -> (num_r, den_r, num_b, den_b)
        "accuracy": (ok_rules, np.ones(len(gold)), ok_base, np.ones(len(gold))),
        "own precision": (p_rules & g_own, p_rules, p_base & g_own, p_base),
        "own recall": (p_rules & g_own, g_own, p_base & g_own, g_own),
    }
    rng = as_rng(random_state)
    groups: list[tuple[str, np.ndarray]] = [("all", np.ones(len(coded), dtype=bool))]
    if group is not None and group in coded.columns:
        groups += [(str(g), (coded[group] == g).to_numpy()) for g in pd.unique(coded[group])]
    rows = []
    for name, mask in groups:
        docs, inv = np.unique(coded["doc_id"].astype(str).to_numpy()[mask], return_inverse=True)
        D = len(docs)
        W = bootstrap_counts(D, n_boot, rng).astype(float) if n_boot and D > 1 else None
        for metric, cols in parts.items():
            sums = np.zeros((D, 4))
            np.add.at(sums, inv, np.column_stack([np.asarray(c, dtype=float)[mask] for c in cols]))
            tot = sums.sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                est = np.array([tot[0] / tot[1], tot[2] / tot[3]])
                if W is not None:
                    b = W @ sums
                    r, bb = b[:, 0] / b[:, 1], b[:, 2] / b[:, 3]
                    draws = np.column_stack([r, bb, r - bb])
                    lo, hi = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
                else:
                    lo = hi = np.full(3, np.nan)
            for k, method in enumerate(("attribute_voice", "keyword baseline", "difference")):
                e = est[0] - est[1] if k == 2 else est[k]
                rows.append({"group": name, "metric": metric, "method": method, "estimate": float(e),
                             "ci_low": float(lo[k]), "ci_high": float(hi[k]),
                             "n": int(tot[1] if k == 0 else tot[3] if k == 1 else mask.sum()), "n_docs": int(D)})
    out = pd.DataFrame(rows)
    conf = pd.crosstab(coded[truth].astype(str).to_numpy(), pred_voice.astype(str).to_numpy(),
                       rownames=["coded"], colnames=["attribute_voice"])
    out.attrs["confusion"] = {str(k): {str(c): int(v) for c, v in row.items()} for k, row in conf.iterrows()}
    err = ~ok_rules
    out.attrs["errors"] = coded.loc[err, [c for c in ("corpus", "doc_id", "sent_id", "outlet", truth)
                                          if c in coded.columns]].assign(
        predicted=pred_voice.to_numpy()[err], speaker=pred_speaker.to_numpy()[err]).to_dict("records")
    out.attrs["bootstrap"] = {"n_boot": int(n_boot), "alpha": alpha, "unit": "document", "method": "percentile"}
    return out


def text_label(info: dict[str, Any] | None) -> str:
    """A short label for plots: which words a result counted ("own voice, boilerplate dropped").

    ``info`` is a result's ``attrs`` (or ``params``) holding ``voice`` and ``boilerplate``;
    an empty string when it holds neither.

    Examples
    --------
    >>> text_label({"voice": "own", "boilerplate": "drop"})
    'own voice, boilerplate dropped'
    >>> text_label({"voice": "all", "boilerplate": "keep"})
    'all text (own and attributed), boilerplate kept'
    """
    if not info or "voice" not in info:
        return ""
    v = {"own": "own voice", "attributed": "attributed speech only", "all": "all text (own and attributed)"}.get(
        info["voice"], str(info["voice"]))
    b = {"drop": "boilerplate dropped", "keep": "boilerplate kept"}.get(info.get("boilerplate"), "")
    return ", ".join(x for x in (v, b) if x)


def excluded_rows(result: Any) -> pd.DataFrame:
    """The sentences a result left out (boilerplate, other voices), one row each, with the reason.

    Works on anything filtered by voice or boilerplate: the output of :func:`voice_corpus`,
    :func:`filter_voice`, :func:`framing.marker_rates`, :func:`framing.fightin_words` (their
    ``attrs["excluded"]``) or of :func:`framing.score_axes` (``.excluded``).

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["d"], "outlet": ["X"], "published": [pd.NaT],
    ...                   "text": ["Voting ended. Officials said the vote was fair."]})
    >>> from framing.segment import split_sentences
    >>> from framing.voice import filter_voice
    >>> excluded_rows(filter_voice(split_sentences(c), boilerplate="keep"))[["sent_id", "reason"]].values.tolist()
    [['d:1', 'voice=reported']]
    """
    cols = ["doc_id", "sent_id", "outlet", "start", "end", "reason"]
    rec = getattr(result, "excluded", None) if not isinstance(result, pd.DataFrame) else None
    if rec is None:
        attrs = getattr(result, "attrs", None) or {}
        rec = attrs.get("excluded")
    if rec is None:
        return pd.DataFrame(columns=cols)
    if isinstance(rec, Records):
        out = rec.to_frame()
    else:
        out = rec.copy() if isinstance(rec, pd.DataFrame) else pd.DataFrame.from_records(list(rec))
    return out.reindex(columns=[c for c in cols if c in out.columns] or cols)