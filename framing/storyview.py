"""Deprecated location of the story view: use :mod:`framing.plot.storyview`.

Kept importable for one release; importing it warns (DeprecationWarning).
"""
from __future__ import annotations

import warnings

from framing.plot.storyview import render_story_view, story_articles, story_order

__all__ = ["render_story_view", "story_order", "story_articles"]

warnings.warn("framing.storyview is deprecated and will be removed in the next release; import "
              "render_story_view from framing (or framing.plot.storyview)", DeprecationWarning, stacklevel=2)
