"""Placing a new text among a reference corpus's groups (:func:`place_text`).

The text is split into sentences, projected on the axes and weighted like the reference; its
bias gets a percentile bootstrap interval over its sentences and is compared with the
groups' biases (FrameAxis, Kwak et al. 2021, *PeerJ Computer Science* 7:e644).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing._checks import resolve_embeddings
from framing._display import html_summary
from framing.stats import as_rng as _rng, percentile_interval

from .resample import _bootstrap
from .score import AxisScores
from .spec import Axis, as_axis_list

__all__ = ["place_text", "TextPlacement"]


_FALLBACK_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def _fallback_sentences(text: str) -> list[str]:
    """Paragraphs split on blank lines, then on ``. ! ?`` followed by space and a capital/digit."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if para:
            out.extend(s.strip() for s in _FALLBACK_SPLIT.split(para) if s.strip())
    return out


def _read_text(text_or_path: str | Path) -> tuple[str, str]:
    if isinstance(text_or_path, Path) or (isinstance(text_or_path, str) and "\n" not in text_or_path
                                          and len(text_or_path) < 1024 and Path(text_or_path).suffix
                                          and Path(text_or_path).is_file()):
        p = Path(text_or_path)
        if not p.is_file():
            raise FileNotFoundError(f"place_text: no such file: {p}")
        raw = p.read_text(encoding="utf-8", errors="replace")
        if p.suffix.lower() in (".html", ".htm"):
            import trafilatura

            extracted = trafilatura.extract(raw)
            if not extracted:
                raise ValueError(f"place_text: no article text could be extracted from {p}")
            raw = extracted
        return raw, str(p)
    if not isinstance(text_or_path, str):
        raise TypeError(f"place_text: expected a text or a path, got {type(text_or_path).__name__}")
    return text_or_path, "<text>"


def _segment(text: str) -> list[str]:
    try:
        from framing.segment import split_text
    except ImportError:  # the segmenter is optional here
        return _fallback_sentences(text)
    return [text[a:b] for a, b in split_text(text)]


@dataclass
class TextPlacement:
    """Where a new text stands relative to the groups of a reference corpus (:func:`place_text`).

    Attributes
    ----------
    table : DataFrame
        One row per axis: ``axis``, ``n_units``, ``bias`` with bootstrap ``ci_low``/``ci_high``
        (over the text's sentences), ``intensity``, ``corpus_bias``, ``lean`` ("positive",
        "negative" or "neutral": whether the interval excludes the corpus bias),
        ``nearest_group``, ``nearest_bias``, ``distance``, ``second_group``, ``second_bias``,
        ``groups_in_ci`` (groups whose bias lies inside the text's interval), ``reading`` (the
        axis's part of :attr:`reading`). The same table is :meth:`to_frame`.
    reading : str
        One line in words, e.g. ``"leans like RT on legitimacy; like NYT on sovereignty"``; a
        note is added per axis when the text is indistinguishable from the corpus average or
        lies beyond every group (also ``str(placement)``).
    source : str
    """

    table: pd.DataFrame
    reading: str
    source: str = "<text>"

    def __str__(self) -> str:
        return self.reading

    def to_frame(self) -> pd.DataFrame:
        """The tidy table: one row per axis (:attr:`table`, a copy)."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Per axis: ``axis``, ``bias``, ``ci_low``, ``ci_high``, ``lean``, ``nearest_group``."""
        return self.table[["axis", "bias", "ci_low", "ci_high", "lean", "nearest_group"]].copy()

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: the text's placement per axis and the one-line reading."""
        table = self.table.drop(columns=["reading"], errors="ignore")
        return html_summary("TextPlacement", {"source": self.source, "axes": len(self.table)}, table,
                            note=self.reading)


