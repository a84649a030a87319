"""Benchmark section ``lexical``: Fightin' Words one-vs-rest over every outlet, timed and
measured against a plain scikit-learn count and Scattertext's corpus building."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer

from framing._compat import renamed_kwargs
from framing.lexical import DEFAULT_N_PERM, fightin_words, term_counts
from framing.tokens import text_column

__all__ = ["run"]


def _status_mb(field: str) -> float | None:
    """A memory line of /proc/self/status (``VmRSS``, ``VmHWM`` = peak) in MiB; None off Linux."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _bench_corpus(corpus: pd.DataFrame | None, name: str) -> tuple[pd.DataFrame, str]:
    """The corpus to benchmark on and how to name it in the record."""
    if corpus is not None:
        return corpus, "given corpus"
    import framing

    return framing.load_corpus(name), name


_SCATTERTEXT_SCRIPT = """
import sys, time
import pandas as pd
import scattertext as st
df = pd.read_csv(sys.argv[1], keep_default_na=False)
t = time.perf_counter()
c = st.CorpusFromPandas(df, category_col="outlet", text_col="text",
                        nlp=st.whitespace_nlp_with_sentences).build()
print(time.perf_counter() - t, c.get_num_docs(), c.get_num_terms(), st.__version__)
"""


def _scattertext_baseline(corpus: pd.DataFrame, env: Path, *, build: bool, timeout: float) -> dict:
    """Time Scattertext's corpus building in a separate venv (it pins an older scipy)."""
    py = env / "bin" / "python"
    if not py.exists():
        if not build:
            return {"skipped": f"no environment at {env} (build_env=False)"}
        try:
            subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, capture_output=True,
                           timeout=timeout)
            subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "--timeout", "30", "--retries", "1", "scattertext", "pandas", "six"],
                           check=True, capture_output=True, timeout=timeout)
        except (subprocess.SubprocessError, OSError) as exc:
            shutil.rmtree(env, ignore_errors=True)  # no half-built environment left behind
            detail = getattr(exc, "stderr", b"") or b""
            return {"skipped": f"could not build {env}: {exc} {detail.decode(errors='replace')[-300:]}".strip()}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "corpus.csv"
        corpus[["outlet", "text"]].to_csv(data, index=False)
        script = Path(tmp) / "st_build.py"
        script.write_text(_SCATTERTEXT_SCRIPT)
        try:
            res = subprocess.run([str(py), str(script), str(data)], capture_output=True, text=True,
                                 timeout=timeout, check=True)
        except (subprocess.SubprocessError, OSError) as exc:
            detail = getattr(exc, "stderr", "") or ""
            return {"skipped": f"scattertext run failed: {exc} {detail[-300:]}".strip()}
    seconds, n_docs, n_terms, version = res.stdout.split()[-4:]
    return {"seconds": float(seconds), "n_docs": int(n_docs), "n_terms": int(n_terms), "version": version,
            "nlp": "whitespace_nlp_with_sentences"}


