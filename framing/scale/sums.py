"""Fightin' Words reduced to sums on the workers: no per-document counts on the client.

:func:`framing.scale.fightin_words` takes this path when nothing in the call needs the
documents one by one on the client: no permutation test (``n_perm=0``) or the keyed one
(``permutation="keyed"``), and either no bootstrap or the Poisson bootstrap
(``resampling="poisson"``); both draw per document, keyed by (``random_state``, ``doc_id``)
(:func:`framing.stats.poisson_weights`, :func:`framing.stats.keyed_subsets`).

- **Pass 1** (counts): each partition counts its terms and sends per group the term
  counts, the documents containing each term, the token and document totals, and a 64-bit
  hash and group code of each ``doc_id`` (to refuse an id found in two partitions, and for
  the permutation thresholds); the client adds the partitions up as they arrive. Estimates,
  the prior and the tested terms follow. With a bootstrap or a test and a ``distributed``
  client, each partition's counts stay on its worker.
- **Pass 2** (bootstrap, with ``n_boot``): each partition restricts its pass-1 counts (on
  Dask's local schedulers: counts again) to the tested terms and keeps them, sparse, on its
  worker; the full counts are released. Then, a chunk of tested terms at a
  time (:data:`CHUNK_BYTES`), each worker sums the Poisson-weighted replicate counts of the
  chunk (per group: terms x replicates) and the tokens per replicate over the partitions it
  holds; the workers' sums are added pairwise on the workers, and the client receives one
  total per chunk, takes its percentiles and drops it.
- **Pass 3** (keyed permutation test, with ``n_perm``): the client computes, per tested
  contrast and permutation, the threshold key below which a document is on the contrast's
  smaller side (:func:`framing.stats.keyed_thresholds`, from the hashes and codes); each
  worker marks its documents (one bit per document, permutation and contrast), then sums
  the smaller side's counts of a chunk of tested terms per permutation, as in pass 2; the
  client counts the permutations with :math:`|\delta^*|\ge|\delta|` and drops the chunk.

The client holds the vocabulary's group totals, one or two chunks of replicate totals (16 MB
each while the sums fit in 32 bits) and 12 bytes per document; a worker the tested-term
counts of its partitions (sparse), their Poisson weights (1 byte per document and
replicate) and permutation marks (1 bit per document, permutation and contrast), and one
chunk's sums; between the passes, its partitions' full sparse counts (Dask spills them to
disk when a worker nears its memory limit). The sums are of integers (exact), so the result
equals the in-memory :func:`framing.fightin_words` on the same documents with the same
options, whatever the partitioning or the number of workers, bit for bit.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framing._checks import group_labels
from framing.corpus import CorpusError
from framing.lexical.fightin import DEFAULT_N_PERM, q_values, check_options, poisson_seed, result_table
from framing.lexical.prepare import group_names, observed_from_totals
from framing.lexical.resample import summarise_replicates
from framing.stats import as_rng, pd_hash, poisson_weights
from framing.tokens import LexicalError
from framing.voice.records import Records

__all__ = ["fightin_words_sums", "gather_reduce", "streams"]


def streams(options: Mapping[str, Any]) -> bool:
    """Whether a :func:`framing.fightin_words` call can run on sums alone (see the module)."""
    return ((options.get("n_perm", DEFAULT_N_PERM) == 0 or options.get("permutation", "shuffle") == "keyed")
            and (not options.get("n_boot", 0) or options.get("resampling", "stratified") == "poisson"))


def _client() -> Any:
    """The current ``distributed`` client, or None (Dask's local schedulers)."""
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def gather_reduce(tasks: list[Any], combine: Callable[[Any, Any], Any]) -> Any:
    """Compute per-partition results (delayed, or futures) and fold them with ``combine`` as they arrive.

    On a ``distributed`` client each result is released on the worker once folded in, so
    the client holds the running total and the results not yet folded; elsewhere the
    results are computed together and folded in order.
    """
    import dask

    client = _client()
    if client is None:
        results = dask.compute(*tasks)
        out = results[0]
        for r in results[1:]:
            out = combine(out, r)
        return out
    from distributed import Future, as_completed

    futures = tasks if tasks and isinstance(tasks[0], Future) else client.compute(tasks)
    out = None
    for future, result in as_completed(futures, with_results=True):
        out = result if out is None else combine(out, result)
        future.release()
        del result
    return out


# ---- per partition ---------------------------------------------------------------------------

def _labels(part: pd.DataFrame, group: Any) -> pd.Series:
    """Group label (str, or NaN) per row, as the in-memory path reads ``group=``."""
    out = group_labels(part, group, error=LexicalError, name="the corpus", check_keys=False)
    valid = out.notna()
    labels = pd.Series(np.nan, index=part.index, dtype=object)
    labels[valid] = out[valid].astype(str)
    return labels


def _counted(part: pd.DataFrame, group: Any, options: dict[str, Any]) -> dict[str, Any]:
    """One partition counted: sparse counts on its own vocabulary, group labels, ids, records."""
    from framing.scale.reduce import _part_counts

    counted = _part_counts(part, options)
    return {"X": counted["X"], "vocab": counted["vocab"], "labels": _labels(part, group),
            "ids": part["doc_id"].to_numpy(dtype=object), "text_filter": [part.attrs.get("text_filter")],
            "excluded": [counted["excluded"]]}


def _totals_of(counted: dict[str, Any]) -> dict[str, Any]:
    """Pass 1 on one counted partition: per group label, term counts and documents with each term."""
    X, labels = counted["X"], counted["labels"]
    valid = labels.notna().to_numpy()
    names = np.asarray(sorted(set(labels[valid])), dtype=object)
    codes = np.searchsorted(names, labels[valid].to_numpy(dtype=object)) if len(names) else np.zeros(0, int)
    rows = np.flatnonzero(valid)
    onehot = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (codes, rows)), shape=(len(names), X.shape[0]))
    return {"labels": names, "vocab": counted["vocab"], "Y": sp.csr_matrix(onehot @ X),
            "D": sp.csr_matrix(onehot @ (X > 0).astype(np.int64)),
            "n_docs": np.bincount(codes, minlength=len(names)).astype(np.int64),
            "hashes": pd_hash(counted["ids"][rows]), "codes": codes.astype(np.int32),
            "text_filter": counted["text_filter"], "excluded": counted["excluded"]}


