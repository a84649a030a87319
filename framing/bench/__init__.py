"""Benchmarks: ``framing bench`` / ``make bench``.

Benchmarks are not tests: they time things and write a report, they assert nothing.

Sections are looked up in :data:`SECTIONS` (name -> ``"module:function"``); each lives in
its own module ``framing.bench.<section>`` as a function ``run``.  A section function is
called with whichever of the keyword arguments ``sample``, ``random_state`` and
``workdir`` its signature accepts, and returns a JSON-serialisable dict -- either
``{row name: {metric: value}}`` or a flat ``{metric: value}`` (shown as one row).  Every
requested section is resolved before any runs: one whose module or function does not
exist is an error (:class:`BenchError`), never skipped; one that raises while running is
reported as failed and the others still run.

Usage::

    framing bench [--sections encoder,segmentation] [--sample 2000] [--out bench]

writes ``OUT/report-YYYY-MM-DD.json`` and prints a table per section.

The sections:

``segmentation`` (:mod:`framing.bench.segmentation`)
    sentences per second of :func:`framing.segment.split_sentences` on each named corpus.
``encoder`` (:mod:`framing.bench.encoder`)
    :class:`framing.Encoder` against plain sentence-transformers: cache overhead and
    speed-up, ONNX backends, memory.
``voice`` (:mod:`framing.bench.voice`)
    :func:`framing.attribute_voice` and :func:`framing.find_boilerplate` as a ratio to
    :func:`framing.split_sentences` on the same text in the same run.
``lexical``, ``markers``, ``cluster``, ``geometry``, ``align``
    the analysis modules' benchmarks (:mod:`framing.bench.lexical`...).
``explore`` (:mod:`framing.bench.explore`)
    size of the contrast explorer page on the referendum window and on all of
    ukraine-media, against its 5 / 25 MB budgets.
``themes`` (:mod:`framing.bench.themes`)
    the two-level theme tree on the referendum window over several seeds: themes, stable
    share, unclustered share, ARI between seeds on the stable part, seconds.
``timeline`` (:mod:`framing.bench.timeline`)
    seconds for weekly trajectories (volume, marker rates, axis positions) over all of
    ukraine-media once sentences (and embeddings) are prepared.

Baselines that need their own environment build it with
:func:`framing.bench.venv.ensure_venv` (in the user's cache, not in the package).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import inspect
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["SECTIONS", "EVENT_WINDOW", "BenchError", "main", "run_sections", "resolve_section", "format_table",
           "load_named"]

#: Benchmark sections: name -> "module:function".  Add yours here.
SECTIONS: dict[str, str] = {
    name: f"framing.bench.{name}:run"
    for name in ("segmentation", "encoder", "voice", "lexical", "markers", "cluster", "geometry", "align",
                 "explore", "timeline", "themes")
}

#: The ``ukraine-media`` event window used by the encoder and voice sections (inclusive).
EVENT_WINDOW = ("2022-09-16", "2022-10-07")


class BenchError(RuntimeError):
    """A benchmark could not run (a section that does not resolve, missing corpora...)."""


def load_named(name: str) -> Any:
    """The named corpus ``name`` (:func:`framing.load_corpus`), or a :class:`BenchError` saying how to get it."""
    try:
        import framing
        return framing.load_corpus(name)
    except Exception as err:  # noqa: BLE001 - any failure: say which corpus and how to get it
        raise BenchError(f"corpus {name!r} is not available ({type(err).__name__}: {err}); "
                         "run `framing corpus fetch --all` (or set FRAMING_MIRROR) first") from err


# ----------------------------------------------------------------------------- runner

def resolve_section(target: str) -> Callable[..., Any]:
    """The function named by ``"module:function"``.

    Raises
    ------
    BenchError
        When the module cannot be imported or has no such callable.

    Examples
    --------
    >>> resolve_section("framing.bench:format_table").__name__
    'format_table'
    """
    mod_name, sep, fn_name = target.partition(":")
    if not sep or not fn_name:
        raise BenchError(f"benchmark section target {target!r} is not 'module:function'")
    try:
        mod = importlib.import_module(mod_name)
    except ImportError as err:
        raise BenchError(f"benchmark section {target}: cannot import {mod_name} ({err})") from err
    fn = getattr(mod, fn_name, None)
    if not callable(fn):
        raise BenchError(f"benchmark section {target}: {mod_name} has no function {fn_name!r}")
    return fn


def run_sections(names: Sequence[str] | None = None, *, sample: int = 2000, random_state: int = 0,
                 workdir: str | os.PathLike | None = None,
                 sections: dict[str, str] | None = None) -> dict[str, Any]:
    """Run benchmark sections; returns ``{section: {"status", "seconds", "rows" | "note"}}``.

    Every section is resolved first (:func:`resolve_section`), so a section that does not
    exist stops the run with a :class:`BenchError` before anything is timed.
    """
    registry = SECTIONS if sections is None else sections
    names = list(registry) if not names else list(names)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"unknown benchmark section(s) {unknown}; known: {sorted(registry)}")
    resolved: dict[str, Callable[..., Any]] = {}
    problems = []
    for name in names:
        try:
            resolved[name] = resolve_section(registry[name])
        except BenchError as err:
            problems.append(str(err))
    if problems:
        raise BenchError("; ".join(problems))
    offered = {"sample": sample, "random_state": random_state, "workdir": workdir}
    report: dict[str, Any] = {}
    for name, fn in resolved.items():
        params = inspect.signature(fn).parameters
        kwargs = {k: v for k, v in offered.items() if k in params and v is not None}
        t = time.perf_counter()
        try:
            rows = fn(**kwargs)
            report[name] = {"status": "ok", "seconds": round(time.perf_counter() - t, 2), "rows": rows}
        except Exception as err:  # noqa: BLE001 - one failing section must not stop the others
            report[name] = {"status": "failed", "seconds": round(time.perf_counter() - t, 2),
                            "note": f"{type(err).__name__}: {err}"}
    return report


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:.0f}"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return "" if v is None else str(v)


def format_table(rows: Any, *, max_columns: int = 8) -> str:
    """Render a section's rows as text: a grid when narrow, else one block per row."""
    if not isinstance(rows, dict):
        return str(rows)
    if not any(isinstance(v, dict) for v in rows.values()):
        rows = {"": rows}
    rows = {k: v for k, v in rows.items() if isinstance(v, dict)}
    cols: list[str] = []
    for r in rows.values():
        cols += [c for c in r if c not in cols and not isinstance(r[c], dict)]
    if len(cols) <= max_columns:
        table = [[""] + cols] + [[str(k)] + [_fmt(r.get(c)) for c in cols] for k, r in rows.items()]
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in table)
    lines = []
    for k, r in rows.items():
        lines.append(str(k) if k else "-")
        lines.append("    " + "  ".join(f"{c}={_fmt(v)}" for c, v in r.items() if not isinstance(v, dict)))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``framing bench [--sections a,b] [--sample N] [--out DIR] [--random-state S]``."""
    p = argparse.ArgumentParser(prog="framing bench", description="Run the benchmarks and write a JSON report.")
    p.add_argument("--sections", default=None,
                   help=f"comma-separated sections (default: all): {', '.join(SECTIONS)}")
    p.add_argument("--sample", type=int, default=2000, help="sentences in the encoder sample")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--out", default="bench", help="directory for report-DATE.json (default: bench)")
    p.add_argument("--workdir", default=None, help="keep intermediate files here (default: a temp dir)")
    args = p.parse_args(argv)
    names = [s.strip() for s in args.sections.split(",") if s.strip()] if args.sections else None
    unknown = [n for n in names or () if n not in SECTIONS]
    if unknown:
        p.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(SECTIONS)}")
    started = _dt.datetime.now()
    try:
        report = run_sections(names, sample=args.sample, random_state=args.random_state, workdir=args.workdir)
    except BenchError as err:
        p.error(str(err))
    import framing
    meta = {"date": started.isoformat(timespec="seconds"), "framing_version": framing.__version__,
            "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "load_avg_1m_end": round(os.getloadavg()[0], 2),
            "sample": args.sample, "random_state": args.random_state}
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report-{started.date().isoformat()}.json"
    path.write_text(json.dumps({"meta": meta, "sections": report}, indent=2, default=str) + "\n")
    for name, sec in report.items():
        print(f"\n== {name} [{sec['status']}" + (f", {sec['seconds']} s" if "seconds" in sec else "") + "]")
        print(format_table(sec["rows"]) if sec["status"] == "ok" else sec.get("note", ""))
    print(f"\nwrote {path}")
    return 0 if all(s["status"] != "failed" for s in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
