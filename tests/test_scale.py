"""framing.scale: the Dask path gives the in-memory answers, whatever the partitioning."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import framing
from framing import dask_io, scale

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

STOCK = "The agency was founded by the state in 1950 and reports daily."


def _synthetic(n: int = 30) -> pd.DataFrame:
    """Documents whose stock line is spread over every partition (the boilerplate rule must
    count it across partitions), with a quote and a marker in some of them."""
    rng = np.random.default_rng(3)
    words = ["vote", "sham", "troops", "referendum", "city", "Kiev", "Kyiv", "annexation", "said", "ships"]
    texts = []
    for i in range(n):
        body = " ".join(rng.choice(words, size=12)) + "."
        extra = ' Officials said the vote was "a sham".' if i % 4 == 0 else ""
        stock = f" {STOCK}" if i % 3 == 0 else ""
        texts.append(f"Report {i} begins here. {body}{extra}{stock}")
    raw = pd.DataFrame({"doc_id": [f"d{i:03d}" for i in range(n)], "outlet": ["RT", "NYT"] * (n // 2),
                        "published": "2022-09-20", "title": "", "text": texts})
    return framing.validate_corpus(raw)


@pytest.fixture(scope="module")
def cluster_client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def _shuffled(corpus: pd.DataFrame, npartitions: int) -> object:
    """The corpus in a scrambled order, cut into ``npartitions`` blocks of whole documents."""
    order = np.random.default_rng(npartitions).permutation(len(corpus))
    return dd.from_pandas(corpus.iloc[order].reset_index(drop=True), npartitions=npartitions, sort=False)


def test_client_returns_the_current_one(cluster_client):
    assert scale.client() is cluster_client


def test_boilerplate_two_pass_equals_in_memory():
    corpus = _synthetic()
    sents = framing.split_sentences(corpus)
    want = framing.find_boilerplate(sents, min_docs=3)
    got = scale.find_boilerplate(scale.split_sentences(_shuffled(corpus, 4)), min_docs=3)
    got = got.compute(scheduler="sync").set_index("sent_id").loc[want["sent_id"]].reset_index()
    assert want["boilerplate_reason"].eq("repeated").sum() == 18  # the stock line (10 docs), the quote (8)
    for c in ("boilerplate", "boilerplate_docs"):
        assert got[c].tolist() == want[c].tolist(), c
    assert got["boilerplate_reason"].fillna("-").tolist() == want["boilerplate_reason"].fillna("-").tolist()


@pytest.mark.parametrize("npartitions", [1, 2, 5])
def test_fightin_words_same_for_any_partitioning(npartitions):
    corpus = _synthetic()
    want = framing.fightin_words(corpus.sort_values("doc_id", ignore_index=True), min_count=2, n_perm=50,
                                 n_boot=50, random_state=7)
    got = scale.fightin_words(_shuffled(corpus, npartitions), min_count=2, n_perm=50, n_boot=50,
                              random_state=7)
    pd.testing.assert_frame_equal(got, want)


SUMS_OPTIONS = [{"n_perm": 0},
                {"n_perm": 0, "n_boot": 60, "resampling": "poisson", "random_state": 7},
                {"n_perm": 0, "n_boot": 60, "resampling": "poisson", "random_state": 7, "mode": "pairs",
                 "group": {"RT": "R", "NYT": "N"}, "voice": "own", "prior_scale": None},
                {"n_perm": 99, "permutation": "keyed", "random_state": 5},
                {"n_perm": 99, "permutation": "keyed", "n_boot": 40, "resampling": "poisson", "random_state": 2,
                 "mode": "pairs", "pairs": [("RT", "NYT"), ("NYT", "RT")], "fdr": "all"}]


@pytest.mark.parametrize("npartitions", [1, 2, 5])
@pytest.mark.parametrize("options", SUMS_OPTIONS,
                         ids=["estimates", "poisson", "pairs-own-raw-prior", "keyed-test", "keyed-poisson-pairs"])
def test_fightin_words_on_sums_same_for_any_partitioning(npartitions, options, monkeypatch):
    """Without a permutation test or with the keyed one (and with the Poisson bootstrap) the
    workers reduce to sums: the per-document path is never taken, and the table equals the
    in-memory one exactly."""
    from framing.scale import reduce

    corpus = _synthetic(40)
    want = framing.fightin_words(corpus.sort_values("doc_id", ignore_index=True), min_count=2, **options)

    def no_gathering(*args, **kwargs):
        raise AssertionError("per-document counts were gathered to the client")

    monkeypatch.setattr(reduce, "_gather_counts", no_gathering)
    got = scale.fightin_words(_shuffled(corpus, npartitions), min_count=2, **options)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["reduced_on_workers"]
    for key in ("n_docs", "n_tokens", "groups", "prior", "prior_scale", "resampling", "text_filter", "excluded"):
        assert got.attrs[key] == want.attrs[key], key
    if options.get("n_boot"):
        assert got["ci_low"].notna().all() and (got["ci_low"] < got["ci_high"]).all()
    if options.get("n_perm"):
        assert got.attrs["permutation"] == "keyed"
        assert got["p_value"].between(1 / 100, 1).all() and got["p_value"].nunique() > 3


def test_fightin_words_on_sums_in_chunks_of_terms(cluster_client, monkeypatch):
    """Replicate totals folded a few terms at a time on the LocalCluster (chunks that do not
    line up with the percentile blocks) give the same table."""
    from framing.scale import sums

    corpus = _synthetic(40)
    opts = {"n_perm": 40, "permutation": "keyed", "n_boot": 60, "resampling": "poisson", "random_state": 3,
            "min_count": 2}
    want = framing.fightin_words(corpus.sort_values("doc_id", ignore_index=True), **opts)
    chunks = []
    real = sums._replicate_chunks

    def counted(*args, **kwargs):
        for chunk in real(*args, **kwargs):
            chunks.append(chunk[:2])
            yield chunk

    monkeypatch.setattr(sums, "CHUNK_BYTES", 4 * 2 * 60 * 3)     # three terms a chunk
    monkeypatch.setattr(sums, "_replicate_chunks", counted)
    got = scale.fightin_words(_shuffled(corpus, 3), **opts)
    pd.testing.assert_frame_equal(got, want)
    assert len(chunks) == -(-got["term"].nunique() // 3) and chunks[1] == (3, 6)


def test_replicate_totals_add_pairwise_and_widen_before_they_overflow():
    """The workers' sums are added in a tree (an odd one out waits a round); a group missing
    on one side is taken as it is; int32 totals become int64 before they could overflow."""
    from framing.scale import sums

    class Done:                     # a future that has run
        def __init__(self, value):
            self.value = value

        def result(self):
            return self.value

    class Client:                   # runs what is submitted at once, counts the merges
        merges = 0

        def submit(self, func, *args, **kwargs):
            Client.merges += 1
            return Done(func(*(a.value for a in args)))

    big = np.full((2, 3), 2**31 - 1, dtype=np.int32)                    # the largest int32
    parts = [({0: np.ones((2, 3), np.int32)}, np.ones((2, 3), np.int64)),
             ({1: np.full((2, 3), 5, np.int32)}, np.ones((2, 3), np.int64)),
             ({0: big.copy()}, np.ones((2, 3), np.int64))]
    T, tokens = sums._tree_sum(Client(), [Done(p) for p in parts])
    assert Client.merges == 2 and (tokens == 3).all()
    assert T[0].dtype == np.int64 and (T[0] == 2**31).all()              # would have wrapped in int32
    assert T[1].dtype == np.int32 and (T[1] == 5).all()


def test_fightin_words_on_sums_refuses_repeated_ids_and_unknown_groups():
    corpus = _synthetic(6)
    twice = dd.from_pandas(pd.concat([corpus, corpus.iloc[:1]], ignore_index=True), npartitions=2, sort=False)
    with pytest.raises(framing.CorpusError, match="'d000' occurs in more than one row"):
        scale.fightin_words(twice, n_perm=0, boilerplate="keep", min_count=1)
    with pytest.raises(framing.LexicalError, match="no documents for group\\(s\\) \\['X'\\]"):
        scale.fightin_words(_shuffled(corpus, 2), n_perm=0, group={"RT": "R", "Nobody": "X"}, min_count=1)
    with pytest.raises(framing.LexicalError, match="no column 'vote'"):
        scale.fightin_words(_shuffled(corpus, 2), n_perm=0, group="vote", min_count=1)


@pytest.mark.parametrize("npartitions", [1, 2, 5])
def test_marker_rates_same_for_any_partitioning(npartitions):
    corpus = _synthetic()
    want = framing.marker_rates(corpus.sort_values("doc_id", ignore_index=True), interval="percentile",
                                n_boot=100, random_state=1, min_docs=2)
    got = scale.marker_rates(_shuffled(corpus, npartitions), interval="percentile", n_boot=100,
                             random_state=1, min_docs=2)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["text_filter"]["words_kept"] == want.attrs["text_filter"]["words_kept"]
    assert not got.attrs["reduced_on_workers"]


@pytest.mark.parametrize("npartitions", [1, 2, 5])
@pytest.mark.parametrize("voice", ["own", "all"])
def test_marker_rates_profile_from_tallies_without_per_document_rows(npartitions, voice, monkeypatch):
    """The profile interval from the partitions' tallies: the in-memory table exactly, and the
    per-document gathering is never called (it is made to fail)."""
    from framing.scale import rates, reduce

    corpus = _synthetic(60)
    want = framing.marker_rates(corpus.sample(frac=1, random_state=2), voice=voice, min_docs=2)
    monkeypatch.setattr(reduce, "gather", None)
    monkeypatch.setattr(rates, "_documents", None)
    got = scale.marker_rates(_shuffled(corpus, npartitions), voice=voice, min_docs=2)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs["reduced_on_workers"] and got["ci_high"].gt(got["rate"]).all()
    assert got.query("count > 0")["ci_low"].gt(0).any() and np.isinf(got["ci_high"]).sum() < len(got)
    assert got.attrs["text_filter"]["words_kept"] == want.attrs["text_filter"]["words_kept"]


def test_term_counts_equal_in_memory():
    corpus = _synthetic()
    X, vocab = framing.term_counts(corpus)
    docs, X2, vocab2 = scale.term_counts(_shuffled(corpus, 3))
    assert docs["doc_id"].tolist() == corpus["doc_id"].tolist()  # already sorted
    assert list(vocab2) == list(vocab)
    assert (X2 != X).nnz == 0


def test_split_document_is_an_error():
    corpus = _synthetic(6)
    twice = dd.from_pandas(pd.concat([corpus, corpus.iloc[:1]], ignore_index=True), npartitions=2, sort=False)
    with pytest.raises(framing.CorpusError, match="more than one row"):
        scale.term_counts(twice)


def test_boilerplate_pass_one_refuses_split_documents():
    sents = framing.split_sentences(_synthetic(6))
    halves = dd.from_pandas(sents, npartitions=4, sort=False)  # cuts documents apart
    with pytest.raises(framing.CorpusError, match="more than one partition"):
        scale.find_boilerplate(halves)


def test_unknown_option_raises():
    with pytest.raises(TypeError):
        scale.fightin_words(_shuffled(_synthetic(6), 2), counts=None)


# ---- the real event window on a LocalCluster ------------------------------------------------

@pytest.fixture(scope="module")
def window(tmp_path_factory):
    corpus = framing.select(framing.load_corpus("ukraine-media"), start="2022-09-16", end="2022-10-07")
    path = dask_io.write_corpus(corpus, tmp_path_factory.mktemp("scale") / "window", partition_on=["outlet"])
    return corpus.sort_values("doc_id", ignore_index=True), path


@pytest.mark.integration
def test_window_reads_back_and_counts(window, cluster_client):
    corpus, path = window
    ddf = dask_io.read_corpus(path)
    assert ddf.npartitions == corpus["outlet"].nunique()
    back = ddf.compute().sort_values("doc_id", ignore_index=True)
    assert back["doc_id"].tolist() == corpus["doc_id"].tolist()
    assert back["text"].tolist() == corpus["text"].tolist()
    n_sent = scale.split_sentences(ddf).map_partitions(len).compute().sum()
    assert n_sent == len(framing.split_sentences(corpus))


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore::framing.stats.SmallGroupWarning")
def test_window_fightin_words_and_markers_exact(window, cluster_client):
    corpus, path = window
    ddf = dask_io.read_corpus(path)
    want = framing.fightin_words(corpus, n_perm=100, n_boot=100, random_state=0)
    got = scale.fightin_words(ddf, n_perm=100, n_boot=100, random_state=0)
    pd.testing.assert_frame_equal(got, want)
    want_m = framing.marker_rates(corpus, random_state=0)
    got_m = scale.marker_rates(ddf, random_state=0)
    pd.testing.assert_frame_equal(got_m, want_m, check_exact=True)
    assert got_m.attrs["reduced_on_workers"] and got_m["ci_low"].notna().sum() > 50


@pytest.mark.integration
def test_window_fightin_words_on_sums_with_the_poisson_bootstrap(window, cluster_client, monkeypatch):
    """The real window, partitioned by outlet, on the LocalCluster: the workers' sums give the
    in-memory table (Poisson intervals included) without per-document counts on the client."""
    from framing.scale import reduce

    corpus, path = window
    opts = {"n_perm": 200, "permutation": "keyed", "n_boot": 200, "resampling": "poisson", "random_state": 0}
    want = framing.fightin_words(corpus, **opts)
    monkeypatch.setattr(reduce, "_gather_counts", None)   # the per-document path would fail
    got = scale.fightin_words(dask_io.read_corpus(path), **opts)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["reduced_on_workers"] and len(got) > 1000 and got["ci_low"].notna().all()
    assert got["significant"].sum() > 10


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore::framing.stats.SmallGroupWarning")
def test_window_bootstrap_intervals_do_not_depend_on_partitions(window, cluster_client):
    corpus, _ = window
    results = [scale.marker_rates(_shuffled(corpus, k), voice="all", boilerplate="keep", interval="percentile",
                                  n_boot=200, random_state=5) for k in (1, 2, 5)]
    for r in results[1:]:  # (Fightin' Words: test_fightin_words_same_for_any_partitioning)
        pd.testing.assert_frame_equal(r, results[0])
    assert results[0]["ci_low"].notna().sum() > 100


# ---- embeddings and axis scores --------------------------------------------------------------

def _axis(encoder):
    import warnings

    with warnings.catch_warnings():  # hashed toy poles do not separate; the test is about equality
        warnings.simplefilter("ignore")
        return framing.Axis("sham", ["a sham vote", "sham referendum", "fake annexation"],
                            ["a free vote", "legal referendum", "ships city"]).fit(encoder)


@pytest.mark.parametrize("npartitions", [1, 3])
def test_axis_scores_equal_in_memory(npartitions):
    enc = framing.HashEncoder(dim=64)
    corpus = _synthetic()
    axis = _axis(enc)
    want = framing.score_axes(framing.split_sentences(corpus), [axis], encoder=enc, n_boot=100, n_null=100,
                              random_state=2, reliability=False)
    sents = scale.split_sentences(_shuffled(corpus, npartitions))
    got = scale.score_axes(sents, [axis], encoder=enc, n_boot=100, n_null=100, random_state=2)
    for name in ("groups", "documents", "corpus"):
        a, b = got.to_frames()[name], want.to_frames()[name]
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-12)
    assert got.params["text_filter"]["n_kept"] == want.params["text_filter"]["n_kept"]


def test_embed_writes_aligned_shards_and_uses_the_cache(tmp_path):
    corpus = _synthetic(12)
    sents = scale.split_sentences(_shuffled(corpus, 3))
    enc = framing.Encoder(framing.HashEncoder(dim=16), cache_dir=tmp_path / "cache")
    shards = scale.embed(sents, enc, tmp_path / "vectors")
    assert shards.n_shards == 3
    flat = sents.compute()
    assert shards.index["sent_id"].tolist() == flat["sent_id"].tolist()
    X = shards.to_array()
    np.testing.assert_allclose(X, framing.HashEncoder(dim=16).encode(flat["text"].tolist()), atol=1e-6)
    again = framing.Encoder(framing.HashEncoder(dim=16), cache_dir=tmp_path / "cache")
    again.encode(flat["text"].tolist())
    assert again.stats["computed"] == 0  # the workers filled the shared cache


def test_clusters_fit_on_a_sample_assign_everywhere():
    from sklearn.cluster import KMeans

    enc = framing.HashEncoder(dim=16)
    sents = scale.split_sentences(_shuffled(_synthetic(20), 3))
    km = scale.fit_clusters(sents, KMeans(n_clusters=2, n_init=2, random_state=0), encoder=enc, n_docs=10)
    assert len(km.sample_doc_ids_) == 10
    labels = scale.assign_clusters(sents, km, encoder=enc).compute()
    flat = sents.compute()
    assert labels["cluster"].tolist() == km.predict(enc.encode(flat["text"].tolist())).tolist()


@pytest.mark.integration
def test_window_axis_scores_with_the_real_model(window, cluster_client, tmp_path):
    corpus, _ = window
    small = corpus[corpus["outlet"].isin(["CBS", "NYT"])].reset_index(drop=True)  # 31 articles
    enc = framing.Encoder(cache_dir=tmp_path / "cache")
    axis = _axis(enc)
    want = framing.score_axes(framing.split_sentences(small), [axis], encoder=enc, n_boot=100, n_null=100,
                              random_state=0, reliability=False)
    got = scale.score_axes(scale.split_sentences(_shuffled(small, 2)), [axis], encoder=enc, n_boot=100,
                           n_null=100, random_state=0)
    pd.testing.assert_frame_equal(got.to_frames()["groups"], want.to_frames()["groups"], check_exact=False,
                                  rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------------- the public functions dispatch

def test_public_functions_take_a_dask_frame_and_give_the_dask_paths_answer():
    corpus = _synthetic()
    ddf = _shuffled(corpus, 3)
    for public, dask_path, opts in [(framing.fightin_words, scale.fightin_words, {"n_perm": 20, "min_count": 1}),
                                    (framing.marker_rates, scale.marker_rates, {"n_boot": 20})]:
        got = public(ddf, random_state=0, **opts)
        want = dask_path(ddf, random_state=0, **opts)
        pd.testing.assert_frame_equal(got, want)
    sents = framing.split_sentences(corpus)
    voiced = framing.attribute_voice(dd.from_pandas(sents, npartitions=2, sort=False))
    assert hasattr(voiced, "npartitions")
    pd.testing.assert_frame_equal(voiced.compute(scheduler="sync").reset_index(drop=True),
                                  framing.attribute_voice(sents).reset_index(drop=True), check_dtype=False)


def test_in_memory_only_options_are_refused_with_a_dask_frame():
    ddf = _shuffled(_synthetic(), 2)
    with pytest.raises(TypeError, match="counts="):
        framing.fightin_words(ddf, counts=(None, []))
    with pytest.raises(TypeError, match="matches="):
        framing.marker_rates(ddf, matches=pd.DataFrame())


def test_read_corpus_engine_dask_and_export_partition_on_round_trip(tmp_path):
    corpus = _synthetic()
    out = framing.export_corpus(corpus, tmp_path / "ds", partition_on=["outlet"])
    back = framing.read_corpus(out, engine="dask")
    assert hasattr(back, "npartitions") and back.npartitions >= 2
    got = back.compute(scheduler="sync").sort_values("doc_id").reset_index(drop=True)
    assert got["doc_id"].tolist() == corpus.sort_values("doc_id")["doc_id"].tolist()
    assert got["text"].tolist() == corpus.sort_values("doc_id")["text"].tolist()
    with pytest.raises(ValueError, match="engine"):
        framing.read_corpus(out, engine="spark")