def _part_totals(part: pd.DataFrame, group: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Pass 1 on one partition (:func:`_totals_of` its counts)."""
    return _totals_of(_counted(part, group, options))


def _remap(M: sp.csr_matrix, labels: np.ndarray, vocab: np.ndarray, all_labels: np.ndarray,
           all_vocab: np.ndarray) -> sp.csr_matrix:
    C = M.tocoo()
    rows = np.searchsorted(all_labels, labels)[C.row] if len(labels) else C.row
    cols = np.searchsorted(all_vocab, vocab)[C.col] if len(vocab) else C.col
    return sp.csr_matrix((C.data, (rows, cols)), shape=(len(all_labels), len(all_vocab)), dtype=np.int64)


def _merge_totals(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Two partitions' (or running) pass-1 totals as one, on the union of labels and terms."""
    labels = np.asarray(sorted(set(a["labels"].tolist()) | set(b["labels"].tolist())), dtype=object)
    vocab = np.asarray(sorted(set(a["vocab"].tolist()) | set(b["vocab"].tolist())), dtype=object)
    out = {"labels": labels, "vocab": vocab}
    for key in ("Y", "D"):
        out[key] = (_remap(a[key], a["labels"], a["vocab"], labels, vocab)
                    + _remap(b[key], b["labels"], b["vocab"], labels, vocab))
    n_docs = np.zeros(len(labels), dtype=np.int64)
    for s in (a, b):
        if len(s["labels"]):
            n_docs[np.searchsorted(labels, s["labels"])] += s["n_docs"]
    out["n_docs"] = n_docs
    out["hashes"] = np.concatenate([a["hashes"], b["hashes"]])
    out["codes"] = np.concatenate([np.searchsorted(labels, s["labels"]).astype(np.int32)[s["codes"]]
                                   if len(s["labels"]) else s["codes"] for s in (a, b)])
    out["text_filter"] = a["text_filter"] + b["text_filter"]
    out["excluded"] = a["excluded"] + b["excluded"]
    return out


def _tested_of(counted: dict[str, Any], names: list[str], terms: np.ndarray, B: int, seed: int) -> dict[str, Any]:
    """Pass 2 on one counted partition: its counts of the tested ``terms`` (sparse), document
    lengths, group codes and Poisson weights (documents x replicates, uint8: exact, as
    :func:`framing.stats.poisson_weights` draws at most 20) -- what the replicate sums need,
    held on the worker."""
    X, vocab, labels = counted["X"], counted["vocab"], counted["labels"]
    index = {n: k for k, n in enumerate(names)}
    codes = np.array([index.get(v, -1) if isinstance(v, str) else -1 for v in labels], dtype=np.int64)
    j = np.searchsorted(terms, vocab) if len(terms) else np.zeros(len(vocab), dtype=np.int64)
    hit = np.flatnonzero((j < len(terms)) & (terms[np.minimum(j, max(len(terms) - 1, 0))] == vocab)) \
        if len(terms) else np.zeros(0, dtype=np.int64)
    C = X[:, hit].tocoo()
    keep = np.flatnonzero(codes >= 0)
    XU = sp.csr_matrix((C.data, (C.row, j[hit][C.col])), shape=(X.shape[0], len(terms)))[keep]
    return {"XU": XU, "doc_len": np.asarray(X.sum(axis=1), dtype=float).ravel()[keep], "codes": codes[keep],
            "weights": poisson_weights(counted["ids"][keep], B, seed).T.astype(np.uint8),
            "hashes": pd_hash(counted["ids"][keep])}


def _stack(held: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The partitions on one worker as one table per group: tested-term counts (``X``, CSC,
    so a chunk of terms is a cheap slice), Poisson weights (``w``), document lengths
    (``len``), id hashes (``h``)."""
    XU = sp.vstack([h["XU"] for h in held], format="csr")
    codes = np.concatenate([h["codes"] for h in held])
    weights = np.concatenate([h["weights"] for h in held])
    doc_len = np.concatenate([h["doc_len"] for h in held])
    hashes = np.concatenate([h["hashes"] for h in held])
    return {int(g): {"X": sp.csc_matrix(XU[codes == g], dtype=np.float64), "w": weights[codes == g],
                     "len": doc_len[codes == g], "h": hashes[codes == g]}
            for g in np.unique(codes)}


def _int_sums(t: np.ndarray) -> np.ndarray:
    return t.astype(np.int32 if t.max(initial=0) < 2**31 else np.int64)


def _chunk_sums(stacked: dict[int, dict[str, Any]], c0: int, c1: int, G: int,
                B: int) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Poisson replicate totals of the tested terms ``c0:c1`` over one worker's documents
    (:func:`_stack`), for the groups it has documents of: integer sums in float64, exact."""
    T: dict[int, np.ndarray] = {}
    totals = np.zeros((G, B), dtype=np.int64)
    for g, t in stacked.items():
        W = t["w"].astype(np.float64)
        T[g] = _int_sums(t["X"][:, c0:c1].T @ W)
        totals[g] = (t["len"] @ W).astype(np.int64)
    return T, totals


def _with_permutations(stacked: dict[int, dict[str, Any]], groups: list[tuple[int, ...]],
                       thresholds: np.ndarray, seed: int) -> dict[int, dict[str, Any]]:
    """One worker's table with, per group and tested contrast ``c``, which of its documents
    are on the contrast's smaller side in each permutation (key <= ``thresholds[c]``;
    documents x permutations, bit-packed)."""
    from framing.stats import permutation_keys

    P = thresholds.shape[1]
    out = {}
    for g, t in stacked.items():
        mine = [c for c, gs in enumerate(groups) if g in gs]
        inside = {c: np.zeros((len(t["h"]), P), dtype=bool) for c in mine}
        step = max(1, (1 << 25) // max(8 * len(t["h"]), 1))
        for b0 in range(0, P, step if mine else P):
            keys = permutation_keys(t["h"], b0, min(b0 + step, P), seed)
            for c in mine:
                inside[c][:, b0:b0 + len(keys)] = (keys <= thresholds[c, b0:b0 + len(keys), None]).T
        out[g] = {**t, "perm": {c: np.packbits(m, axis=1) for c, m in inside.items()}}
    return out


def _perm_chunk_sums(stacked: dict[int, dict[str, Any]], c0: int, c1: int, C: int,
                     P: int) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Per tested contrast, the smaller side's counts of the tested terms ``c0:c1`` in every
    permutation (terms x permutations) and its tokens (contrasts x permutations), over one
    worker's documents: integer sums, exact."""
    T: dict[int, np.ndarray] = {}
    totals = np.zeros((C, P), dtype=np.int64)
    for t in stacked.values():
        for c, packed in t["perm"].items():
            M = np.unpackbits(packed, axis=1, count=P).astype(np.float64)
            ys = _int_sums(t["X"][:, c0:c1].T @ M)
            T[c] = ys if c not in T else _int_sums(T[c].astype(np.int64) + ys)
            totals[c] += (t["len"] @ M).astype(np.int64)
    return T, totals


def _merge_sums(a: tuple[dict[int, np.ndarray], np.ndarray], b: tuple[dict[int, np.ndarray], np.ndarray]
                ) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Two workers' replicate totals as one (on a worker): int32 while a sum fits, else int64."""
    T = dict(a[0])
    for g, t in b[0].items():
        if g not in T:
            T[g] = t
            continue
        total = T[g].astype(np.int64)
        total += t
        T[g] = total.astype(np.int32) if total.max(initial=0) < 2**31 else total
    return T, a[1] + b[1]


def _tree_sum(client: Any, futures: list[Any]) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """The workers' results added pairwise on the workers; only the total comes to the client."""
    while len(futures) > 1:
        pairs = [client.submit(_merge_sums, futures[i], futures[i + 1], pure=False)
                 for i in range(0, len(futures) - 1, 2)]
        futures = pairs + futures[len(futures) - len(futures) % 2:]
    return futures[0].result()


#: Bytes of replicate totals (int32) the client receives at once: the tested terms are summed
#: in chunks of ``CHUNK_BYTES / (4 * groups * n_boot)`` terms.
CHUNK_BYTES = 1 << 24


def _count_partitions(filtered: list[Any], group: Any, options: dict[str, Any], *,
                      keep: bool) -> tuple[dict[str, Any], list[Any] | None]:
    """Pass 1: the partitions' totals, folded on the client; with ``keep`` and a distributed
    client, also each partition's counts held on its worker (futures) for pass 2, so that
    the text is read, filtered and counted once."""
    import dask

    client = _client()
    if client is None or not keep:
        return gather_reduce([dask.delayed(_part_totals)(p, group, options) for p in filtered], _merge_totals), None
    counted = client.compute([dask.delayed(_counted)(p, group, options) for p in filtered])
    totals = gather_reduce([client.submit(_totals_of, f, pure=False) for f in counted], _merge_totals)
    return totals, counted


class _Held:
    """Each partition's tested-term counts (:func:`_tested_of`, from its pass-1 counts held on
    the worker, ``counted``, or counted again) stacked per worker (:func:`_stack`) and kept
    there until :meth:`close`; :meth:`sums` adds a per-worker function's results up on the
    workers and returns the total."""

    def __init__(self, filtered: list[Any], counted: list[Any] | None, group: Any, names: list[str],
                 terms: np.ndarray, options: dict[str, Any], B: int, seed: int) -> None:
        import dask

        self.client = client = _client()
        if client is None:
            shared = dask.delayed(terms, pure=True)      # one key in the graph, not a copy in every task
            tasks = [dask.delayed(_tested_of)(dask.delayed(_counted)(p, group, options), names, shared, B, seed)
                     for p in filtered]
            self.held = [_stack(list(dask.compute(*tasks)))]
            return
        from distributed import wait

        if counted is None:
            counted = client.compute([dask.delayed(_counted)(p, group, options) for p in filtered])
        shared = client.scatter(terms, broadcast=True)
        held = [client.submit(_tested_of, f, names, shared, B, seed, pure=False) for f in counted]
        wait(held)
        for f in counted:                            # the full counts are no longer needed
            f.release()
        where = client.who_has(held)
        on: dict[Any, list[Any]] = {}
        for f in held:
            on.setdefault((where.get(f.key) or [None])[0], []).append(f)
        # each worker stacks the partitions it holds: one result per worker and chunk
        self.held = [client.submit(_stack, fs, pure=False, **({} if w is None else {"workers": [w]}))
                     for w, fs in on.items()]

    def _on_workers(self, fn: Callable[..., Any], *args: Any) -> list[Any]:
        if self.client is None:
            return [fn(h, *args) for h in self.held]
        return [self.client.submit(fn, h, *args, pure=False) for h in self.held]

    def update(self, fn: Callable[..., Any], *args: Any) -> None:
        """Replace each worker's table by ``fn(table, *args)``, computed where it is."""
        new = self._on_workers(fn, *args)
        if self.client is not None:
            from distributed import wait

            wait(new)
            for f in self.held:       # computed from them: the old tables can go
                f.release()
        self.held = new

    def sums(self, fn: Callable[..., Any], *args: Any) -> tuple[dict[int, np.ndarray], np.ndarray]:
        """``fn(table, *args)`` on every worker, added up (:func:`_merge_sums`) on the workers."""
        parts = self._on_workers(fn, *args)
        if self.client is None:
            out = parts[0]
            for p in parts[1:]:
                out = _merge_sums(out, p)
            return out
        return _tree_sum(self.client, parts)

    def close(self) -> None:
        if self.client is not None:
            self.client.cancel(self.held)


def _replicate_chunks(held: _Held, n_terms: int, G: int, B: int) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """(c0, c1, replicate totals of terms c0:c1 (groups x terms x B), tokens per replicate
    (groups x B)), chunk after chunk."""
    step = max(1, CHUNK_BYTES // (4 * G * B))
    for c0 in range(0, max(n_terms, 1), step):
        c1 = min(c0 + step, n_terms)
        T, tokens = held.sums(_chunk_sums, c0, c1, G, B)
        wide = any(t.dtype == np.int64 for t in T.values())
        acc = np.zeros((G, c1 - c0, B), dtype=np.int64 if wide else np.int32)
        for g in list(T):
            acc[g] = T.pop(g)
        yield c0, c1, acc, tokens


class _Blocks:
    """The ``blocks`` callback of :func:`summarise_replicates` over a stream of term chunks."""

    def __init__(self, chunks: Iterator[tuple[int, int, np.ndarray, np.ndarray]]) -> None:
        self.chunks = chunks
        self.c0, self.c1, self.T, self.tokens = next(chunks)

    def __call__(self, a: int, b: int) -> list[np.ndarray]:
        pieces = []
        while a < b:
            if a >= self.c1:
                self.c0, self.c1, self.T, _ = next(self.chunks)
            e = min(b, self.c1)
            pieces.append(self.T[:, a - self.c0:e - self.c0])
            a = e
        T = np.concatenate(pieces, axis=1) if len(pieces) > 1 else pieces[0]
        # as the in-memory path rounds its float64 sums
        return [T[g].astype(np.float64).astype(np.float32) for g in range(T.shape[0])]


# ---- the client --------------------------------------------------------------------------------

def _permutation_test(held: _Held, obs: list[dict], union: np.ndarray, codes: np.ndarray, hashes: np.ndarray,
                      n_docs: np.ndarray, N: np.ndarray, a: np.ndarray, a0: float, P: int, seed: int) -> None:
    """The keyed permutation test (``permutation="keyed"``) on sums; fills ``obs`` as the
    in-memory :func:`framing.lexical.resample._permutation_p` does, with the same p-values.

    The client finds each tested contrast's thresholds from the documents' id hashes and
    group codes (:func:`framing.stats.keyed_thresholds`; 12 bytes per document); each
    worker marks its documents on the smaller side of every permutation
    (:func:`_with_permutations`), then a chunk of tested terms at a time the workers sum
    the smaller side's counts (:func:`_perm_chunk_sums`) and the client counts the
    exceedances."""
    from framing.lexical.resample import permutation_hits, permutation_plan
    from framing.stats import keyed_thresholds

    plan = permutation_plan(obs, n_docs)
    tested = [i for i, pl in enumerate(plan) if pl["mirror"] is None and len(obs[i]["keep"])]
    thresholds = np.zeros((len(tested), P), dtype=np.uint64)
    by_docs: dict[tuple[int, ...], list[int]] = {}
    for c, i in enumerate(tested):
        by_docs.setdefault(tuple(sorted(plan[i]["groups"])), []).append(c)
    for gs, cs in by_docs.items():     # contrasts on the same documents share their keys
        inside = hashes[np.isin(codes, gs)]
        thresholds[cs] = keyed_thresholds(inside, [plan[tested[c]]["k"] for c in cs], P, seed)
    held.update(_with_permutations, [plan[i]["groups"] for i in tested], thresholds, seed)
    pos = [np.searchsorted(union, obs[i]["keep"]) for i in tested]
    hits = [np.zeros(len(obs[i]["keep"]), dtype=np.int64) for i in tested]
    step = max(1, CHUNK_BYTES // (4 * max(len(tested), 1) * P))
    for c0 in range(0, len(union) if tested else 0, step):
        c1 = min(c0 + step, len(union))
        T, tokens = held.sums(_perm_chunk_sums, c0, c1, len(tested), P)
        for c, i in enumerate(tested):
            o, pl = obs[i], plan[i]
            sel = np.flatnonzero((pos[c] >= c0) & (pos[c] < c1))
            if not len(sel) or c not in T:
                continue
            ys = T.pop(c)[pos[c][sel] - c0].astype(np.float32)
            keep = o["keep"][sel]
            hits[c][sel] += permutation_hits(ys, tokens[c].astype(np.float64), (o["yi"] + o["yj"])[sel],
                                             float(N[list(pl["groups"])].sum()), pl["small_is_i"],
                                             np.abs(o["delta"][sel]), a[keep], a0)
    for c, i in enumerate(tested):
        obs[i]["p_value"] = (hits[c] + 1) / (P + 1)
    for i, pl in enumerate(plan):
        if i not in tested:
            obs[i]["p_value"] = obs[pl["mirror"]]["p_value"].copy() if pl["mirror"] is not None else np.ones(0)



def _check_ids(ddf: Any, hashes: np.ndarray) -> None:
    """Refuse a ``doc_id`` found in two rows (a 64-bit hash seen twice is looked up by id)."""
    values, counts = np.unique(hashes, return_counts=True)
    twice = values[counts > 1]
    if not len(twice):
        return
    ids = ddf["doc_id"].map_partitions(lambda s: s[np.isin(pd_hash(s.to_numpy(dtype=object)), twice)],
                                       meta=ddf["doc_id"]._meta).compute()
    dup = ids[ids.astype(str).duplicated()]
    if len(dup):
        raise CorpusError(f"doc_id {str(dup.iloc[0])!r} occurs in more than one row across the partitions: "
                          "doc_id must be unique and a document must not be split over partitions")


def fightin_words_sums(ddf: Any, *, group: Any = "outlet", voice: str = "all", boilerplate: str = "drop",
                       ngram_range: tuple[int, int] = (1, 1), stop_words: Any = None, mode: str = "one-vs-rest",
                       pairs: Any = None, prior: Any = "pooled", prior_scale: float | None = 500.0,
                       min_count: int = 5, min_docs: int = 1, min_effect: float = 0.0, n_boot: int = 0,
                       resampling: str = "stratified", n_perm: int = 0, permutation: str = "shuffle",
                       fdr: str = "contrast",
                       alpha: float = 0.05, random_state: Any = None) -> pd.DataFrame:
    """:func:`framing.fightin_words` on a Dask corpus from summed statistics (see the module)."""
    from framing.scale.reduce import _merge_filters
    from framing.scale.stages import filtered_corpus

    caller = "fightin_words"
    check_options(n_boot=n_boot, n_perm=n_perm, min_count=min_count, min_docs=min_docs, alpha=alpha, fdr=fdr,
                  resampling=resampling, prior_scale=prior_scale, mode=mode, caller=caller, permutation=permutation)
    if (n_perm and permutation != "keyed") or (n_boot and resampling != "poisson"):
        raise ValueError("fightin_words_sums: needs n_perm=0 or permutation='keyed' and, with n_boot, "
                         "resampling='poisson'")
    if "doc_id" not in ddf.columns:
        raise LexicalError(f"{caller}: a Dask corpus needs a doc_id column")
    options = {"ngram_range": ngram_range, "stop_words": stop_words}
    filtered = filtered_corpus(ddf, voice=voice, boilerplate=boilerplate)
    totals, counted = _count_partitions(filtered, group, options, keep=bool(n_boot or n_perm))
    _check_ids(ddf, totals["hashes"])
    names = group_names(totals["labels"].tolist(), group, caller=caller)
    at = np.searchsorted(totals["labels"], np.asarray(names, dtype=object))
    prep, obs, a, a0, prior_kind = observed_from_totals(
        totals["Y"][at].toarray().astype(float), totals["D"][at].toarray().astype(float), totals["n_docs"][at],
        names, totals["vocab"], mode=mode, pairs=pairs, prior=prior, prior_scale=prior_scale, min_count=min_count,
        min_docs=min_docs, vec_kwargs=options, caller=caller)
    vocab = prep["vocab"]
    if n_boot or n_perm:
        union = np.unique(np.concatenate([o["keep"] for o in obs]))
        seed = poisson_seed(random_state, as_rng(random_state))
        held = _Held(filtered, counted, group, names, vocab[union], options, int(n_boot), seed)
        try:
            if n_boot:
                blocks = _Blocks(_replicate_chunks(held, len(union), len(names), int(n_boot)))
                summarise_replicates(obs, union, len(names), blocks, list(blocks.tokens.astype(np.float64)), a, a0,
                                     alpha, int(n_boot))
                blocks.chunks.close()
            if n_perm:
                code_of = np.full(len(totals["labels"]), -1, dtype=np.int32)
                code_of[at] = np.arange(len(names), dtype=np.int32)
                _permutation_test(held, obs, union, code_of[totals["codes"]], totals["hashes"],
                                  totals["n_docs"][at], np.asarray(prep["N"], dtype=float), a, a0, int(n_perm), seed)
                q_values(obs, fdr)
        finally:
            held.close()
    record = _merge_filters(totals["text_filter"]) or {}
    settings = {"group": group, "mode": mode, "prior_kind": prior_kind, "a0": a0, "ngram_range": ngram_range,
                "min_count": min_count, "min_docs": min_docs, "min_effect": min_effect, "n_boot": n_boot,
                "resampling": resampling, "n_perm": n_perm, "permutation": permutation, "fdr": fdr, "alpha": alpha,
                "random_state": random_state, "voice": voice, "boilerplate": boilerplate}
    out = result_table(obs, prep, settings, text_filter={**record, "voice": voice, "boilerplate": boilerplate},
                       excluded=Records.concat(totals["excluded"]).sorted())
    out.attrs["reduced_on_workers"] = True
    return out
