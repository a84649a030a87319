"""Document-level resampling of Fightin' Words: the bootstrap intervals and the permutation test.

Both are vectorised: resampled group totals are products of the document-term matrix with
resampling weights (or subset indicators), computed in blocks of terms and replicates.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

# dense blocks of at most this many float64s are held at once in the resampling loops
_BLOCK = 1 << 23


def _delta_block(yi: np.ndarray, ni: np.ndarray, yj: np.ndarray, nj: np.ndarray, a: np.ndarray,
                 a0: float) -> np.ndarray:
    """delta for blocks (float32): y* arrays (terms x replicates), n* (replicates,), a (terms,).

    Overwrites ``yi`` and ``yj``.
    """
    a = a.astype(np.float32)[:, None]
    yi += a
    yj += a
    out = np.log(yi)
    out -= np.log((ni + a0).astype(np.float32)[None, :] - yi)
    out -= np.log(yj)
    out += np.log((nj + a0).astype(np.float32)[None, :] - yj)
    return out


def _percentiles(values: np.ndarray, qs: Sequence[float]) -> list[np.ndarray]:
    """Row-wise percentiles (numpy's default 'linear' method) via a full sort (fast for float32)."""
    v = np.sort(values, axis=1)
    n = v.shape[1]
    out = []
    for q in qs:
        h = (n - 1) * q
        lo = int(np.floor(h))
        hi = min(lo + 1, n - 1)
        frac = h - lo
        out.append(v[:, lo].astype(float) * (1 - frac) + v[:, hi].astype(float) * frac)
    return out


def _bootstrap_weights(lab: np.ndarray, G: int, B: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Per group, a (n_g x B) float32 matrix: how often each document is drawn in each replicate.

    Each replicate draws n_g documents of the group uniformly with replacement (so each column
    is Multinomial(n_g, 1/n_g)). The draws are taken a block of replicates at a time: numpy's
    stream does not depend on how a draw is split, so the weights are those of one
    ``rng.integers(0, n_g, size=(B, n_g))`` call, without its B x n_g int64 temporaries.
    """
    out = []
    for g in range(G):
        n_g = int((lab == g).sum())
        W = np.empty((n_g, B), dtype=np.float32)
        step = max(1, _BLOCK // max(n_g, 1))
        for b0 in range(0, B, step):
            b1 = min(b0 + step, B)
            draws = rng.integers(0, n_g, size=(b1 - b0, n_g))
            draws += (np.arange(b1 - b0) * n_g)[:, None]
            W[:, b0:b1] = np.bincount(draws.ravel(), minlength=(b1 - b0) * n_g).reshape(b1 - b0, n_g).T
        out.append(W)
    return out


def _replicate_tokens(doc_len: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Tokens in each replicate, ``doc_len @ W`` in float64 (exact: integer sums), by column blocks."""
    out = np.empty(W.shape[1])
    step = max(1, _BLOCK // max(W.shape[0], 1))
    for b0 in range(0, W.shape[1], step):
        out[b0:b0 + step] = doc_len @ W[:, b0:b0 + step].astype(float)
    return out


def _bootstrap_ci(obs: list[dict], X: sp.csr_matrix, lab: np.ndarray, G: int, a: np.ndarray, a0: float,
                  B: int, alpha: float, rng: np.random.Generator, *, doc_ids: np.ndarray | None = None,
                  seed: int | None = None) -> None:
    """Document-level percentile bootstrap of delta and sign stability; fills obs.

    Stratified (``doc_ids=None``): documents are drawn with replacement within each group
    (weights from ``rng``), and replicate totals are products ``X_g.T @ W_g.T`` (sparse x
    dense) over blocks of terms. Poisson (``doc_ids`` and ``seed`` given): each document
    has a Poisson(1) weight per replicate keyed by (``seed``, its id)
    (:func:`framing.stats.poisson_weights`), and the replicate totals are exact sums over
    documents (:func:`poisson_sums`), the same whichever way the documents are split.
    """
    union = np.unique(np.concatenate([o["keep"] for o in obs]))
    doc_len = np.asarray(X.sum(axis=1), dtype=float).ravel()
    if doc_ids is not None:
        T, totals = poisson_sums(X[:, union], doc_len, lab, G, doc_ids, B, int(seed))

        def blocks(c0: int, c1: int) -> list[np.ndarray]:
            return [T[g][c0:c1].astype(np.float32) if g in T else np.zeros((c1 - c0, B), np.float32)
                    for g in range(G)]

        summarise_replicates(obs, union, G, blocks, list(totals),
                             a, a0, alpha, B)
        return
    weights = _bootstrap_weights(lab, G, B, rng)
    XU = X[:, union]
    totals, XgT = [], []
    for g in range(G):
        idx = np.flatnonzero(lab == g)
        totals.append(_replicate_tokens(doc_len[idx], weights[g]))         # B tokens per replicate
        XgT.append(sp.csr_matrix(XU[idx].T, dtype=np.float32))           # |U| x n_g
    del XU
    summarise_replicates(obs, union, G, lambda c0, c1: [XgT[g][c0:c1] @ weights[g] for g in range(G)], totals,
                         a, a0, alpha, B)


def poisson_sums(XU: sp.csr_matrix, doc_len: np.ndarray, lab: np.ndarray, G: int, doc_ids: np.ndarray, B: int,
                 seed: int) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Poisson-bootstrap replicate totals: per group, terms x replicates and tokens per replicate.

    ``T[g][t, b]`` (a dict over the groups with documents here) is the sum over the
    documents ``d`` of group ``g`` of ``w[b, d] * XU[d, t]``
    and ``totals[g, b]`` that of ``w[b, d] * doc_len[d]``, with ``w`` the Poisson(1) weights
    of :func:`framing.stats.poisson_weights` (keyed by ``seed`` and the document ids;
    documents with ``lab < 0`` count nowhere). The sums are of integers, in float64: exact,
    so the totals of any split of the documents add up to the totals of the whole.
    """
    from framing.stats import poisson_weights

    T: dict[int, np.ndarray] = {}
    totals = np.zeros((G, B))
    step = max(1, _BLOCK // max(B, 1))
    XU = sp.csr_matrix(XU, dtype=np.float64)
    for d0 in range(0, XU.shape[0], step):
        d1 = min(d0 + step, XU.shape[0])
        rows = lab[d0:d1]
        if not (rows >= 0).any():
            continue
        W = poisson_weights(doc_ids[d0:d1], B, seed).T.astype(np.float64)   # documents x replicates
        for g in np.unique(rows[rows >= 0]):
            m = np.flatnonzero(rows == g)
            if g not in T:
                T[g] = np.zeros((XU.shape[1], B))
            T[g] += XU[d0 + m].T @ W[m]
            totals[g] += doc_len[d0 + m] @ W[m]
    return T, totals


def summarise_replicates(obs: list[dict], union: np.ndarray, G: int, blocks: Any, totals: list[np.ndarray],
                         a: np.ndarray, a0: float, alpha: float, B: int) -> None:
    """Percentile intervals and sign stability of every contrast from replicate totals; fills obs.

    ``blocks(c0, c1)`` gives, per group, the (``c1 - c0`` x B) float32 replicate counts of the
    terms ``union[c0:c1]``; ``totals[g]`` the group's tokens per replicate.
    """
    ntot = np.sum(totals, axis=0)
    pos = np.full(int(union.max()) + 1 if len(union) else 0, -1, dtype=np.int64)
    pos[union] = np.arange(len(union))
    for o in obs:
        o["ci_low"] = np.full(len(o["keep"]), np.nan)
        o["ci_high"] = np.full(len(o["keep"]), np.nan)
        o["sign_stability"] = np.full(len(o["keep"]), np.nan)
        o["_upos"] = pos[o["keep"]]
        o["_sign"] = np.sign(o["yi"] * o["nj"] - o["yj"] * o["ni"])     # observed sign of the rate difference
    need_total = any(len(o["others"]) == G - 1 and G > 2 for o in obs)
    step = max(1, _BLOCK // (B * (G + 2)))
    for c0 in range(0, len(union), step):
        c1 = min(c0 + step, len(union))
        T = blocks(c0, c1)                                                 # each (v x B) float32
        total = None
        if need_total:
            total = T[0].copy()
            for t in T[1:]:
                total += t
        for o in obs:
            sel = np.flatnonzero((o["_upos"] >= c0) & (o["_upos"] < c1))
            if len(sel) == 0:
                continue
            r = o["_upos"][sel] - c0
            gi, others = o["gi"], o["others"]
            yi = T[gi][r]
            if len(others) == G - 1 and total is not None:
                yj = total[r] - yi
                nj = ntot - totals[gi]
            else:
                yj = T[others[0]][r]
                for k in others[1:]:
                    yj = yj + T[k][r]
                nj = np.sum([totals[k] for k in others], axis=0)
            # sign of (y_i/n_i - y_j/n_j) per replicate (0 when the term is absent from both)
            diff = np.sign(yi.astype(float) * nj[None, :] - yj.astype(float) * totals[gi][None, :])
            s_obs = o["_sign"][sel]
            same = ((diff == s_obs[:, None]) & (diff != 0)).mean(axis=1)
            o["sign_stability"][sel] = np.where(s_obs != 0, same, np.nan)
            d = _delta_block(yi, totals[gi], yj, nj, a[union[c0:c1][r]], a0)
            o["ci_low"][sel], o["ci_high"][sel] = _percentiles(d, (alpha / 2, 1 - alpha / 2))
    for o in obs:
        del o["_upos"], o["_sign"]


#: Below this share of the contrast's documents on the smaller side, permuted sums are taken
#: as sparse x sparse products (cheaper for few documents); above it, as sparse x dense.
_SPARSE_SHARE = 0.04


def _random_subsets(n: int, k: int, P: int, rng: np.random.Generator) -> np.ndarray:
    """P uniform random k-subsets of range(n), one per row (k < n)."""
    return np.stack([rng.choice(n, k, replace=False, shuffle=False) for _ in range(P)])


def _exceedances(yi: np.ndarray, ni: np.ndarray, yj: np.ndarray, nj: np.ndarray, a: np.ndarray, a0: float,
                 thr: np.ndarray) -> np.ndarray:
    """Per term (row): the replicates (columns) with :math:`|\\delta^*| \\ge` ``thr`` (float32 blocks).

    With :math:`R` the odds ratio inside :func:`log_odds_dirichlet`'s logarithms,
    :math:`|\\log R| \\ge t` iff :math:`R \\ge e^t` or :math:`R \\le e^{-t}`: no logarithms needed.
    Overwrites ``yi`` and ``yj``.
    """
    a = a.astype(np.float32)[:, None]
    yi += a
    yj += a
    ratio = (nj + a0).astype(np.float32)[None, :] - yj
    ratio *= yi
    den = (ni + a0).astype(np.float32)[None, :] - yi
    den *= yj
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio /= den
        hi = np.exp(thr).astype(np.float32)[:, None]
        lo = np.exp(-thr).astype(np.float32)[:, None]
    return ((ratio >= hi) | (ratio <= lo)).sum(axis=1)


def permutation_plan(obs: list[dict], lab_sizes: np.ndarray) -> list[dict]:
    """Per contrast: its groups, the size ``k`` of its smaller side, which side that is, and
    (``mirror``) the index of an earlier contrast it mirrors (B vs A after A vs B, or the two
    contrasts of one-vs-rest with two groups: the same test, the same p-values), else None.
    ``lab_sizes``: documents per group."""
    plan: list[dict] = []
    done: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    for i, o in enumerate(obs):
        gi, others = o["gi"], tuple(o["others"])
        m = done.get((others, (gi,)))
        mirror = m if m is not None and np.array_equal(obs[m]["keep"], o["keep"]) else None
        n_i = int(lab_sizes[gi])
        n_d = n_i + int(sum(lab_sizes[g] for g in others))
        small_is_i = n_i <= n_d - n_i
        plan.append({"groups": (gi,) + others, "n_d": n_d, "small_is_i": small_is_i,
                     "k": n_i if small_is_i else n_d - n_i, "mirror": mirror})
        if len(others) == 1 and mirror is None and len(o["keep"]):
            done[((gi,), others)] = i
    return plan


def permutation_hits(ys: np.ndarray, n_small: np.ndarray, tot_terms: np.ndarray, n_all: float, small_is_i: bool,
                     observed: np.ndarray, a: np.ndarray, a0: float) -> np.ndarray:
    r"""Per term (row of ``ys``, the smaller side's permuted counts, float32, terms x
    permutations): the permutations with :math:`|\delta^*| \ge |\delta|`. ``n_small``: the
    smaller side's tokens per permutation; ``tot_terms``, ``n_all``: the contrast's totals."""
    rest = tot_terms[:, None].astype(np.float32) - ys
    n_i_perm, n_j_perm = (n_small, n_all - n_small) if small_is_i else (n_all - n_small, n_small)
    yi, yj = (ys, rest) if small_is_i else (rest, ys)
    # ties in exact arithmetic must count as ">=": allow for float32 rounding
    thr = observed - 1e-5 * (1 + observed)
    return _exceedances(yi, n_i_perm, yj, n_j_perm, a, a0, thr)


def _permutation_p(obs: list[dict], X: sp.csr_matrix, lab: np.ndarray, a: np.ndarray, a0: float,
                   P: int, rng: np.random.Generator, *, keyed: tuple[np.ndarray, int] | None = None) -> None:
    """Two-sided permutation p-values of delta (labels shuffled across documents); fills obs.

    Each permutation gives the smaller side of the contrast a uniform random subset of the
    contrast's documents of its size (the rest go to the other side): drawn from ``rng``, or
    with ``keyed=(hashes of the documents' ids, seed)`` the documents with the smallest keys
    of :func:`framing.stats.permutation_keys` (the same subsets for any row order or
    partitioning). The smaller side's term totals are the product of the documents x terms
    matrix with the subsets' indicator matrix, in blocks of permutations and terms.
    """
    from framing.stats import keyed_thresholds, permutation_keys

    doc_len = np.asarray(X.sum(axis=1), dtype=float).ravel()
    n_groups = 1 + max((max((o["gi"], *o["others"])) for o in obs), default=0)
    plan = permutation_plan(obs, np.bincount(lab[lab >= 0], minlength=n_groups))
    for o, pl in zip(obs, plan):
        if pl["mirror"] is not None:
            o["p_value"] = obs[pl["mirror"]]["p_value"].copy()
            continue
        docs = np.flatnonzero(np.isin(lab, pl["groups"]))
        n_d, k, small_is_i = len(docs), pl["k"], pl["small_is_i"]
        keep = o["keep"]
        observed = np.abs(o["delta"])
        hits = np.zeros(len(keep), dtype=np.int64)
        if len(keep) == 0:
            o["p_value"] = np.ones(0)
            continue
        lens = doc_len[docs]
        n_all = lens.sum()
        XD = X[docs][:, keep]
        tot_terms = np.asarray(XD.sum(axis=0), dtype=float).ravel()
        use_dense = k > _SPARSE_SHARE * n_d
        if use_dense:
            XT = sp.csr_matrix(XD.T, dtype=np.float32)                    # |keep| x n_d
        else:
            XC = sp.csc_matrix(XD, dtype=np.float32)                      # n_d x |keep|
        thresholds = None if keyed is None else keyed_thresholds(keyed[0][docs], [k], P, keyed[1])[0]
        chunk = int(min(P, max(1, (1 << 24) // max(n_d, 1))))            # permutations per chunk
        for p0 in range(0, P, chunk):
            pc = min(chunk, P - p0)
            if keyed is None:
                sel = _random_subsets(n_d, k, pc, rng)                    # pc x k
            else:
                inside = permutation_keys(keyed[0][docs], p0, p0 + pc, keyed[1]) <= thresholds[p0:p0 + pc, None]
                sel = np.nonzero(inside)[1].reshape(pc, k)
            n_small = lens[sel].sum(axis=1)                               # tokens on the smaller side
            if use_dense:
                M = np.zeros((n_d, pc), dtype=np.float32)
                M[sel, np.arange(pc)[:, None]] = 1.0
            else:
                S = sp.csr_matrix((np.ones(pc * k, dtype=np.float32), sel.ravel(), np.arange(pc + 1) * k),
                                  shape=(pc, n_d))
            step = max(1, _BLOCK // (2 * pc))
            for c0 in range(0, len(keep), step):
                c1 = min(c0 + step, len(keep))
                if use_dense:
                    ys = np.ascontiguousarray(XT[c0:c1] @ M, dtype=np.float32)          # v x pc, smaller side
                else:
                    ys = np.ascontiguousarray((S @ XC[:, c0:c1]).toarray().T, dtype=np.float32)
                hits[c0:c1] += permutation_hits(ys, n_small, tot_terms[c0:c1], n_all, small_is_i,
                                                observed[c0:c1], a[keep[c0:c1]], a0)
        o["p_value"] = (hits + 1) / (P + 1)
