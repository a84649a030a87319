"""How much a Fightin' Words ranking owes to the Dirichlet prior."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framing.lexical.prepare import _check_prior_scale, _observed, _prepare, _prior, accepts_legacy_groups
from framing.tokens import LexicalError

__all__ = ["prior_sensitivity"]


def _setting_label(kind: str, a0: float, *, per_term: float | None = None, raw: bool = False) -> str:
    if per_term is not None:
        return f"uniform, {per_term:g} per term (α0={a0:,.4g})"
    if raw:
        return f"{kind.removesuffix(', raw counts')}, raw counts (α0={a0:,.0f})"
    return f"{kind}, α0={a0:g}"


@accepts_legacy_groups
def prior_sensitivity(corpus: pd.DataFrame, *, prior_scales: Sequence[float | None] = (10.0, 100.0, 500.0, 5000.0,
                                                                                       None),
                      prior: str | pd.DataFrame | pd.Series = "pooled", per_term: Sequence[float] = (0.01,),
                      reference: float | None = 500.0, top: int = 20, group: Any = "outlet", mode: str = "one-vs-rest",
                      pairs: Sequence[tuple[Any, Any]] | None = None, ngram_range: tuple[int, int] = (1, 1),
                      stop_words: str | Iterable[str] | None = None, min_count: int = 5, min_docs: int = 1,
                      counts: tuple[sp.spmatrix, Sequence[str]] | None = None, voice: str = "all",
                      boilerplate: str = "drop", sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""How much the Fightin' Words ranking depends on the Dirichlet prior.

    The log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008)
    needs a prior, and its size :math:`\alpha_0` is the analyst's choice; published
    implementations range from 0.01 pseudo-counts per term to the raw counts of a whole
    background corpus (see :func:`fightin_words`, "Prior"). This function computes
    :math:`\delta_w` and :math:`z_w` of every tested term under several priors, on the same
    counts, and ranks the terms under each, so that a finding can be checked against the
    choice: a term that leads the list only under one prior is a finding about the prior.
    Nothing is resampled (the permutation test of :func:`fightin_words` is valid under any
    of these priors; only the ranking, and the power for rare terms, changes).

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``text`` and the ``group`` column.
    prior_scales : sequence of float or None
        :math:`\alpha_0` values for ``prior`` (see :func:`fightin_words`); None stands for raw
        prior counts (:math:`\alpha_w` = the term's count; ``prior="pooled"``: in the
        documents analysed, as in R's tidylo; a background corpus: there, plus one).
    prior : "pooled", "uniform", DataFrame or Series
        Prior shares for ``prior_scales``.
    per_term : sequence of float
        Also a uniform prior of this many pseudo-counts per term (:math:`\alpha_0` = value
        times the number of terms), for each value; 0.01 is the default of J. Hessel's
        ``FightingWords`` and of Scattertext's uninformative prior. ``()`` for none.
    reference : float or None
        The ``prior_scales`` entry the others are compared with (default 500, the
        :func:`fightin_words` default); must be in ``prior_scales``.
    top : int
        Size of the top lists (each side) compared in ``attrs["agreement"]``.
    group, mode, pairs, ngram_range, stop_words, min_count, min_docs, counts, voice, boilerplate, sentences
        As in :func:`fightin_words` (the same terms are tested under every prior).

    Returns
    -------
    DataFrame
        One row per contrast, term and prior setting: ``group``, ``other``, ``term``,
        ``setting`` (label), ``prior``, ``prior_scale`` (:math:`\alpha_0`), ``alpha_w`` (the
        term's prior count), ``count_group``, ``count_other``, ``delta``, ``z``, ``rank``
        (1 = highest z, i.e. most characteristic of ``group``, within contrast and setting),
        ``reference`` (True for the reference setting). Settings are ordered by
        :math:`\alpha_0`. ``attrs``: ``settings`` (label, prior, prior_scale, per_term, in
        order), ``reference`` (its label), ``agreement`` (per contrast and setting: Spearman
        correlation of z with the reference, and the share of the reference's top ``top``
        terms of each side that are also in this setting's), and the counting options.

    See Also
    --------
    fightin_words, framing.plot.plot_prior_sensitivity

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature
    selection and evaluation for identifying the content of political conflict. *Political
    Analysis*, 16(4), 372-403.

    Examples
    --------
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B", "B"],
    ...                   "text": ["the sham vote sham", "a sham referendum vote the",
    ...                            "the vote the", "a referendum held the vote"]})
    >>> ps = prior_sensitivity(c, mode="two", min_count=2, prior_scales=(1.0, 500.0, None), per_term=(0.01,))
    >>> ps["setting"].unique().tolist()
    ['uniform, 0.01 per term (α0=0.06)', 'pooled, α0=1', 'pooled, raw counts (α0=17)', 'pooled, α0=500']
    >>> ps[ps["term"] == "sham"][["setting", "rank"]].values.tolist()[-1]
    ['pooled, α0=500', 1]
    """
    caller = "prior_sensitivity"
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"{caller}: corpus must be a pandas DataFrame, got {type(corpus).__name__}")
    for name, value in (("min_count", min_count), ("min_docs", min_docs), ("top", top)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise LexicalError(f"{caller}: {name} must be a non-negative int, got {value!r}")
    scales = [_check_prior_scale(s, caller=caller) for s in prior_scales]
    if not scales:
        raise LexicalError(f"{caller}: prior_scales must name at least one prior scale (the reference)")
    if len(set(scales)) < len(scales):
        raise LexicalError(f"{caller}: prior_scales has duplicates: {list(prior_scales)!r}")
    per = [_check_prior_scale(c, caller=caller, allow_none=False, name="each per_term value") for c in per_term]
    ref = _check_prior_scale(reference, caller=caller, name="reference")
    if ref not in scales:
        raise LexicalError(f"{caller}: reference={reference!r} is not one of prior_scales={list(prior_scales)!r}")
    prep = _prepare(corpus, group=group, mode=mode, pairs=pairs, ngram_range=ngram_range, stop_words=stop_words,
                    counts=counts, voice=voice, boilerplate=boilerplate, sentences=sentences, caller=caller)
    settings = _settings(prep, prior, scales, per, ref, caller=caller)
    per_setting = [_observed(prep, d["a"], d["prior_scale"], min_count, min_docs) for d in settings]
    frames, agreement = _compare_settings(prep, settings, per_setting, top)
    ref_k = next(k for k, d in enumerate(settings) if d["is_ref"])
    out = pd.concat(frames, ignore_index=True)
    out.attrs = {
        "method": "prior_sensitivity",
        "group": group if isinstance(group, str) else repr(group), "mode": mode, "groups": prep["names"],
        "contrasts": [(prep["names"][gi], other) for gi, _o, other in prep["contrasts"]],
        "settings": [{k: d[k] for k in ("setting", "prior", "prior_scale", "per_term")} for d in settings],
        "reference": settings[ref_k]["setting"], "top": int(top),
        "agreement": agreement,
        "ngram_range": tuple(ngram_range), "min_count": int(min_count), "min_docs": int(min_docs),
        "voice": voice, "boilerplate": boilerplate,
        "text_filter": prep["corpus"].attrs.get("text_filter"), "excluded": prep["corpus"].attrs.get("excluded"),
    }
    return out


def _settings(prep: dict, prior: Any, scales: list[float | None], per: list[float], ref: float | None, *,
              caller: str) -> list[dict]:
    """The prior settings compared, ordered by alpha0: each with its prior counts ``a``."""
    vocab = prep["vocab"]
    settings = []
    for s in scales:
        a, kind = _prior(prior, prep["pooled"], vocab, s, vec_kwargs=prep["vec_kwargs"], caller=caller)
        a0 = float(a.sum()) if s is None else s
        settings.append({"setting": _setting_label(kind, a0, raw=s is None),
                         "prior": kind, "prior_scale": a0, "per_term": None, "a": a, "is_ref": s == ref})
    for c in per:
        a0 = c * len(vocab)
        settings.append({"setting": _setting_label("uniform", a0, per_term=c), "prior": "uniform",
                         "prior_scale": a0, "per_term": c, "a": np.full(len(vocab), c), "is_ref": False})
    settings.sort(key=lambda d: (d["prior_scale"], d["setting"]))
    labels = [d["setting"] for d in settings]
    if len(set(labels)) < len(labels):
        raise LexicalError(f"{caller}: two prior settings coincide: {labels!r}")
    return settings


def _compare_settings(prep: dict, settings: list[dict], per_setting: list[list[dict]], top: int
                      ) -> tuple[list[pd.DataFrame], list[dict]]:
    """Per contrast and setting: the ranked terms, and their agreement with the reference."""
    names, vocab = prep["names"], prep["vocab"]
    frames, agreement = [], []
    ref_k = next(k for k, d in enumerate(settings) if d["is_ref"])
    for c_idx, (gi, _others, other_label) in enumerate(prep["contrasts"]):
        ref_obs = per_setting[ref_k][c_idx]
        z_ref = ref_obs["delta"] / np.sqrt(ref_obs["var"])
        terms = vocab[ref_obs["keep"]].astype(str)
        order_ref = np.argsort(-z_ref, kind="stable")
        k = min(top, len(terms))
        top_ref = (set(order_ref[:k]), set(order_ref[::-1][:k]))
        for d, obs in zip(settings, per_setting):
            o = obs[c_idx]
            z = o["delta"] / np.sqrt(o["var"])
            rank = pd.Series(-z).rank(method="min").to_numpy(dtype=np.int64)
            frames.append(pd.DataFrame({
                "group": names[gi], "other": other_label,
                "term": pd.array(terms, dtype="str"),
                "setting": d["setting"], "prior": d["prior"], "prior_scale": d["prior_scale"],
                "alpha_w": d["a"][o["keep"]],
                "count_group": o["yi"].astype(np.int64), "count_other": o["yj"].astype(np.int64),
                "delta": o["delta"], "z": z, "rank": rank, "reference": bool(d["is_ref"]),
            }))
            order = np.argsort(-z, kind="stable")
            hi, lo = set(order[:k]), set(order[::-1][:k])
            agreement.append({
                "group": names[gi], "other": other_label, "setting": d["setting"],
                "spearman": float(pd.Series(z).corr(pd.Series(z_ref), method="spearman")) if len(z) > 1 else 1.0,
                "top_overlap": (len(hi & top_ref[0]) + len(lo & top_ref[1])) / max(1, 2 * k),
            })
    return frames, agreement
