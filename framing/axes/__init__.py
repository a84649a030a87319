"""Framing axes: where each outlet (or state, or vote group) stands on a framing dimension.

This is FrameAxis (Kwak, An, Jing & Ahn 2021, "FrameAxis: characterizing microframe bias and
intensity with word embedding", *PeerJ Computer Science* 7:e644,
https://doi.org/10.7717/peerj-cs.644) with sentence embeddings in place of word vectors. The
package has one module per step:

- :mod:`framing.axes.spec`: :class:`Axis` (two sets of pole texts; the axis name describes
  the positive pole), its reliability (:class:`AxisReliability`, :func:`reliability_table`)
  and :func:`load_axes` (the default axes in ``framing/data/axes_ru_ua.yaml``);
- :mod:`framing.axes.score`: :func:`score_axes` -> :class:`AxisScores` (bias and intensity
  per document and group, document bootstrap intervals, a null model of random documents);
- :mod:`framing.axes.compare`: :func:`compare_groups` (difference of two groups: bootstrap
  interval and permutation test) and :func:`explain_axis` (the sentences behind a position);
- :mod:`framing.axes.place`: :func:`place_text` (a new article among the groups).

Plots are in :mod:`framing.plot.axes`.
"""
from __future__ import annotations

from framing.stats import fdr_bh

from .compare import AxisExplanation, compare_groups, explain_axis
from .place import TextPlacement, _fallback_sentences, place_text  # noqa: F401  (tests import it)
from .score import AxisScores, score_axes
from .spec import (DEFAULT_AXES, Axis, AxisReliability, AxisReliabilityWarning, AxisSpecError, as_axis_list,
                   load_axes, reliability_table)

#: Former private name of :func:`as_axis_list` (kept for code that imported it).
_axes_list = as_axis_list

__all__ = [
    "Axis", "AxisReliability", "AxisReliabilityWarning", "AxisSpecError", "AxisScores",
    "AxisExplanation", "TextPlacement", "load_axes", "score_axes", "compare_groups",
    "explain_axis", "place_text", "reliability_table", "as_axis_list", "fdr_bh", "DEFAULT_AXES",
]
