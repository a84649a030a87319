"""Progress of an embedding run: a tqdm bar where someone watches, log lines elsewhere.

See :class:`framing.embed.Encoder` (``show_progress``) for when and how progress is shown.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

import numpy as np

__all__ = ["PROGRESS_LOG_SECONDS", "PROGRESS_MIN_TEXTS", "progress_for"]

#: Seconds between two progress log lines when not on a terminal (``$FRAMING_PROGRESS_SECONDS``).
PROGRESS_LOG_SECONDS = 30.0
#: Below this many texts to compute, ``show_progress=None`` reports nothing.
PROGRESS_MIN_TEXTS = 512

_log = logging.getLogger("framing.embed")


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where stderr is not a terminal but a bar shows)."""
    if "ipykernel" not in sys.modules:
        return False
    ipython = sys.modules.get("IPython")
    try:
        shell = ipython.get_ipython() if ipython is not None else None
    except Exception:  # noqa: BLE001 - any failure means "not in a kernel"
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _interactive() -> bool:
    """Is someone watching: stderr is a terminal, or we run in a notebook?"""
    if _in_notebook():
        return True
    try:
        return bool(sys.stderr is not None and sys.stderr.isatty())
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


def _progress_seconds() -> float:
    env = os.environ.get("FRAMING_PROGRESS_SECONDS", "").strip()
    try:
        value = float(env) if env else PROGRESS_LOG_SECONDS
    except ValueError:
        value = PROGRESS_LOG_SECONDS
    return max(0.0, value)


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"


def _per_second(rate: float) -> str:
    return f"{rate:,.1f}" if rate < 10 else f"{rate:,.0f}"


def _say(message: str) -> None:
    """A progress line: to the ``framing.embed`` logger (INFO) where logging is set up,
    else to stderr, so that a script that configured no logging still shows it."""
    if _log.hasHandlers():
        _log.info("%s", message)
    else:
        print(f"framing: {message}", file=sys.stderr, flush=True)


class _Progress:
    """Progress of one computation: a tqdm bar, periodic log lines, or nothing.

    ``mode`` is ``"bar"``, ``"log"`` or ``"off"``.  In log mode a line is written when the
    work starts, at most every ``every`` seconds while it runs, and when it ends.
    """

    def __init__(self, total: int, desc: str, mode: str, *, every: float = PROGRESS_LOG_SECONDS,
                 cached: int = 0) -> None:
        self.total, self.desc, self.mode, self.every = int(total), desc, mode, float(every)
        self.done = 0
        self.t0 = self.last = time.monotonic()
        self.bar = None
        if mode == "bar":
            self.bar = self._tqdm()(total=total, desc=desc, unit="text", disable=False, dynamic_ncols=True)
        elif mode == "log":
            more = f" ({cached:,} more found in the cache)" if cached else ""
            _say(f"{desc}: {self.total:,} texts to embed{more}")

    @staticmethod
    def _tqdm() -> Any:
        if _in_notebook():
            try:
                import ipywidgets  # noqa: F401
                from tqdm.notebook import tqdm
                return tqdm
            except ImportError:
                pass
        from tqdm.std import tqdm
        return tqdm

    def _rate(self) -> float:
        return self.done / max(time.monotonic() - self.t0, 1e-9)

    def update(self, n: int) -> None:
        self.done += int(n)
        if self.bar is not None:
            self.bar.update(n)
        elif self.mode == "log" and self.done < self.total:
            now = time.monotonic()
            if now - self.last >= self.every:
                self.last = now
                rate = self._rate()
                left = (self.total - self.done) / rate if rate > 0 else float("inf")
                eta = f", about {_duration(left)} left" if np.isfinite(left) else ""
                _say(f"{self.desc}: {self.done:,}/{self.total:,} texts, {_per_second(rate)} texts/s{eta}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.mode == "log":
            self.mode = "closed"
            took = time.monotonic() - self.t0
            end = "done" if self.done >= self.total else "stopped"
            _say(f"{self.desc}: {end}, {self.done:,}/{self.total:,} texts in {_duration(took)}, "
                 f"{_per_second(self._rate())} texts/s")


def progress_for(show_progress: bool | str | None, total: int, desc: str, *, cached: int = 0) -> _Progress:
    """The progress reporter for ``total`` texts to compute.

    ``show_progress`` is :class:`~framing.embed.Encoder`'s option: ``None`` reports runs of at
    least :data:`PROGRESS_MIN_TEXTS` texts, ``True`` every run, ``False`` none; ``"bar"`` or
    ``"log"`` force one form, otherwise a bar where someone watches and log lines elsewhere.

    Examples
    --------
    >>> progress_for(False, 10, "embedding").mode
    'off'
    """
    if show_progress is False or total == 0 or (show_progress is None and total < PROGRESS_MIN_TEXTS):
        mode = "off"
    elif show_progress in ("bar", "log"):
        mode = show_progress
    else:
        mode = "bar" if _interactive() else "log"
    return _Progress(total, desc, mode, every=_progress_seconds(), cached=cached)
