"""Benchmark section ``scale``: the Dask path on synthetic corpora of growing size.

Synthetic corpora are built from real sentences: each synthetic article copies the outlet,
the date and the number of sentences of a randomly drawn ``ukraine-media`` article, and
draws its sentences at random from all sentences of that outlet (new doc ids). They are
written as partitioned Parquet datasets (``outlet=<name>`` folders, ``partition_docs``
articles per block) and run through read -> split -> term counts -> Fightin' Words (1,000
bootstrap replicates, no permutations; once with the stratified bootstrap, whose
per-document counts come to the client, once with ``resampling="poisson"``, reduced to sums
on the workers) -> marker rates on a ``LocalCluster`` of 1 and of 2 worker processes (one
thread each). Peak memory per worker is the largest resident set size (psutil) sampled
every 0.2 s in each worker during a stage; the client's peak per stage is Python's
``tracemalloc`` peak (numpy arrays included), and its resident size is reported too. Embedding throughput per worker is
measured on a fixed sample of real sentences with :class:`framing.Encoder` (cache off).
"""
from __future__ import annotations

import os
import platform
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing.bench import load_named

__all__ = ["run", "synthetic_corpus"]

_PEAK: dict[str, Any] = {}


def _sampler_start(interval: float = 0.2) -> bool:
    """On a worker: (re)start a thread that records the process's peak RSS."""
    import psutil

    proc = psutil.Process()
    _PEAK["max"] = proc.memory_info().rss
    if _PEAK.get("thread") is None:
        def loop() -> None:
            while True:
                _PEAK["max"] = max(_PEAK["max"], proc.memory_info().rss)
                time.sleep(interval)

        _PEAK["thread"] = threading.Thread(target=loop, daemon=True)
        _PEAK["thread"].start()
    return True


def _sampler_peak() -> int:
    """On a worker: peak RSS since the last reset, and reset."""
    import psutil

    peak = int(_PEAK.get("max", 0))
    _PEAK["max"] = psutil.Process().memory_info().rss
    return peak


