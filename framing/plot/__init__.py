"""Plots: ``plot_*(result, *, ax=None) -> Axes``. The library never saves or shows figures.

Every plot function is importable from here (lazily, so matplotlib's heavier parts load only
when used) or from its topic module (``framing.plot.corpus``, ``.lexical``, ``.sentences``,
``.cluster``, ``.axes``, ``.align``, ``.timeline``).
"""
from __future__ import annotations

import importlib
from typing import Any

_API: dict[str, str] = {
    "plot_coverage": "corpus", "plot_lengths": "corpus", "plot_group_sizes": "corpus",
    "plot_sentence_counts": "sentences", "plot_sentence_lengths": "sentences",
    "plot_nearest_similarity": "sentences",
    "plot_fightin_words": "lexical", "plot_term_intervals": "lexical", "plot_prior_sensitivity": "lexical",
    "plot_marker_rates": "lexical",
    "plot_marker_heatmap": "lexical", "plot_marker_voice": "lexical",
    "plot_map": "cluster", "plot_stability": "cluster", "plot_shares": "cluster",
    "plot_outlet_dendrogram": "cluster",
    "plot_axis_positions": "axes", "plot_axis_plane": "axes", "plot_projection_distribution": "axes",
    "plot_axis_trend": "axes",
    "plot_claim_coverage": "align", "plot_linking_curve": "align", "plot_actor_shares": "align", "plot_verb_profile": "align",
    "plot_theme_map": "themes", "plot_theme_shares": "themes",
    "plot_over_time": "timeline", "plot_change_points": "timeline", "plot_lead_lag": "timeline",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'framing.plot' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"framing.plot.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
