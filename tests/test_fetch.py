"""Tests of framing.fetch: manifests, mirror copies, cache reuse, checksums, safety.

Everything runs on a tiny fake mirror built in tmp_path; the real network is never touched
(urllib's urlopen is replaced by a stub that fails the test if called unexpectedly).
"""
from __future__ import annotations

import hashlib
import io
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from framing import fetch
from framing.fetch import (
    FetchError,
    ManifestError,
    build_manifest,
    cache_root,
    fetch_corpus,
    load_manifest,
    local_path,
    manifest_hash,
    write_manifest,
)

ROOT = Path(__file__).resolve().parent.parent
COMMIT = "0123456789abcdef0123456789abcdef01234567"
FILES = {
    "data/a.csv": b"Date,URL,Title,Text\n2022-09-23,https://x.org/1,T,Some words here.\n",
    "Session 77 - 2022/XYZ_77_2022.txt": "A short speech with an accent: caf\u00e9.\n".encode(),
}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    """No env leaking in, and no real network: urlopen fails loudly unless a test replaces it."""
    for var in ("FRAMING_MIRROR", "FRAMING_CACHE_DIR", "FRAMING_OFFLINE", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)

    def no_network(*args, **kwargs):
        raise AssertionError("test tried to use the real network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)


@pytest.fixture
def toy(tmp_path):
    """A fake mirror with two files and a manifest describing them."""
    mirror = tmp_path / "mirror"
    base = mirror / "github" / "someone" / "toy-repo" / COMMIT
    for rel, data in FILES.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_bytes(data)
    entries = build_manifest(mirror, "someone", "toy-repo", COMMIT, ["data/*.csv", "Session 77 - 2022/*.txt"])
    manifest = write_manifest("toy", entries, tmp_path / "toy.json")
    return {"mirror": mirror, "base": base, "manifest": manifest, "cache": tmp_path / "cache",
            "entries": entries}


def _cached(toy, rel):
    return toy["cache"] / "corpora" / "github" / "someone" / "toy-repo" / COMMIT / rel


def _all_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


class FakeResponse(io.BytesIO):
    """Stands in for the object urlopen returns (a context manager with read())."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# --------------------------------------------------------------------------- manifests

def test_build_manifest_records_size_and_sha256(toy):
    by_path = {e["path"]: e for e in toy["entries"]}
    assert set(by_path) == set(FILES)
    for rel, data in FILES.items():
        assert by_path[rel]["sha256"] == hashlib.sha256(data).hexdigest()
        assert by_path[rel]["size"] == len(data)
        assert by_path[rel]["commit"] == COMMIT


def test_build_manifest_pattern_without_match_is_an_error(toy):
    with pytest.raises(FetchError, match="matches no file"):
        build_manifest(toy["mirror"], "someone", "toy-repo", COMMIT, ["nothing/*.json"])


def test_manifest_round_trip_and_hash(toy):
    m = load_manifest(toy["manifest"])
    assert m["name"] == "toy" and len(m["files"]) == 2
    assert manifest_hash(toy["manifest"]) == hashlib.sha256(toy["manifest"].read_bytes()).hexdigest()
    # canonical form: writing the same entries again gives the same bytes
    again = write_manifest("toy", m["files"], toy["manifest"].with_name("again.json"))
    assert again.read_bytes() == toy["manifest"].read_bytes()


@pytest.mark.parametrize("name", ["ukraine-media", "ungdc", "basil"])
def test_packaged_manifest_is_identical_to_the_repository_copy(name, tmp_path):
    packaged = fetch.manifest_path(name)
    repo_copy = ROOT / "corpora" / name / "manifest.json"
    assert packaged.read_bytes() == repo_copy.read_bytes(), f"{repo_copy} differs from {packaged}"
    m = load_manifest(name)
    assert m["name"] == name
    # stored in canonical form, so a regenerated manifest can be compared byte for byte
    assert write_manifest(name, m["files"], tmp_path / "x.json").read_bytes() == packaged.read_bytes()
    assert manifest_hash(name) == hashlib.sha256(packaged.read_bytes()).hexdigest()


def test_packaged_manifests_pin_the_expected_files():
    um = load_manifest("ukraine-media")["files"]
    pairs = {(e["commit"][:7], e["path"]) for e in um}
    assert pairs == {
        ("7b8972a", "data/RT.csv"), ("584dfdb", "data/RT.csv"), ("8925510", "data/HuffPost.csv"),
        ("761696a", "data/CBS.csv"), ("b642e4f", "data/Reuters.csv"), ("c924a04", "data_filtered/ABC.csv"),
        ("c924a04", "data_filtered/data_removed/ABC.csv"), ("c924a04", "data_filtered/data_removed/Fox.csv"),
        ("c924a04", "data_filtered/data_removed/NYT.csv"),
    }
    un = load_manifest("ungdc")["files"]
    txt = [e for e in un if e["path"].endswith(".txt") and "/TXT/" in e["path"]]
    per_year = {}
    for e in txt:
        year = int(e["path"].split("/")[3][-4:])  # "Session NN - YYYY"
        per_year[year] = per_year.get(year, 0) + 1
    assert sorted(per_year) == list(range(1946, 2025))  # every session upstream, 1-79
    assert len(txt) == 10938  # all state speeches; the 14 European Union files (EU_*) are not pinned
    assert {per_year[y] for y in (2021, 2022, 2023, 2024)} == {193, 192, 191} and \
        sum(per_year[y] for y in (2021, 2022, 2023, 2024)) == 193 + 192 + 191 + 191
    assert per_year[1946] == 39
    assert not any(e["path"].split("/")[-1].startswith("EU_") for e in txt)
    assert {e["commit"] for e in un} == {"3b277c419f85fd6e1f14f69a5fd29a3a6b59fc96"}
    assert any(e["path"].endswith("Speakers_by_session.xlsx") for e in un)
    basil = load_manifest("basil")["files"]
    years = {e["path"].split("/")[2] for e in basil if e["path"].startswith("data/articles/")}
    assert years == {"2010", "2011", "2012", "2013", "2014"}
    assert sum(e["path"].startswith("data/articles/") for e in basil) == 150
    assert sum(e["path"].startswith("data/annotations/resolved/") for e in basil) == 150


def test_unknown_corpus_name():
    with pytest.raises(ManifestError, match="unknown corpus 'nope'"):
        load_manifest("nope")


# --------------------------------------------------------------------------- fetching

def test_copy_from_mirror(toy):
    root = fetch_corpus(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=False,
                        network=False)
    assert root == toy["cache"] / "corpora"
    for rel, data in FILES.items():
        assert _cached(toy, rel).read_bytes() == data
    assert not [p for p in _all_files(toy["cache"]) if p.name.startswith(".part-")]


def test_mirror_may_be_given_as_the_github_folder(toy):
    fetch_corpus(toy["manifest"], mirror=toy["mirror"] / "github", cache_dir=toy["cache"], progress=False,
                 network=False)
    assert _cached(toy, "data/a.csv").read_bytes() == FILES["data/a.csv"]


def test_framing_mirror_env_is_respected(toy, monkeypatch):
    monkeypatch.setenv("FRAMING_MIRROR", str(toy["mirror"]))
    fetch_corpus(toy["manifest"], cache_dir=toy["cache"], progress=False, network=False)
    assert _cached(toy, "data/a.csv").exists()


def test_cache_dir_env_and_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "framing"
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    assert cache_root(tmp_path / "arg") == tmp_path / "arg"


def test_framing_cache_dir_env_is_used_by_fetch(toy, monkeypatch):
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(toy["cache"]))
    fetch_corpus(toy["manifest"], mirror=toy["mirror"], progress=False, network=False)
    assert _cached(toy, "data/a.csv").exists()


def test_cached_files_are_reused_without_the_mirror(toy):
    fetch_corpus(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=False, network=False)
    for p in _all_files(toy["mirror"]):
        p.unlink()
    # neither mirror nor network: only possible if the verified cache is reused
    fetch_corpus(toy["manifest"], cache_dir=toy["cache"], progress=False, network=False)
    assert _cached(toy, "data/a.csv").read_bytes() == FILES["data/a.csv"]


def test_corrupt_cached_copy_is_replaced(toy):
    fetch_corpus(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=False, network=False)
    target = _cached(toy, "data/a.csv")
    target.write_bytes(b"tampered")
    fetch_corpus(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=False, network=False)
    assert target.read_bytes() == FILES["data/a.csv"]


def test_checksum_mismatch_names_the_file_and_stores_nothing(toy):
    bad = b"Date,URL,Title,Text\n2022-09-23,https://x.org/1,T,Other words.\n"
    (toy["base"] / "data" / "a.csv").write_bytes(bad)
    with pytest.raises(FetchError) as err:
        fetch_corpus(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=False,
                     network=False)
    msg = str(err.value)
    assert "data/a.csv" in msg and "checksum mismatch" in msg
    assert hashlib.sha256(FILES["data/a.csv"]).hexdigest() in msg  # expected
    assert hashlib.sha256(bad).hexdigest() in msg  # got
    assert not _cached(toy, "data/a.csv").exists()
    assert not [p for p in _all_files(toy["cache"]) if "a.csv" in p.name or p.name.startswith(".part-")]


def _no_mirror_entry(toy):
    return next(e for e in toy["entries"] if e["path"].endswith(".txt"))


def test_download_uses_percent_encoded_raw_url(toy, monkeypatch):
    seen = []

    def fake_urlopen(req, timeout=None):
        seen.append((req.full_url, timeout))
        return FakeResponse(FILES["Session 77 - 2022/XYZ_77_2022.txt"])

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    path = fetch.fetch_file(_no_mirror_entry(toy), cache_dir=toy["cache"], network=True, timeout=7)
    assert path.read_bytes() == FILES["Session 77 - 2022/XYZ_77_2022.txt"]
    assert seen == [(f"https://raw.githubusercontent.com/someone/toy-repo/{COMMIT}/"
                     "Session%2077%20-%202022/XYZ_77_2022.txt", 7)]


def test_partial_download_leaves_nothing(toy, monkeypatch):
    class Broken(FakeResponse):
        def read(self, n=-1):
            if self.tell() > 0:
                raise ConnectionResetError("connection dropped midway")
            return super().read(5)

    monkeypatch.setattr(urllib.request, "urlopen", lambda req, timeout=None: Broken(b"0123456789" * 10))
    with pytest.raises(FetchError, match="XYZ_77_2022.txt") as err:
        fetch.fetch_file(_no_mirror_entry(toy), cache_dir=toy["cache"], network=True)
    assert "connection dropped midway" in str(err.value)
    assert _all_files(toy["cache"]) == []


def test_downloaded_file_with_wrong_checksum_is_rejected(toy, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", lambda req, timeout=None: FakeResponse(b"not it"))
    with pytest.raises(FetchError, match="checksum mismatch.*XYZ_77_2022.txt"):
        fetch.fetch_file(_no_mirror_entry(toy), cache_dir=toy["cache"], network=True)
    assert _all_files(toy["cache"]) == []


def test_no_network_and_no_mirror_names_file_and_both_remedies(toy):
    with pytest.raises(FetchError) as err:
        fetch_corpus(toy["manifest"], cache_dir=toy["cache"], progress=False, network=False)
    msg = str(err.value)
    assert "someone/toy-repo" in msg and ("data/a.csv" in msg or "XYZ_77_2022.txt" in msg)
    assert "FRAMING_MIRROR" in msg and "--mirror" in msg
    assert "network" in msg


def test_framing_offline_env_disables_network(toy, monkeypatch):
    monkeypatch.setenv("FRAMING_OFFLINE", "1")
    with pytest.raises(FetchError, match="FRAMING_OFFLINE"):
        fetch_corpus(toy["manifest"], cache_dir=toy["cache"], progress=False)


def test_failed_download_names_both_remedies(toy, monkeypatch):
    def offline(req, timeout=None):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(FetchError) as err:
        fetch_corpus(toy["manifest"], cache_dir=toy["cache"], progress=False, network=True)
    msg = str(err.value)
    assert "no route to host" in msg and "FRAMING_MIRROR" in msg and "network" in msg


def test_file_missing_from_mirror_falls_back_to_download(toy, monkeypatch):
    (toy["base"] / "data" / "a.csv").unlink()
    monkeypatch.setattr(urllib.request, "urlopen", lambda req, timeout=None: FakeResponse(FILES["data/a.csv"]))
    fetch_corpus(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=False, network=True)
    assert _cached(toy, "data/a.csv").read_bytes() == FILES["data/a.csv"]


def test_missing_mirror_folder_is_an_error(toy, tmp_path):
    with pytest.raises(FetchError, match="does not exist"):
        fetch_corpus(toy["manifest"], mirror=tmp_path / "nowhere", cache_dir=toy["cache"], progress=False)


def test_progress_bar_off_a_terminal_is_harmless(toy):
    fetch_corpus(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=True, network=False)
    assert _cached(toy, "data/a.csv").exists()


# --------------------------------------------------------------------------- safety

def _write_raw_manifest(target: Path, **overrides) -> Path:
    entry = {"owner": "someone", "repo": "toy-repo", "commit": COMMIT, "path": "data/a.csv",
             "sha256": hashlib.sha256(FILES["data/a.csv"]).hexdigest(), "size": len(FILES["data/a.csv"])}
    entry.update(overrides)
    target.write_text(json.dumps({"name": "evil", "files": [entry]}))
    return target


@pytest.mark.parametrize("overrides", [
    {"path": "../../../outside.txt"},
    {"path": "data/../../../../outside.txt"},
    {"path": "/etc/passwd"},
    {"path": "C:/Windows/evil"},
    {"path": "data\\..\\..\\evil"},
    {"path": "data//a.csv"},
    {"path": "./data/a.csv"},
    {"path": ""},
    {"owner": ".."},
    {"repo": "../../x"},
    {"owner": "/abs"},
    {"commit": "../" + "0" * 37},
    {"commit": "abc"},
    {"sha256": "not-a-checksum"},
    {"size": -1},
], ids=lambda o: f"{next(iter(o))}={next(iter(o.values()))!r}")
def test_malicious_manifest_is_rejected(tmp_path, toy, overrides):
    manifest = _write_raw_manifest(tmp_path / "evil.json", **overrides)
    with pytest.raises(ManifestError):
        load_manifest(manifest)
    with pytest.raises(ManifestError):
        fetch_corpus(manifest, mirror=toy["mirror"], cache_dir=toy["cache"], progress=False, network=False)
    assert not (tmp_path / "outside.txt").exists()
    assert _all_files(toy["cache"]) == []


def test_manifest_that_is_not_json_is_rejected(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ManifestError, match="not valid JSON"):
        load_manifest(bad)


def test_symlink_in_cache_leading_outside_is_rejected(toy, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    link_parent = toy["cache"] / "corpora" / "github" / "someone"
    link_parent.mkdir(parents=True)
    (link_parent / "toy-repo").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ManifestError, match="outside the cache"):
        fetch_corpus(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=False,
                     network=False)
    assert _all_files(outside) == []


def test_local_path_stays_inside_the_cache(toy):
    for e in toy["entries"]:
        p = local_path(e, toy["cache"])
        assert p.resolve().is_relative_to((toy["cache"] / "corpora").resolve())


# --------------------------------------------------------------------------- subsets & atomic writes

def test_fetch_files_fetches_only_the_given_entries(toy):
    txt = [e for e in toy["entries"] if e["path"].endswith(".txt")]
    got = fetch.fetch_files(txt, mirror=toy["mirror"], cache_dir=toy["cache"], progress=False, network=False)
    assert [e["path"] for e, _ in got] == ["Session 77 - 2022/XYZ_77_2022.txt"]
    assert got[0][1].read_bytes() == FILES["Session 77 - 2022/XYZ_77_2022.txt"]
    assert _all_files(toy["cache"]) == [_cached(toy, "Session 77 - 2022/XYZ_77_2022.txt")]


def test_manifest_files_where_selects_before_fetching(toy):
    got = fetch.manifest_files(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"], progress=False,
                               network=False, where=lambda e: e["path"].startswith("data/"))
    assert [e["path"] for e, _ in got] == ["data/a.csv"]
    assert _all_files(toy["cache"]) == [_cached(toy, "data/a.csv")]
    everything = fetch.manifest_files(toy["manifest"], mirror=toy["mirror"], cache_dir=toy["cache"],
                                      progress=False, network=False)
    assert [e["path"] for e, _ in everything] == sorted(FILES)


def test_atomic_writer_is_public_and_leaves_nothing_on_failure(tmp_path):
    dest = tmp_path / "sub" / "out.bin"
    with fetch.atomic_writer(dest) as fh:
        fh.write(b"first")
    with pytest.raises(RuntimeError):
        with fetch.atomic_writer(dest) as fh:
            fh.write(b"half of the second")
            raise RuntimeError("interrupted")
    assert dest.read_bytes() == b"first"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["out.bin"]  # no temporary file left
    assert "atomic_writer" in fetch.__all__ and not hasattr(fetch, "_atomic_writer")