def place_text(text_or_path: str | Path, axes: Sequence[Axis] | Axis | None, reference: AxisScores, *,
               encoder: Any, n_boot: int = 1000, alpha: float | None = None,
               random_state: int | np.random.Generator | None = None, voice: str | None = None,
               boilerplate: str | None = None) -> TextPlacement:
    """Score a new article on the axes and place it among the reference corpus's groups.

    The text is split into sentences with the project's segmenter
    (:func:`framing.segment.split_text`, as :func:`framing.split_sentences` does) when available,
    else with a simple fallback (paragraphs at blank lines, then sentences at ``. ! ?``
    followed by a space and a capital letter or digit). Its sentences are projected on each
    axis and weighted like the reference (equal, or by length); its bias gets a percentile
    bootstrap interval over its sentences; the nearest group is the one whose bias is closest.

    Parameters
    ----------
    text_or_path : str or Path
        The article text, or a path to a ``.txt`` (or ``.html``, extracted with trafilatura) file.
    axes : list of Axis, Axis or None
        The axes to use (by name, from ``reference``); None: all of ``reference``'s axes.
    reference : AxisScores
        Scores of the reference corpus (:func:`score_axes`), defining the groups and ``B_T``.
    encoder : object with ``encode(texts)``
        The same encoder that embedded the reference sentences.
    n_boot : int
    alpha : float, optional
        Default: that of ``reference``.
    random_state : int, Generator or None
    voice, boilerplate : str, optional
        Which of the text's sentences to score (see :func:`score_axes`); default: the
        reference's choice, so the text is placed on the same kind of words as the groups
        (own voice by default). ``n_units`` in the table counts the sentences scored.

    Returns
    -------
    TextPlacement
        ``.table`` (one row per axis; also ``.to_frame()``), ``.summary()`` (the headline
        columns) and ``.reading`` (one line in words).

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
    >>> ref = score_axes(s, axis, encoder=enc, n_boot=100, n_null=100, random_state=0)
    >>> place_text("A quiet day. The town was calm.", None, ref, encoder=enc, random_state=0).reading
    'leans like X on calm'
    """
    if encoder is None:
        raise ValueError("place_text: pass encoder= (the one that embedded the reference)")
    use = _reference_axes(axes, reference, encoder)
    text, source = _read_text(text_or_path)
    voice = voice if voice is not None else reference.params.get("voice", "all")
    boilerplate = boilerplate if boilerplate is not None else reference.params.get("boilerplate", "keep")
    sents = _text_sentences(text, source, voice=voice, boilerplate=boilerplate)
    alpha = float(alpha if alpha is not None else reference.params["alpha"])
    rng = _rng(random_state)
    X = resolve_embeddings(sents, encoder=encoder, name="encoder output", what="sentence", dtype=np.float64)
    V = np.stack([a.vector_ for a in use], axis=1)
    if X.shape[1] != V.shape[0]:
        raise ValueError(f"place_text: the encoder gives dimension {X.shape[1]}, the axes {V.shape[0]}")
    Pj = X @ V
    w = (np.array([len(s) for s in sents], dtype=float) if reference.params.get("weights") == "length"
         else np.ones(len(sents)))
    BT = reference.corpus.set_index("axis").loc[[a.name for a in use], "bias"].to_numpy()
    bias = (w @ Pj) / w.sum()
    inten = (w @ (Pj - BT) ** 2) / w.sum()
    boot = _bootstrap(w[:, None] * Pj, w, n_boot, rng)
    lo, hi = percentile_interval(boot, alpha)
    gb = reference.bias()
    rows = []
    for j, a in enumerate(use):
        row = _placement_row(a, gb[gb["axis"] == a.name], bias[j], lo[j], hi[j], BT[j])
        rows.append({**row, "n_units": len(sents), "intensity": inten[j]})
    parts = [r["reading"] for r in rows]
    reading = parts[0] + "".join("; " + p.replace("leans like", "like", 1) for p in parts[1:])
    cols = ["axis", "n_units", "bias", "ci_low", "ci_high", "intensity", "corpus_bias", "lean", "nearest_group",
            "nearest_bias", "distance", "second_group", "second_bias", "groups_in_ci", "reading"]
    return TextPlacement(table=pd.DataFrame(rows)[cols], reading=reading, source=source)


