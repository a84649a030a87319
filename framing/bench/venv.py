"""Separate virtual environments for benchmark baselines (BERTopic, Scattertext...).

A baseline whose dependencies clash with the project's (Scattertext pins an older scipy,
BERTopic brings its own stack) is run in a virtual environment of its own, built once on
first use with ``pip``.  By default these live in the user's cache, never inside the
installed package: ``$FRAMING_BENCH_VENVS/<name>``, else
``<cache dir>/bench-venvs/<name>`` (``$FRAMING_CACHE_DIR`` or ``~/.cache/framing``).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from framing.bench import BenchError

__all__ = ["default_venv_dir", "ensure_venv"]


def default_venv_dir(name: str) -> Path:
    """Where the baseline environment ``name`` lives by default (outside the package).

    Examples
    --------
    >>> default_venv_dir("scattertext").name
    'scattertext'
    """
    root = os.environ.get("FRAMING_BENCH_VENVS")
    if root:
        return Path(root).expanduser() / name
    from framing.embed import default_cache_dir

    return default_cache_dir() / "bench-venvs" / name


def ensure_venv(name: str, installs: Sequence[Sequence[str]], *, check: str | None = None,
                path: str | os.PathLike | None = None, build: bool = True,
                timeout: float = 900.0) -> dict[str, Any]:
    """A virtual environment with a baseline's packages, built if it is missing (time-boxed).

    Parameters
    ----------
    name : str
        The baseline (``"bertopic"``, ``"scattertext"``); names the default folder.
    installs : sequence of sequences of str
        ``pip install`` argument lists, run in order in a new environment, e.g.
        ``[["--no-deps", "bertopic==0.16.4"], ["umap-learn", "hdbscan"]]``.
    check : str, optional
        Python code that must run in an existing environment for it to be reused (e.g.
        ``"import bertopic"``); without it, an existing interpreter is enough.
    path : path, optional
        The environment's folder; default :func:`default_venv_dir` of ``name``.
    build : bool
        Build the environment when it is missing or fails ``check``; ``False`` raises instead.
    timeout : float
        Seconds allowed for the whole build.

    Returns
    -------
    dict
        ``python`` (the interpreter's path), ``path``, ``installed`` (``"existing"`` or
        ``"new"``) and ``seconds`` spent building.

    Raises
    ------
    BenchError
        When the environment is missing and ``build=False``, or cannot be built in
        ``timeout`` seconds (a half-built environment is removed).
    """
    venv = Path(path).expanduser() if path is not None else default_venv_dir(name)
    py = venv / "bin" / "python"
    if py.exists() and (check is None or subprocess.run([str(py), "-c", check], capture_output=True).returncode == 0):
        return {"python": str(py), "path": str(venv), "installed": "existing", "seconds": 0.0}
    if not build:
        raise BenchError(f"no {name} environment at {venv} (build=False)")
    t = time.perf_counter()
    base = getattr(sys, "_base_executable", None) or sys.executable
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    steps = [[base, "-m", "venv", "--clear", str(venv)]] + [pip + list(args) for args in installs]
    try:
        for cmd in steps:
            _run_step(cmd, deadline=t + timeout, what=f"building the {name} environment")
    except BenchError:
        shutil.rmtree(venv, ignore_errors=True)  # no half-built environment left behind
        raise
    return {"python": str(py), "path": str(venv), "installed": "new", "seconds": time.perf_counter() - t}


def _run_step(cmd: list[str], *, deadline: float, what: str) -> None:
    left = deadline - time.perf_counter()
    if left <= 0:
        raise BenchError(f"{what} ran out of time")
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=left)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} ran out of time ({' '.join(cmd[-2:])})") from None
    except OSError as err:
        raise BenchError(f"{what}: {err}") from err
    if r.returncode != 0:
        tail = (r.stderr or r.stdout).strip().splitlines()[-5:]
        raise BenchError(f"{what}: {' '.join(cmd[:4])} ... failed: " + " | ".join(tail))