@renamed_kwargs(bootstrap="n_boot", permutations="n_perm")
def run(corpus: pd.DataFrame | None = None, *, name: str = "ukraine-media", n_boot: int = 1000,
        n_perm: int = DEFAULT_N_PERM, min_count: int = 5, random_state: int = 0,
        boilerplate: str = "keep", time_boilerplate: bool = True, scattertext: bool = True,
        scattertext_env: str | os.PathLike | None = None, build_env: bool = True,
        timeout: float = 900.0) -> dict:
    """Time Fightin' Words one-vs-rest over every outlet with document-level resampling.

    Measures, on the same data and in the same run: a plain scikit-learn ``CountVectorizer``
    pass (default settings), :func:`framing.term_counts`, and the full :func:`framing.fightin_words` call
    (tokenising included) with ``n_boot`` replicates and ``n_perm`` permutations (default: the
    :func:`fightin_words` default), with the peak resident memory of the process during that
    call and its CPU time (wall time on shared cores varies with the load; CPU time less);
    separately, the boilerplate pass that ``boilerplate="drop"`` adds
    (:func:`framing.voice_corpus`: sentence splitting, :func:`framing.find_boilerplate`); and,
    if possible, Scattertext's ``CorpusFromPandas(...).build()`` (whitespace tokenizer) in a
    separate virtual environment ``.venv-bench-scattertext`` (built on first use with ``pip
    install scattertext pandas six``; Scattertext pins an older scipy, so it never goes into
    the project's venv). If that environment cannot be made, the baseline is reported as
    skipped with the reason.

    Parameters
    ----------
    corpus : DataFrame, optional
        Defaults to ``framing.load_corpus(name)``.
    name : str
        Named corpus to load when ``corpus`` is None.
    n_boot, n_perm, min_count, random_state
        Passed to :func:`framing.fightin_words`.
    boilerplate : {"keep", "drop"}
        Passed to :func:`fightin_words`. Default ``"keep"``: the same text Scattertext
        counts (like for like); the boilerplate pass is timed on its own (``time_boilerplate``).
    time_boilerplate : bool
        Also time ``framing.voice_corpus(corpus, voice="all", boilerplate="drop")``.
    scattertext : bool
        Measure the Scattertext baseline.
    scattertext_env : path, optional
        Where the Scattertext venv lives (default ``.venv-bench-scattertext`` in the current
        directory).
    build_env : bool
        Build that environment if it is missing (needs the package index).
    timeout : float
        Seconds allowed for building the environment and for the Scattertext run.

    Returns
    -------
    dict
        Flat JSON-able record: sizes, seconds per step, peak memory, the Scattertext time and
        the ratio ``scattertext_s / fightin_words_s`` (or ``scattertext_skipped``).
    """
    corpus, source = _bench_corpus(corpus, name)
    texts = text_column(corpus, "text", caller="benchmark")
    out: dict[str, Any] = {"benchmark": "framing.bench.lexical:run", "corpus": source,
                           "n_docs": len(corpus), "n_outlets": int(corpus["outlet"].nunique()),
                           "n_boot": n_boot, "n_perm": n_perm, "min_count": min_count,
                           "boilerplate": boilerplate}
    t = time.perf_counter()
    Xp = CountVectorizer().fit_transform(texts)
    out["countvectorizer_s"] = round(time.perf_counter() - t, 3)
    out["countvectorizer_terms"] = int(Xp.shape[1])
    del Xp
    t = time.perf_counter()
    X, vocab = term_counts(corpus)
    out["term_counts_s"] = round(time.perf_counter() - t, 3)
    out["n_tokens"] = int(X.sum())
    out["n_terms"] = int(X.shape[1])
    del X, vocab
    out.update(_time_fightin_words(corpus, n_boot=n_boot, n_perm=n_perm, min_count=min_count,
                                   random_state=random_state, boilerplate=boilerplate))
    if time_boilerplate:
        from framing.voice import voice_corpus

        t, cpu = time.perf_counter(), time.process_time()
        voice_corpus(corpus, voice="all", boilerplate="drop")
        out["boilerplate_pass_s"] = round(time.perf_counter() - t, 3)
        out["boilerplate_pass_cpu_s"] = round(time.process_time() - cpu, 3)
    if scattertext:
        env = Path(scattertext_env) if scattertext_env is not None else Path.cwd() / ".venv-bench-scattertext"
        st = _scattertext_baseline(corpus, env, build=build_env, timeout=timeout)
        if "seconds" in st:
            out["scattertext_s"] = round(st["seconds"], 3)
            out["scattertext_version"] = st["version"]
            out["scattertext_nlp"] = st["nlp"]
            out["speedup_vs_scattertext"] = round(st["seconds"] / out["fightin_words_s"], 2)
        else:
            out["scattertext_skipped"] = st["skipped"]
    return json.loads(json.dumps(out))


def _time_fightin_words(corpus: pd.DataFrame, *, n_boot: int, n_perm: int, min_count: int, random_state: int,
                        boilerplate: str) -> dict[str, Any]:
    """Seconds, CPU seconds and peak memory of one full one-vs-rest fightin_words call."""
    out: dict[str, Any] = {}
    rss0 = _status_mb("VmRSS")
    can_reset = _reset_peak_rss()
    t, cpu = time.perf_counter(), time.process_time()
    fw = fightin_words(corpus, group="outlet", mode="one-vs-rest", n_boot=n_boot, n_perm=n_perm,
                       min_count=min_count, random_state=random_state, boilerplate=boilerplate)
    out["fightin_words_s"] = round(time.perf_counter() - t, 3)
    out["fightin_words_cpu_s"] = round(time.process_time() - cpu, 3)
    peak = _status_mb("VmHWM")
    if can_reset and peak is not None and rss0 is not None:
        out["peak_rss_mb"] = round(peak, 1)
        out["peak_rss_increase_mb"] = round(peak - rss0, 1)
    out["tested_terms_per_contrast"] = int(len(fw) // max(1, fw["group"].nunique()))
    out["significant_terms"] = int(fw["significant"].sum()) if n_perm else None
    return out
