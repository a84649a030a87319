"""Framing over time: trajectories, events, change points and lead-lag.

- :func:`over_time`: a measure (volume, marker rates, axis positions, stance or theme shares)
  per time bin and group with document-bootstrap intervals; empty and thin bins reported;
- :func:`document_values`: the per-document values every trajectory resamples;
- :func:`load_events`: the user-editable events table drawn on time plots;
- :func:`change_points`: changes in level with a permutation-calibrated penalty and
  bootstrap intervals for their dates;
- :func:`lead_lag`: which group's series moves first, with a circular-shift null.
"""
from __future__ import annotations

from .changes import LeadLag, change_points, lead_lag
from .documents import MEASURES, DocumentValues, document_values
from .events import DEFAULT_EVENTS, EventsError, load_events
from .trajectory import FREQS, bin_index, over_time

__all__ = ["over_time", "document_values", "DocumentValues", "MEASURES", "load_events", "EventsError",
           "DEFAULT_EVENTS", "change_points", "lead_lag", "LeadLag", "FREQS", "bin_index"]