def _sentence_pool(source: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    from framing.segment import split_sentences

    sents = split_sentences(source)
    pools = {o: g["text"].to_numpy(dtype=object) for o, g in sents.groupby("outlet")}
    n_sent = sents.groupby("doc_id").size()
    articles = source[["doc_id", "outlet", "published"]].assign(
        n_sent=source["doc_id"].map(n_sent).fillna(1).astype(int).clip(lower=1).to_numpy())
    return articles[articles["outlet"].isin(list(pools))].reset_index(drop=True), pools


def synthetic_corpus(n_docs: int, folder: str | os.PathLike[str], *, source: pd.DataFrame | None = None,
                     partition_docs: int = 5000, random_state: int = 0) -> Path:
    """Write a synthetic corpus of ``n_docs`` articles as a partitioned Parquet dataset.

    Parameters
    ----------
    n_docs : int
        Articles.
    folder : path
        Output folder (``outlet=<name>/part-<block>.parquet``).
    source : DataFrame, optional
        Real articles to resample (default: ``ukraine-media``).
    partition_docs : int
        Articles per block; each block is written as one file per outlet.
    random_state : int

    Returns
    -------
    Path
    """
    from framing.corpora import export_corpus
    from framing.corpus import validate_corpus

    source = load_named("ukraine-media") if source is None else source
    articles, pools = _sentence_pool(source)
    rng = np.random.default_rng(random_state)
    folder = Path(folder)
    for block, start in enumerate(range(0, n_docs, partition_docs)):
        n = min(partition_docs, n_docs - start)
        pick = articles.iloc[rng.integers(0, len(articles), size=n)].reset_index(drop=True)
        texts = [" ".join(rng.choice(pools[o], size=k)) for o, k in zip(pick["outlet"], pick["n_sent"])]
        table = pd.DataFrame({"doc_id": [f"syn{start + i:08d}" for i in range(n)], "outlet": pick["outlet"],
                              "published": pick["published"], "title": "", "text": texts, "url": "",
                              "lang": "en"})
        corpus = validate_corpus(table, source=f"synthetic block {block}")
        for outlet, rows in corpus.groupby("outlet"):
            rows = rows.reset_index(drop=True)
            rows.attrs = {}
            export_corpus(rows, folder / f"outlet={outlet}" / f"part-{block:05d}.parquet")
    return folder


def _quiet() -> bool:
    """On a worker: no per-file CorpusWarning lines in the benchmark's output."""
    import warnings

    from framing.corpus import CorpusWarning

    warnings.simplefilter("ignore", CorpusWarning)
    return True


def _stage(client: Any, name: str, func: Any, out: dict[str, Any]) -> Any:
    import psutil

    client.run(_sampler_start)
    me = psutil.Process()
    tracemalloc.start()
    t = time.perf_counter()
    try:
        value = func()
    finally:
        out[f"{name}_s"] = round(time.perf_counter() - t, 2)
        out[f"{name}_peak_client_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    peaks = client.run(_sampler_peak)
    out[f"{name}_peak_worker_mb"] = round(max(peaks.values()) / 2**20)
    out.setdefault("client_rss_mb", 0)
    out["client_rss_mb"] = max(out["client_rss_mb"], round(me.memory_info().rss / 2**20))
    return value


def _pipeline(client: Any, path: Path, *, n_boot: int, random_state: int) -> dict[str, Any]:
    from framing import dask_io, scale

    row: dict[str, Any] = {}
    ddf = dask_io.read_corpus(path)
    row["partitions"] = ddf.npartitions
    row["documents"] = int(_stage(client, "read", lambda: ddf.map_partitions(len).compute().sum(), row))
    sents = scale.split_sentences(ddf)
    row["sentences"] = int(_stage(client, "split", lambda: sents.map_partitions(len).compute().sum(), row))
    _stage(client, "counts", lambda: scale.term_counts(ddf), row)
    _stage(client, "fightin_words", lambda: scale.fightin_words(ddf, n_boot=n_boot, n_perm=0,
                                                                random_state=random_state), row)
    # the same bootstrap size with Poisson weights: reduced to sums on the workers
    _stage(client, "fightin_words_sums", lambda: scale.fightin_words(ddf, n_boot=n_boot, n_perm=0, resampling="poisson",
                                                                     random_state=random_state), row)
    _stage(client, "marker_rates", lambda: scale.marker_rates(ddf, random_state=random_state), row)
    return row


def _embedding_rate(client: Any, texts: list[str], n_workers: int) -> dict[str, Any]:
    import dask.dataframe as dd

    import framing
    from framing import scale

    per = len(texts)
    table = pd.DataFrame({"doc_id": [f"s{i}" for i in range(per * n_workers)],
                          "sent_id": [f"s{i}:0" for i in range(per * n_workers)], "text": texts * n_workers})
    ddf = dd.from_pandas(table, npartitions=n_workers, sort=False)
    enc = framing.Encoder(cache_dir=False, show_progress=False)
    with tempfile.TemporaryDirectory() as tmp:
        scale.warm_up(enc, client)  # the model loaded once on each worker, before the clock starts
        t = time.perf_counter()
        scale.embed(ddf, enc, Path(tmp) / "v")
        seconds = time.perf_counter() - t
    return {"embed_sentences": per * n_workers, "embed_s": round(seconds, 2),
            "embed_per_worker_per_s": round(per / seconds, 1)}


def run(sizes: Sequence[int] = (100_000, 300_000, 1_000_000), *, workers: Sequence[int] = (1, 2),
        n_boot: int = 1000, embed_sample: int = 500, partition_docs: int = 5000,
        workdir: str | os.PathLike[str] | None = None, random_state: int = 0) -> dict[str, dict[str, Any]]:
    """Wall time and peak memory per worker of the Dask pipeline, by corpus size and workers.

    Parameters
    ----------
    sizes : sequence of int
        Synthetic corpus sizes in articles.
    workers : sequence of int
        LocalCluster sizes (worker processes, one thread each).
    n_boot : int
        Bootstrap replicates of Fightin' Words.
    embed_sample : int
        Real sentences embedded per worker to measure throughput.
    partition_docs : int
        Articles per block of the synthetic datasets.
    workdir : path, optional
        Where the datasets are written (default: a temporary folder, removed afterwards).
    random_state : int

    Returns
    -------
    dict
        ``{"<size> docs, <w> workers": {documents, sentences, partitions, <stage>_s,
        <stage>_peak_worker_mb, <stage>_peak_client_mb (Python's tracemalloc on the client,
        during the stage), client_rss_mb, embed_per_worker_per_s, ...}}`` plus a
        ``"machine"`` row (date, CPU count, platform).
    """
    import distributed

    from framing.segment import split_sentences

    source = load_named("ukraine-media")
    texts = split_sentences(source.sample(n=200, random_state=random_state))["text"].head(embed_sample).tolist()
    rows: dict[str, dict[str, Any]] = {"machine": {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                                   "cpus": os.cpu_count(), "platform": platform.platform(),
                                                   "python": platform.python_version()}}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(workdir) if workdir is not None else Path(tmp)
        for size in sizes:
            path = root / f"synthetic-{size}"
            t = time.perf_counter()
            if not path.exists():
                synthetic_corpus(size, path, source=source, partition_docs=partition_docs, random_state=random_state)
            build_s = round(time.perf_counter() - t, 1)
            for w in workers:
                with distributed.LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                                              dashboard_address=None) as cluster, distributed.Client(cluster) as client:
                    client.run(_quiet)
                    row = _pipeline(client, path, n_boot=n_boot, random_state=random_state)
                    row.update(_embedding_rate(client, texts, w))
                    row["build_s"] = build_s
                    rows[f"{size} docs, {w} workers"] = row
    return rows
