"""Moved to :mod:`framing.embed.onnx`; these names stay importable from here for one release.

Import from :mod:`framing.embed.onnx` instead (this module warns with a DeprecationWarning).
"""
from __future__ import annotations

import warnings

from framing.embed.onnx import *  # noqa: F401,F403  (the public names, re-exported)
from framing.embed.onnx import __all__  # noqa: F401

warnings.warn("framing.onnx_backend is deprecated and will be removed in the next release; "
              "use framing.embed.onnx", DeprecationWarning, stacklevel=2)