def _reference_axes(axes: Sequence[Axis] | Axis | None, reference: AxisScores, encoder: Any) -> list[Axis]:
    """The reference's axes named by ``axes`` (all when None), checked against those given."""
    if axes is None:
        use = list(reference.axes)
    else:
        use = [reference.axis(a.name) for a in as_axis_list(axes)]
        for given, ref in zip(as_axis_list(axes), use):
            if given.is_fitted and (given.vector_.shape != ref.vector_.shape
                                    or not np.allclose(given.vector_, ref.vector_, atol=1e-6)):
                raise ValueError(f"place_text: axis {given.name!r} differs from the reference's axis of that "
                                 f"name (refitted with another encoder or other pole texts?)")
    enc_name, ref_enc = getattr(encoder, "name", None), reference.params.get("encoder")
    if enc_name is not None and ref_enc is not None and enc_name != ref_enc:
        raise ValueError(f"place_text: the reference was encoded with {ref_enc!r}, not {enc_name!r}")
    return use


def _text_sentences(text: str, source: str, *, voice: str, boilerplate: str) -> list[str]:
    """The text's sentences, keeping those in ``voice`` (and not boilerplate) as the reference did."""
    sents = _segment(text)
    if not sents:
        raise ValueError(f"place_text: {source} has no sentences")
    if voice == "all" and boilerplate == "keep":
        return sents
    from framing.voice import filter_voice

    try:
        from framing.segment import split_sentences

        table = split_sentences(pd.DataFrame({"doc_id": ["text"], "outlet": [""], "published": [pd.NaT],
                                              "text": [text]}))
    except ImportError:  # pragma: no cover - the segmenter is part of the package
        table = pd.DataFrame({"text": sents})
    kept = filter_voice(table, voice=voice, boilerplate=boilerplate)
    sents = kept["text"].astype(str).tolist()
    if not sents:
        raise ValueError(f"place_text: {source} has no sentence left with voice={voice!r}, "
                         f"boilerplate={boilerplate!r} ({kept.attrs['text_filter']['excluded']})")
    return sents


def _placement_row(a: Axis, g: pd.DataFrame, bias: float, lo: float, hi: float, bt: float) -> dict[str, Any]:
    """One axis of a placement: lean, nearest groups, groups inside the interval, a reading."""
    g = g.assign(distance=(g["value"] - bias).abs()).sort_values("distance", kind="stable")
    lean = "positive" if lo > bt else "negative" if hi < bt else "neutral"
    nearest = g.iloc[0] if len(g) else None
    second = g.iloc[1] if len(g) > 1 else None
    inside = g[(g["value"] >= lo) & (g["value"] <= hi)]["group"].tolist()
    if nearest is not None:
        reading = f"leans like {nearest['group']} on {a.name}"
        if lean == "neutral":
            reading += " (not distinguishable from the corpus average)"
        elif not inside and (lo > g["value"].max() or hi < g["value"].min()):
            beyond = a.positive_label if lo > g["value"].max() else a.negative_label
            reading += f" (but further towards {beyond!r} than any group)"
    else:
        reading = f"no reference groups on {a.name}"
    return {"axis": a.name, "bias": bias, "ci_low": lo, "ci_high": hi, "corpus_bias": bt, "lean": lean,
            "nearest_group": None if nearest is None else nearest["group"],
            "nearest_bias": np.nan if nearest is None else nearest["value"],
            "distance": np.nan if nearest is None else nearest["distance"],
            "second_group": None if second is None else second["group"],
            "second_bias": np.nan if second is None else second["value"],
            "groups_in_ci": inside, "reading": reading}
