"""Fightin' Words (Monroe, Colaresi & Quinn 2008) with a document-level permutation test."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from framing._checks import dask_options, defaults_of as _defaults, is_dask
from framing._compat import renamed_kwargs
from framing.lexical.prepare import (_check_prior_scale, _observed, _prepare, _prior, accepts_legacy_groups)
from framing.lexical.resample import _bootstrap_ci, _permutation_p
from framing.stats import as_rng, fdr_bh, pd_hash
from framing.tokens import LexicalError

__all__ = ["fightin_words", "DEFAULT_N_PERM", "DEFAULT_PERMUTATIONS"]

#: Default number of label permutations of :func:`fightin_words` (the test behind ``q``/``significant``).
DEFAULT_N_PERM = 1000
DEFAULT_PERMUTATIONS = DEFAULT_N_PERM  # the old name, kept for one release
FDR_FAMILIES = ("contrast", "all")
RESAMPLING = ("stratified", "poisson")
#: How the permutation test draws its label shuffles (see :func:`fightin_words`).
PERMUTATION = ("shuffle", "keyed")


@renamed_kwargs(bootstrap="n_boot", permutations="n_perm")
@accepts_legacy_groups
def fightin_words(corpus: pd.DataFrame, *, group: Any = "outlet", mode: str = "one-vs-rest",
                  pairs: Sequence[tuple[Any, Any]] | None = None, ngram_range: tuple[int, int] = (1, 1),
                  stop_words: str | Iterable[str] | None = None,
                  prior: str | pd.DataFrame | pd.Series = "pooled", prior_scale: float | None = 500.0,
                  min_count: int = 5, min_docs: int = 1, min_effect: float = 0.0, n_boot: int = 0,
                  resampling: str = "stratified", n_perm: int = DEFAULT_N_PERM, permutation: str = "shuffle",
                  fdr: str = "contrast", alpha: float = 0.05, random_state: int | np.random.Generator | None = None,
                  counts: tuple[sp.spmatrix, Sequence[str]] | None = None, voice: str = "all",
                  boilerplate: str = "drop", sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    r"""Fightin' Words: which terms distinguish one group of documents from another.

    Log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008,
    sec. 3.5) as the *estimate*, and a permutation test that shuffles the group labels of
    whole documents as the *test*: ``q`` and ``significant`` come from the permutation
    p-values only, never from the token-level z or the bootstrap.

    **Estimator.** For a contrast of group :math:`i` against :math:`j` (one group, or the union
    of the other groups), with :math:`y_w^i` the count of term :math:`w` in the documents of
    :math:`i`, :math:`n^i=\sum_w y_w^i` the total count (all terms of the vocabulary),
    :math:`\alpha_w` the prior count of :math:`w` and :math:`\alpha_0=\sum_w\alpha_w`:

    .. math::

        \delta_w = \log\frac{y_w^i+\alpha_w}{n^i+\alpha_0-y_w^i-\alpha_w}
                 - \log\frac{y_w^j+\alpha_w}{n^j+\alpha_0-y_w^j-\alpha_w}

        \sigma^2_w \approx \frac{1}{y_w^i+\alpha_w} + \frac{1}{y_w^j+\alpha_w},\qquad
        z_w = \delta_w / \sigma_w .

    :math:`\delta_w>0` means :math:`w` is relatively more frequent in ``group`` than in
    ``other``. :math:`z_w` treats every *token* as an independent draw: it ranks terms, it
    does not test them (a word repeated forty times in one article gets a large z).

    **Prior: a choice, not a standard.** :math:`\alpha_w = \texttt{prior\_scale}\cdot\pi_w`,
    with :math:`\pi_w` the share of :math:`w` among all counted tokens of the documents
    analysed (``prior="pooled"``, shrinking toward the whole corpus's frequencies), or
    :math:`\pi_w = 1/V` (``"uniform"``), or the share of :math:`w` in a background corpus (a
    corpus DataFrame, counted with the same tokenisation, or a term-count Series; add-one
    smoothed so that terms absent from the background keep a positive prior). Then
    :math:`\alpha_0 = \texttt{prior\_scale}`. With ``prior_scale=None`` the counts are used
    as they are: :math:`\alpha_w` is the term's count in the documents analysed (or in the
    background, plus one), and :math:`\alpha_0` their total. Monroe et al. (sec. 3.5) shape
    the informative prior on the word frequencies of a larger collection and treat its size,
    :math:`\alpha_0` pseudo-tokens, as a modelling choice: a larger :math:`\alpha_0` pulls
    :math:`\delta_w` of rare terms harder toward 0 and moves them down the z ranking. Published
    implementations choose very differently (their public code, checked 2026-11-30):

    - J. Hessel's ``FightingWords`` script and Scattertext's
      ``LogOddsRatioUninformativeDirichletPrior``: a uniform :math:`\alpha_w = 0.01` per term
      (``prior="uniform", prior_scale=0.01 * V``);
    - D. Jurafsky's ``bayes.py`` (used by Jurafsky et al. 2014) and ``kornosk/log-odds-ratio``:
      the raw counts of a background corpus, :math:`\alpha_0` = its size (a background
      corpus with ``prior_scale=None``); without a background corpus, ``log-odds-ratio`` uses
      the two corpora's own counts, as does R's ``tidylo`` (``prior="pooled",
      prior_scale=None``);
    - Scattertext's ``LogOddsRatioInformativeDirichletPrior``: background counts plus a small
      starting count, used raw by default, or rescaled in proportion to the class size or the
      corpus size, or to sum to ``sigma`` (default 10; described there as the original
      formulation).

    The default here, pooled shares with :math:`\alpha_0 = 500`, is one choice in that range,
    weaker than raw counts and stronger than 0.01 per term on frequent words. The z ranking
    (not the permutation test's validity) depends on it: :func:`prior_sensitivity` shows by
    how much for a given corpus. With the same :math:`\alpha_w` in both groups a term absent
    from both gets :math:`\delta_w=\log\frac{n^j+\alpha_0-\alpha_w}{n^i+\alpha_0-\alpha_w}`,
    which is not 0 when the groups differ in size.

    **Permutation test** (``n_perm=P``, default 1000; the test behind ``q`` and
    ``significant``): the group labels of the documents in the contrast are shuffled (group
    sizes in documents kept), :math:`\delta_w` is recomputed, and the two-sided p-value is
    :math:`p=(b+1)/(P+1)` with :math:`b` the number of permutations with
    :math:`|\delta^*_w|\ge|\delta_w|`. Documents, not tokens, are exchanged, so a term
    concentrated in a few articles is judged by how its articles fall, and the p-value is
    valid (not anti-conservative) whatever the burstiness, when documents are exchangeable
    under the null. ``q`` are Benjamini-Hochberg q-values over the tested terms of each
    contrast separately (``fdr="contrast"``), or over every tested term of every contrast of
    the call (``fdr="all"``: with ``mode="one-vs-rest"``, every group against the rest in
    one family, so the false discovery rate holds for the whole table). The smallest
    possible p is :math:`1/(P+1)`, so among :math:`m` tested terms BH can flag :math:`k`
    terms only if :math:`m/(k(P+1)) < \alpha`: with many tested terms, raise
    ``min_count``/``min_docs`` (filters blind to the labels) or ``n_perm``. With
    ``n_perm=0`` nothing is tested: there is no ``q`` and ``significant`` is NA. With
    ``permutation="keyed"`` each permutation's shuffle is keyed by (``random_state``,
    ``doc_id``, permutation) instead of drawn from the generator's stream: still a uniform
    random relabelling with the group sizes kept, so the test is the same test (its size
    is checked under the same null fixtures, ``tests/test_lexical.py``), but the p-values
    do not depend on the row order, and on a Dask corpus the workers compute the permuted
    sums themselves (:mod:`framing.scale.sums`).

    **Document-level bootstrap** (``n_boot=B``, default 0: descriptive only): each replicate
    resamples whole documents *within each group* with replacement (the "rest" of a
    one-vs-rest contrast is resampled stratified by its member groups), recomputes all
    counts and totals, and :math:`\delta_w`; ``ci_low``/``ci_high`` are the :math:`\alpha/2`
    and :math:`1-\alpha/2` percentiles of the replicates (the prior is held fixed), and
    ``sign_stability`` is the share of replicates in which the difference of relative
    frequencies :math:`y_w^{i*}/n^{i*} - y_w^{j*}/n^{j*}` has the same sign as in the data
    (a replicate with a difference of 0, e.g. one that misses every document with the term,
    does not count as the same sign). Neither is a test, and neither feeds ``q`` or
    ``significant``: the bootstrap is centred on the data, not on a null, so under no
    difference at all ``sign_stability`` is still often close to 1, above all with few
    documents in a group or a term found in few documents (a term absent from one group
    never changes sign). The interval is also unreliable for terms in few documents: in
    replicates that miss them the term is absent from both sides and :math:`\delta_w` takes
    the value above.

    With ``resampling="poisson"`` the bootstrap gives each document an independent
    Poisson(1) weight in each replicate instead (the Poisson bootstrap: a document's
    multiplicity in a multinomial resample of :math:`n` documents is Binomial(:math:`n`,
    :math:`1/n`) :math:`\to` Poisson(1); Hanley & MacGibbon 2006, Chamandy et al. 2012),
    keyed by (``random_state``, ``doc_id``) (:func:`framing.stats.poisson_weights`), not
    stratified by group (group sizes vary a little between replicates). A document's
    weights do not depend on which other documents are in the table or in what order, so
    the replicate totals are sums that partitions compute on their own and add up: on a
    Dask corpus with ``n_perm=0`` the workers reduce the bootstrap themselves and the client
    never holds per-document counts (:func:`framing.scale.fightin_words`). It needs a
    unique ``doc_id`` per document; a Generator or None as ``random_state`` is turned into
    one integer key first. The bootstrap draws nothing from ``random_state``'s stream, so
    with an integer ``random_state`` the permutation p-values are those of ``n_boot=0``.
    Its intervals cover at the nominal rate in the same simulation as the stratified ones
    (``tests/test_lexical.py``).

    Both resamplings are vectorised: resampled group totals are products of the
    document-term matrix with resampling weights, computed in blocks of terms.

    Parameters
    ----------
    corpus : DataFrame
        Corpus with ``text`` and the ``group`` column.
    group : str, mapping or (column, mapping)
        The glossary's ``group=``: a column that defines the groups (``"outlet"``,
        ``"es11_4_vote"``...; every non-missing value, sorted), or a mapping ``{value of
        outlet: label}`` that selects and pools outlets, e.g. ``{"RT": "RT", "ABC": "US",
        "CBS": "US"}`` (groups in the order their labels first appear; outlets left out are
        not analysed), or ``(column, mapping)`` for another column. Group labels in the
        result are strings. (The old ``groups=`` list or ``{label: values}`` mapping still
        works for one release, with a DeprecationWarning.)
    mode : {"two", "one-vs-rest", "pairs"}
        ``"two"``: the first group against the second (exactly two groups);
        ``"one-vs-rest"``: each group against all the others pooled (``other="rest"``);
        ``"pairs"``: each pair in ``pairs`` (default: all pairs, each once).
    pairs : list of (group, other), optional
        Contrasts for ``mode="pairs"``.
    ngram_range, stop_words
        Tokenisation, see :func:`build_vectorizer` (ignored for the counts when ``counts`` is
        given, but still used to count a background-corpus prior).
    prior : "pooled", "uniform", DataFrame or Series
        Prior shares :math:`\pi_w` (see above).
    prior_scale : float or None
        :math:`\alpha_0`, the total prior count (default 500), or None for raw prior counts.
    min_count : int
        Only terms with ``count_group + count_other >= min_count`` are reported and tested
        (the prior and totals still use every term).
    min_docs : int
        ... and found in at least ``min_docs`` documents of the contrast. Both filters ignore
        the group labels, so they do not bias the tests (independent filtering, Bourgon,
        Gentleman & Huber 2010, *PNAS* 107(21)); they raise the power of the BH step by
        leaving out terms too rare for a document-level test to support.
    min_effect : float
        A term is ``significant`` only if also :math:`|\delta_w|\ge` ``min_effect``.
    n_boot : int
        Number of document-level bootstrap replicates (0: none), for ``ci_low``, ``ci_high``
        and ``sign_stability``.
    resampling : {"stratified", "poisson"}
        The bootstrap's weights: documents drawn with replacement within each group (default),
        or a Poisson(1) weight per document and replicate keyed by its ``doc_id`` (the same on
        any split of the corpus; see above).
    n_perm : int
        Number of label permutations (default 1000; 0: no test, ``significant`` is NA).
    permutation : {"shuffle", "keyed"}
        How each permutation picks the documents of the contrast's smaller side: a uniform
        random subset drawn from ``random_state``'s stream (default), or the documents with
        the smallest keys of (``random_state``, ``doc_id``, permutation)
        (:func:`framing.stats.keyed_subsets`): equally uniform, but the same for any row order
        or split of the corpus, so a Dask corpus is tested on sums (see above). Needs a unique
        ``doc_id`` per document.
    fdr : {"contrast", "all"}
        The family of the Benjamini-Hochberg step: each contrast on its own (default), or all
        contrasts of the call together.
    alpha : float
        Level: CI coverage is :math:`1-\alpha`; ``significant`` is ``q < alpha``.
    random_state : int or numpy Generator, optional
        Seed for the resampling (the default None gives different p-values on each call).
    counts : (sparse matrix, vocabulary), optional
        Precomputed :func:`term_counts` output for the rows of ``corpus`` (saves re-tokenising
        when running several contrasts). With ``voice``/``boilerplate`` filtering, count the
        filtered corpus (``term_counts(framing.voice_corpus(corpus, ...))``) and pass that
        corpus.
    voice : {"all", "own", "attributed"}
        Whose words are counted (:func:`framing.voice_corpus`). Default ``"all"``: which
        words an outlet prints, reported speech included, is a topical question; use
        ``"own"`` for the outlet's own vocabulary.
    boilerplate : {"drop", "keep"}
        Leave out boilerplate sentences (:func:`framing.find_boilerplate`: stock lines
        repeated across an outlet's articles, page furniture) or keep them.
    sentences : DataFrame, optional
        The corpus's sentence table with voice/boilerplate columns, to reuse them.

    Returns
    -------
    DataFrame
        One row per tested term and contrast, sorted by contrast then descending ``z``:
        ``term``, ``group``, ``other``, ``count_group``, ``count_other``, ``docs_group``,
        ``docs_other`` (documents containing the term), ``delta``, ``var``, ``z``; with
        ``n_boot``: ``ci_low``, ``ci_high``, ``sign_stability``; with ``n_perm``:
        ``p_value`` and ``q`` (Benjamini-Hochberg over the ``fdr`` family); and ``significant``:
        ``q < alpha`` (and :math:`|\delta_w|\ge` ``min_effect``) with ``n_perm``, else
        NA (pandas' nullable boolean: not tested). ``attrs`` records the settings, group
        sizes, the rule behind ``significant``, the smallest attainable p (``p_floor``), and
        the text counted (``voice``, ``boilerplate``, ``text_filter``, ``excluded``).

    See Also
    --------
    prior_sensitivity : the z ranking under several priors.

    References
    ----------
    Monroe, B. L., Colaresi, M. P., & Quinn, K. M. (2008). Fightin' words: Lexical feature
    selection and evaluation for identifying the content of political conflict. *Political
    Analysis*, 16(4), 372-403.

    Hanley, J. A., & MacGibbon, B. (2006). Creating non-parametric bootstrap samples using
    Poisson frequencies. *Computer Methods and Programs in Biomedicine*, 83(1), 57-62.

    Chamandy, N., Muralidharan, O., Najmi, A., & Naidu, S. (2012). Estimating uncertainty for
    massive data streams. Google technical report.

    Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
    powerful approach to multiple testing. *JRSS B*, 57(1), 289-300.

    Examples
    --------
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B", "B"],
    ...                   "text": ["the sham vote", "a sham referendum vote",
    ...                            "the vote", "a referendum held"]})
    >>> fw = fightin_words(c, mode="two", min_count=2, prior="uniform", prior_scale=1.0, random_state=0)
    >>> fw[["term", "group", "other", "count_group", "count_other"]].head(2).values.tolist()
    [['sham', 'A', 'B', 2, 0], ['vote', 'A', 'B', 2, 1]]
    >>> bool(fw["z"].iloc[0] > 0), bool(fw["significant"].any())  # two documents a side: no test can tell
    (True, False)
    >>> fightin_words(c, mode="two", min_count=2, n_perm=0)["significant"].isna().all()
    np.True_
    """
    if is_dask(corpus):   # the Dask path: same answers from per-partition statistics
        options = {k: v for k, v in locals().items() if k != "corpus"}
        from framing import scale

        return scale.fightin_words(corpus, **dask_options("fightin_words", options, _defaults(fightin_words),
                                                          ("counts", "sentences")))
    caller = "fightin_words"
    if not isinstance(corpus, pd.DataFrame):
        raise TypeError(f"{caller}: corpus must be a pandas DataFrame, got {type(corpus).__name__}")
    check_options(n_boot=n_boot, n_perm=n_perm, min_count=min_count, min_docs=min_docs, alpha=alpha, fdr=fdr,
                  resampling=resampling, caller=caller, permutation=permutation)
    scale = _check_prior_scale(prior_scale, caller=caller)
    prep = _prepare(corpus, group=group, mode=mode, pairs=pairs, ngram_range=ngram_range, stop_words=stop_words,
                    counts=counts, voice=voice, boilerplate=boilerplate, sentences=sentences, caller=caller)
    a, prior_kind = _prior(prior, prep["pooled"], prep["vocab"], scale, vec_kwargs=prep["vec_kwargs"],
                           caller=caller)
    a0 = float(a.sum()) if scale is None else scale
    obs = _observed(prep, a, a0, min_count, min_docs)
    rng = as_rng(random_state)
    keyed_boot, keyed_perm = bool(n_boot) and resampling == "poisson", bool(n_perm) and permutation == "keyed"
    if keyed_boot or keyed_perm:   # one integer key for everything drawn per doc_id
        doc_ids = _doc_ids(prep, caller=caller, why="resampling='poisson'" if keyed_boot else "permutation='keyed'")
        seed = poisson_seed(random_state, rng)
    if n_boot:
        if resampling == "poisson":
            _bootstrap_ci(obs, prep["X"], prep["lab"], len(prep["names"]), a, a0, int(n_boot), alpha, rng,
                          doc_ids=doc_ids, seed=seed)
        else:
            _bootstrap_ci(obs, prep["X"], prep["lab"], len(prep["names"]), a, a0, int(n_boot), alpha, rng)
    if n_perm:
        _permutation_p(obs, prep["X"], prep["lab"], a, a0, int(n_perm), rng,
                       keyed=(pd_hash(doc_ids), seed) if keyed_perm else None)
        q_values(obs, fdr)
    settings = {"group": group, "mode": mode, "prior_kind": prior_kind, "a0": a0, "ngram_range": ngram_range,
                "min_count": min_count, "min_docs": min_docs, "min_effect": min_effect, "n_boot": n_boot,
                "resampling": resampling, "n_perm": n_perm, "permutation": permutation, "fdr": fdr, "alpha": alpha,
                "random_state": random_state, "voice": voice, "boilerplate": boilerplate}
    return result_table(obs, prep, settings, text_filter=prep["corpus"].attrs.get("text_filter"),
                        excluded=prep["corpus"].attrs.get("excluded"))


def check_options(*, n_boot: Any, n_perm: Any, min_count: Any, min_docs: Any, alpha: Any, fdr: Any,
                  resampling: Any, caller: str, prior_scale: Any = None, mode: str = "two",
                  permutation: Any = "shuffle") -> None:
    """The checks of :func:`fightin_words`'s numeric and named options (shared with the Dask path)."""
    for name, value in (("n_boot", n_boot), ("n_perm", n_perm), ("min_count", min_count), ("min_docs", min_docs)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise LexicalError(f"{caller}: {name} must be a non-negative int, got {value!r}")
    if not 0 < alpha < 1:
        raise LexicalError(f"{caller}: alpha must be in (0, 1), got {alpha!r}")
    if fdr not in FDR_FAMILIES:
        raise LexicalError(f"{caller}: fdr must be one of {FDR_FAMILIES}, got {fdr!r}")
    if resampling not in RESAMPLING:
        raise LexicalError(f"{caller}: resampling must be one of {RESAMPLING}, got {resampling!r}")
    if permutation not in PERMUTATION:
        raise LexicalError(f"{caller}: permutation must be one of {PERMUTATION}, got {permutation!r}")
    if mode not in ("two", "one-vs-rest", "pairs"):
        raise LexicalError(f"{caller}: mode must be 'two', 'one-vs-rest' or 'pairs', got {mode!r}")
    _check_prior_scale(prior_scale, caller=caller)


def poisson_seed(random_state: int | np.random.Generator | None, rng: np.random.Generator) -> int:
    """The integer key of the Poisson weights: ``random_state`` itself when it is an int, else
    one draw from ``rng`` (a Generator's stream, or fresh entropy for None)."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    return int(rng.integers(0, 2**63 - 1))


def _doc_ids(prep: dict, *, caller: str, why: str = "resampling='poisson'") -> np.ndarray:
    """The ``doc_id`` of every analysed document (the keys of the Poisson weights and of the
    keyed permutations), checked unique."""
    corpus = prep["corpus"]
    if "doc_id" not in corpus.columns:
        raise LexicalError(f"{caller}: {why} keys each document's draws by its doc_id, "
                           "but the corpus has no doc_id column")
    ids = corpus["doc_id"].to_numpy(dtype=object)[prep["rows"]]
    seen = pd.Series(ids).astype(str)
    dup = seen[seen.duplicated()]
    if len(dup):
        raise LexicalError(f"{caller}: {why} needs unique doc_id values; {dup.iloc[0]!r} is in "
                           f"rows {np.flatnonzero(seen == dup.iloc[0]).tolist()[:5]} of the documents analysed")
    return ids


def result_table(obs: list[dict], prep: dict, settings: dict, *, text_filter: Any, excluded: Any) -> pd.DataFrame:
    """The tidy table of every contrast, with the settings recorded in ``attrs``."""
    n_boot, n_perm, fdr = settings["n_boot"], settings["n_perm"], settings["fdr"]
    out = pd.concat([_contrast_frame(o, prep, n_boot=n_boot, n_perm=n_perm, alpha=settings["alpha"],
                                     min_effect=settings["min_effect"]) for o in obs], ignore_index=True)
    group, random_state = settings["group"], settings["random_state"]
    out.attrs = {
        "method": "fightin_words",
        "group": group if isinstance(group, str) else repr(group), "mode": settings["mode"],
        "groups": prep["names"],
        "contrasts": [(prep["names"][o["gi"]], o["other"]) for o in obs],
        "prior": settings["prior_kind"], "prior_scale": settings["a0"], "ngram_range": tuple(settings["ngram_range"]),
        "min_count": int(settings["min_count"]), "min_docs": int(settings["min_docs"]),
        "min_effect": float(settings["min_effect"]), "n_boot": int(n_boot),
        "resampling": settings["resampling"] if n_boot else None, "n_perm": int(n_perm),
        "permutation": settings.get("permutation", "shuffle") if n_perm else None, "fdr": fdr,
        "alpha": float(settings["alpha"]),
        "significance": ("permutation test of delta (document labels shuffled), Benjamini-Hochberg q < alpha "
                         + ("per contrast" if fdr == "contrast" else "over every contrast of the call")
                         if n_perm else "not tested (n_perm=0): significant is NA"),
        "p_floor": 1.0 / (int(n_perm) + 1) if n_perm else None,
        "n_docs": {n: int(prep["n_docs"][k]) for k, n in enumerate(prep["names"])},
        "n_tokens": {n: int(prep["N"][k]) for k, n in enumerate(prep["names"])},
        "random_state": None if random_state is None else repr(random_state),
        "voice": settings["voice"], "boilerplate": settings["boilerplate"],
        "text_filter": text_filter, "excluded": excluded,
    }
    return out


def q_values(obs: list[dict], fdr: str) -> None:
    """Benjamini-Hochberg q-values per contrast (``fdr="contrast"``) or over the tested terms of
    every contrast together (``fdr="all"``); fills obs."""
    if fdr == "contrast":
        for o in obs:
            o["q"] = fdr_bh(o["p_value"])
        return
    q = fdr_bh(np.concatenate([o["p_value"] for o in obs])) if obs else np.ones(0)
    start = 0
    for o in obs:
        o["q"] = q[start:start + len(o["p_value"])]
        start += len(o["p_value"])


def _contrast_frame(o: dict, prep: dict, *, n_boot: int, n_perm: int, alpha: float,
                    min_effect: float) -> pd.DataFrame:
    """The result rows of one contrast, sorted by descending z."""
    z = o["delta"] / np.sqrt(o["var"])
    f = pd.DataFrame({
        "term": pd.array(prep["vocab"][o["keep"]].astype(str), dtype="str"),
        "group": prep["names"][o["gi"]], "other": o["other"],
        "count_group": o["yi"].astype(np.int64), "count_other": o["yj"].astype(np.int64),
        "docs_group": o["di"].astype(np.int64), "docs_other": o["dj"].astype(np.int64),
        "delta": o["delta"], "var": o["var"], "z": z,
    })
    if n_boot:
        f["ci_low"], f["ci_high"], f["sign_stability"] = o["ci_low"], o["ci_high"], o["sign_stability"]
    if n_perm:
        f["p_value"] = o["p_value"]
        f["q"] = o["q"]
        f["significant"] = (f["q"].to_numpy() < alpha) & (np.abs(o["delta"]) >= min_effect)
    else:
        f["significant"] = pd.array([pd.NA] * len(f), dtype="boolean")
    return f.sort_values(["z", "term"], ascending=[False, True], kind="stable")
