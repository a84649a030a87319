"""Fetching the named public corpora into a local, checksum-verified cache.

Every named corpus is described by a *manifest*: the exact upstream files, each pinned to
a GitHub repository, a full commit hash, a path, a SHA-256 checksum and a size::

    {"name": "ukraine-media", "format": 1,
     "files": [{"owner": "r2nery", "repo": "ukraine-media",
                "commit": "7b8972a6ea027703764ab8a67a545309ae29e8de",
                "path": "data/RT.csv", "sha256": "...", "size": 2818873}, ...]}

The canonical manifests ship inside the package (``framing/data/manifests/NAME.json``);
identical copies live in the repository under ``corpora/NAME/manifest.json`` for humans.

:func:`fetch_corpus` makes every file of a manifest available under the cache, laid out
like the mirror, ``<cache>/corpora/github/OWNER/REPO/COMMIT/PATH``. For each file it

1. reuses the cached copy when its size and SHA-256 match the manifest;
2. else copies it from a *mirror* directory (argument ``mirror`` or environment variable
   ``FRAMING_MIRROR``) laid out ``github/OWNER/REPO/COMMIT/PATH``; the mirror root may be
   given as the folder that contains ``github/`` or as the ``github/`` folder itself;
3. else downloads ``https://raw.githubusercontent.com/OWNER/REPO/COMMIT/PATH`` (one try,
   with a timeout) unless the network is disabled (``network=False`` or environment
   variable ``FRAMING_OFFLINE=1``).

Files are written to a temporary file in the destination folder, verified, then moved
into place with :func:`os.replace`, so a partial or corrupt file never enters the cache.
A checksum mismatch raises :class:`FetchError` naming the file, the expected and the
actual checksum. Manifest paths are checked so that nothing is written outside the
cache (no absolute paths, no ``..``, no symlinks that lead out). Downloaded files are
only ever read as data (CSV, JSON, text, xlsx): nothing is unpickled or executed.

The cache folder is ``cache_dir`` if given, else ``$FRAMING_CACHE_DIR``, else
``$XDG_CACHE_HOME/framing``, else ``~/.cache/framing``.

Extending a manifest (e.g. with BASIL years that the shared mirror lacks) is done with
:func:`build_manifest` on a local checkout of the upstream repository at the pinned
commit, then :func:`write_manifest`; see ``corpora/basil/card.md``.
"""
from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

__all__ = [
    "FetchError",
    "ManifestError",
    "RAW_URL",
    "atomic_writer",
    "build_manifest",
    "cache_root",
    "corpus_names",
    "fetch_corpus",
    "fetch_file",
    "fetch_files",
    "file_sha256",
    "load_manifest",
    "local_path",
    "manifest_hash",
    "manifest_files",
    "manifest_path",
    "mirror_root",
    "write_manifest",
]

RAW_URL = "https://raw.githubusercontent.com/{owner}/{repo}/{commit}/{path}"
MANIFEST_FORMAT = 1
DOWNLOAD_TIMEOUT = 60.0  # seconds, per connection attempt (urllib socket timeout)
_CHUNK = 1 << 20
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_ENTRY_KEYS = ("owner", "repo", "commit", "path", "sha256", "size")
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class FetchError(RuntimeError):
    """A corpus file could not be obtained or failed verification.

    The message always names the file (``OWNER/REPO@COMMIT:PATH``) and says what to do.
    """


class ManifestError(FetchError, ValueError):
    """A manifest is malformed or unsafe (e.g. a path that would leave the cache)."""


# --------------------------------------------------------------------------- locations

def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The framing cache folder.

    ``cache_dir`` if given, else ``$FRAMING_CACHE_DIR``, else ``$XDG_CACHE_HOME/framing``,
    else ``~/.cache/framing``. The folder is not created.

    Examples
    --------
    >>> cache_root("/tmp/my-cache").as_posix()
    '/tmp/my-cache'
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get("FRAMING_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "framing"


def mirror_root(mirror: str | os.PathLike[str] | None = None) -> Path | None:
    """The ``github/`` folder of a mirror, or None when no mirror is configured.

    ``mirror`` (else ``$FRAMING_MIRROR``) may name either the folder that contains
    ``github/`` or the ``github/`` folder itself.

    Raises
    ------
    FetchError
        If a mirror is configured but the folder does not exist.
    """
    source = "argument mirror"
    if mirror is None:
        env = os.environ.get("FRAMING_MIRROR")
        if not env:
            return None
        mirror, source = env, "FRAMING_MIRROR"
    root = Path(mirror).expanduser()
    if (root / "github").is_dir():
        return root / "github"
    if root.name == "github" and root.is_dir():
        return root
    if not root.is_dir():
        raise FetchError(f"mirror folder {str(root)!r} (from {source}) does not exist")
    raise FetchError(
        f"mirror folder {str(root)!r} (from {source}) has no 'github/' folder; expected the "
        "layout github/OWNER/REPO/COMMIT/PATH"
    )


def _network_allowed(network: bool | None) -> bool:
    if network is not None:
        return bool(network)
    return os.environ.get("FRAMING_OFFLINE", "").strip().lower() not in {"1", "true", "yes", "on"}


# --------------------------------------------------------------------------- manifests

def corpus_names() -> list[str]:
    """Names of the corpora whose manifests ship with the package.

    Examples
    --------
    >>> "ukraine-media" in corpus_names()
    True
    """
    folder = resources.files("framing") / "data" / "manifests"
    return sorted(p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json"))


def manifest_path(name: str | os.PathLike[str]) -> Path:
    """Path of a manifest: a corpus name (packaged manifest) or a path to a ``.json`` file."""
    if isinstance(name, os.PathLike) or str(name).endswith(".json"):
        path = Path(name)
        if not path.is_file():
            raise ManifestError(f"manifest file {str(path)!r} does not exist")
        return path
    name = str(name)
    if not _NAME_RE.match(name):
        raise ManifestError(f"invalid corpus name {name!r}")
    path = Path(str(resources.files("framing") / "data" / "manifests" / f"{name}.json"))
    if not path.is_file():
        raise ManifestError(f"unknown corpus {name!r}; known corpora: {', '.join(corpus_names())}")
    return path


def manifest_hash(name: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of the canonical manifest bytes of a corpus (for figure provenance).

    Examples
    --------
    >>> len(manifest_hash("ungdc"))
    64
    """
    return hashlib.sha256(manifest_path(name).read_bytes()).hexdigest()


def _check_component(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str) or not _NAME_RE.match(value) or value in {".", ".."}:
        raise ManifestError(f"{where}: invalid {what} {value!r}")
    return value


def _check_path(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ManifestError(f"{where}: 'path' must be a non-empty string, got {value!r}")
    if "\\" in value or "\x00" in value or any(ord(c) < 32 for c in value):
        raise ManifestError(f"{where}: path {value!r} contains a backslash or control character")
    p = PurePosixPath(value)
    if p.is_absolute() or value.startswith("/") or re.match(r"^[A-Za-z]:", value):
        raise ManifestError(f"{where}: path {value!r} is absolute; manifest paths must be relative")
    parts = value.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        raise ManifestError(f"{where}: path {value!r} contains '..', '.' or an empty component")
    return value


def _check_entry(entry: Any, i: int, source: str) -> dict[str, Any]:
    where = f"{source}, files[{i}]"
    if not isinstance(entry, Mapping):
        raise ManifestError(f"{where}: expected an object, got {type(entry).__name__}")
    missing = [k for k in _ENTRY_KEYS if k not in entry]
    if missing:
        raise ManifestError(f"{where}: missing key(s) {missing}")
    out = {
        "owner": _check_component(entry["owner"], "owner", where),
        "repo": _check_component(entry["repo"], "repo", where),
        "commit": entry["commit"],
        "path": _check_path(entry["path"], where),
        "sha256": entry["sha256"],
        "size": entry["size"],
    }
    if not isinstance(out["commit"], str) or not _COMMIT_RE.match(out["commit"]):
        raise ManifestError(f"{where}: 'commit' must be 40 lower-case hex digits, got {out['commit']!r}")
    if not isinstance(out["sha256"], str) or not _SHA256_RE.match(out["sha256"]):
        raise ManifestError(f"{where}: 'sha256' must be 64 lower-case hex digits, got {out['sha256']!r}")
    if isinstance(out["size"], bool) or not isinstance(out["size"], int) or out["size"] < 0:
        raise ManifestError(f"{where}: 'size' must be a non-negative integer, got {out['size']!r}")
    return out


def load_manifest(name: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a manifest (a corpus name or a path to a manifest ``.json``).

    Returns a dict with ``name``, ``files`` (list of checked entries with keys ``owner``,
    ``repo``, ``commit``, ``path``, ``sha256``, ``size``), ``sha256`` (the manifest
    hash) and ``source`` (the manifest file).

    Raises
    ------
    ManifestError
        If the file is not valid JSON, lacks keys, or any entry is malformed or unsafe.

    Examples
    --------
    >>> m = load_manifest("basil")
    >>> m["name"], m["files"][0]["owner"]
    ('basil', 'marshallwhiteorg')
    """
    path = manifest_path(name)
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"manifest {str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("files"), list):
        raise ManifestError(f"manifest {str(path)!r}: expected an object with a 'files' list")
    files = [_check_entry(e, i, str(path)) for i, e in enumerate(data["files"])]
    seen: set[tuple[str, ...]] = set()
    for e in files:
        key = (e["owner"], e["repo"], e["commit"], e["path"])
        if key in seen:
            raise ManifestError(f"manifest {str(path)!r}: duplicate entry {_label(e)}")
        seen.add(key)
    return {
        "name": str(data.get("name", path.stem)),
        "files": files,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "source": str(path),
    }


def build_manifest(mirror_dir: str | os.PathLike[str], owner: str, repo: str, commit: str,
                   paths: Iterable[str]) -> list[dict[str, Any]]:
    """Manifest entries for files of a local mirror or checkout, with their checksums.

    Parameters
    ----------
    mirror_dir : path
        Either a mirror root (containing ``github/OWNER/REPO/COMMIT/``), the ``github/``
        folder, or directly a checkout of the repository at ``commit`` (a folder that
        holds the paths). Tried in that order.
    owner, repo, commit : str
        The GitHub repository and the full 40-hex commit the files come from.
    paths : iterable of str
        Paths relative to the repository root (``/``-separated). Glob patterns
        (``*``, ``?``, ``[...]``) are expanded; a pattern matching nothing is an error.

    Returns
    -------
    list of dict
        Sorted by path; pass it (possibly concatenated with other lists) to
        :func:`write_manifest`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("hello")
    >>> e = build_manifest(d, "me", "repo", "0" * 40, ["*.txt"])
    >>> e[0]["path"], e[0]["size"], e[0]["sha256"][:12]
    ('a.txt', 5, '2cf24dba5fb0')
    """
    base = Path(mirror_dir).expanduser()
    for candidate in (base / "github" / owner / repo / commit, base / owner / repo / commit, base):
        if candidate.is_dir():
            base = candidate
            break
    else:
        raise FetchError(f"folder {str(base)!r} does not exist")
    entries: dict[str, dict[str, Any]] = {}
    for pattern in paths:
        if any(ch in pattern for ch in "*?["):
            found = sorted(p for p in glob.glob(glob.escape(str(base)) + "/" + pattern, recursive=True)
                           if Path(p).is_file())
            if not found:
                raise FetchError(f"pattern {pattern!r} matches no file under {str(base)!r}")
            rels = [Path(p).relative_to(base).as_posix() for p in found]
        else:
            rels = [pattern]
        for rel in rels:
            _check_path(rel, f"build_manifest({owner}/{repo})")
            f = base / rel
            if not f.is_file():
                raise FetchError(f"file {str(f)!r} does not exist")
            entries[rel] = {"owner": owner, "repo": repo, "commit": commit, "path": rel,
                            "sha256": file_sha256(f), "size": f.stat().st_size}
    out = [entries[k] for k in sorted(entries)]
    for i, e in enumerate(out):
        _check_entry(e, i, "build_manifest")
    return out


def write_manifest(name: str, files: Sequence[Mapping[str, Any]],
                   path: str | os.PathLike[str]) -> Path:
    """Write a manifest in the canonical byte form (sorted keys, one entry per line).

    Writing the same content twice gives identical bytes, so the packaged copy and the
    copy under ``corpora/NAME/manifest.json`` can be compared byte for byte.
    """
    for i, e in enumerate(files):
        _check_entry(e, i, "write_manifest")
    lines = [json.dumps({k: e[k] for k in _ENTRY_KEYS}, sort_keys=True, ensure_ascii=False)
             for e in files]
    text = ('{"format": %d, "name": %s, "files": [\n' % (MANIFEST_FORMAT, json.dumps(name))
            + ",\n".join(lines) + "\n]}\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(path) as fh:
        fh.write(text.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- hashing & files

def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 (hex) of a file's bytes, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _label(entry: Mapping[str, Any]) -> str:
    return f"{entry['owner']}/{entry['repo']}@{entry['commit'][:12]}:{entry['path']}"


def _rel(entry: Mapping[str, Any]) -> PurePosixPath:
    return PurePosixPath("github", entry["owner"], entry["repo"], entry["commit"], entry["path"])


def local_path(entry: Mapping[str, Any], cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Where a manifest entry lives in the cache (checked not to leave the cache).

    Raises
    ------
    ManifestError
        If the entry is malformed, or the path (after resolving symlinks) would be
        outside ``<cache>/corpora``.
    """
    entry = _check_entry(entry, 0, "entry")
    root = cache_root(cache_dir) / "corpora"
    dest = root.joinpath(*_rel(entry).parts)
    root_resolved = root.resolve()
    dest_resolved = dest.resolve()
    if not dest_resolved.is_relative_to(root_resolved):
        raise ManifestError(
            f"{_label(entry)}: resolves to {str(dest_resolved)!r}, outside the cache "
            f"{str(root_resolved)!r} (a symlink in the cache?); refusing to write there"
        )
    return dest


@contextlib.contextmanager
def atomic_writer(dest: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file handle whose content replaces ``dest`` only if the block succeeds.

    The data go to a temporary file in ``dest``'s folder (created if missing), which is
    moved into place with :func:`os.replace` when the ``with`` block ends without an
    exception; otherwise the temporary file is removed and ``dest`` is left untouched.
    Readers therefore never see a partly written file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> dest = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_writer(dest) as fh:
    ...     _ = fh.write(b"complete")
    >>> dest.read_bytes()
    b'complete'
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".part-", suffix=".tmp")
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; use the usual permissions
        with os.fdopen(fd, "wb") as fh:
            yield fh
        # no fsync: every cached file is re-verified (size + sha256) before it is reused
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _verify_existing(path: Path, entry: Mapping[str, Any]) -> bool:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != entry["size"]:
            return False
    except OSError:
        return False
    return file_sha256(path) == entry["sha256"]


def _copy_verified(stream: BinaryIO, dest: Path, entry: Mapping[str, Any], origin: str,
                   bar: Any = None) -> None:
    """Copy ``stream`` to ``dest`` through a temp file, verifying size and checksum."""
    h = hashlib.sha256()
    n = 0
    with atomic_writer(dest) as out:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            h.update(chunk)
            n += len(chunk)
            out.write(chunk)
            if bar is not None:
                bar.update(len(chunk))
        got = h.hexdigest()
        if got != entry["sha256"] or n != entry["size"]:
            raise FetchError(
                f"checksum mismatch for {_label(entry)} from {origin}: expected sha256 "
                f"{entry['sha256']} ({entry['size']} bytes), got {got} ({n} bytes); the file "
                "was not stored. The source differs from the pinned version; check the "
                "mirror / connection, or update the manifest on purpose."
            )


def _download(url: str, timeout: float) -> Any:
    """Open ``url`` (a separate function so tests can replace it)."""
    req = urllib.request.Request(url, headers={"User-Agent": "framing-corpus-fetch"})
    return urllib.request.urlopen(req, timeout=timeout)  # noqa: S310 (https only, fixed host)


def _raw_url(entry: Mapping[str, Any]) -> str:
    quoted = urllib.parse.quote(entry["path"], safe="/")
    return RAW_URL.format(owner=entry["owner"], repo=entry["repo"], commit=entry["commit"], path=quoted)


def fetch_file(entry: Mapping[str, Any], *, mirror: str | os.PathLike[str] | None = None,
               cache_dir: str | os.PathLike[str] | None = None, network: bool | None = None,
               timeout: float = DOWNLOAD_TIMEOUT, _bar: Any = None) -> Path:
    """Make one manifest file available in the cache; returns its verified local path.

    Parameters
    ----------
    entry : mapping
        A manifest entry (``owner``, ``repo``, ``commit``, ``path``, ``sha256``, ``size``).
    mirror : path, optional
        Mirror root (see :func:`mirror_root`); default ``$FRAMING_MIRROR``.
    cache_dir : path, optional
        Cache folder (see :func:`cache_root`).
    network : bool, optional
        Allow downloading from raw.githubusercontent.com. Default: allowed unless
        ``$FRAMING_OFFLINE`` is set to 1/true.
    timeout : float
        Socket timeout in seconds for the download (one attempt, no retries).

    Raises
    ------
    FetchError
        On checksum mismatch (names the file, expected and actual checksum) or when the
        file is neither cached, nor in the mirror, nor downloadable.
    ManifestError
        If the entry is malformed or would be written outside the cache.
    """
    entry = _check_entry(entry, 0, "entry")
    dest = local_path(entry, cache_dir)
    if dest.exists() or dest.is_symlink():
        if _verify_existing(dest, entry):
            if _bar is not None:
                _bar.update(entry["size"])
            return dest
        dest.unlink()  # stale or corrupt cached copy: fetch it again
    tried: list[str] = []
    root = mirror_root(mirror)
    if root is not None:
        src = root.joinpath(*_rel(entry).parts[1:])
        if src.is_file():
            with open(src, "rb") as fh:
                _copy_verified(fh, dest, entry, f"mirror file {str(src)!r}", _bar)
            return dest
        tried.append(f"not in the mirror (looked for {str(src)!r})")
    if _network_allowed(network):
        url = _raw_url(entry)
        try:
            with _download(url, timeout) as resp:
                _copy_verified(resp, dest, entry, url, _bar)
            return dest
        except FetchError:
            raise
        except (urllib.error.URLError, OSError, ValueError) as exc:
            tried.append(f"download from {url} failed ({exc})")
    else:
        tried.append("network disabled (network=False or FRAMING_OFFLINE=1)")
    raise FetchError(
        f"cannot get {_label(entry)}: " + "; ".join(tried) + ". Either point to a mirror "
        "(set FRAMING_MIRROR=DIR or pass mirror=DIR / --mirror DIR, a folder laid out "
        "github/OWNER/REPO/COMMIT/PATH), or allow network access to raw.githubusercontent.com "
        "(network=True, unset FRAMING_OFFLINE)."
    )


def fetch_corpus(name: str | os.PathLike[str], *, mirror: str | os.PathLike[str] | None = None,
                 cache_dir: str | os.PathLike[str] | None = None, progress: bool = True,
                 network: bool | None = None) -> Path:
    """Fetch and verify every file of a corpus manifest into the cache.

    Parameters
    ----------
    name : str or path
        A corpus name (``"ukraine-media"``, ``"ungdc"``, ``"basil"``) or the path of a
        manifest ``.json`` file.
    mirror : path, optional
        Mirror root (folder holding ``github/`` or the ``github/`` folder); default
        ``$FRAMING_MIRROR``.
    cache_dir : path, optional
        Cache folder; default ``$FRAMING_CACHE_DIR``, ``$XDG_CACHE_HOME/framing`` or
        ``~/.cache/framing``.
    progress : bool
        Show a tqdm progress bar (only when stderr is a terminal).
    network : bool, optional
        Allow downloads; default allowed unless ``$FRAMING_OFFLINE=1``.

    Returns
    -------
    pathlib.Path
        ``<cache>/corpora``, laid out ``github/OWNER/REPO/COMMIT/PATH`` (so it can itself
        serve as a mirror). Use :func:`local_path` for a single file.

    Raises
    ------
    FetchError
        When a file cannot be obtained or fails its checksum (names the file).

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> src = tmp / "mirror" / "github" / "me" / "data" / ("a" * 40)
    >>> src.mkdir(parents=True)
    >>> _ = (src / "x.csv").write_text("a,b\\n1,2\\n")
    >>> files = build_manifest(tmp / "mirror", "me", "data", "a" * 40, ["x.csv"])
    >>> man = write_manifest("toy", files, tmp / "toy.json")
    >>> root = fetch_corpus(man, mirror=tmp / "mirror", cache_dir=tmp / "cache",
    ...                     progress=False, network=False)
    >>> (root / "github/me/data" / ("a" * 40) / "x.csv").read_text()
    'a,b\\n1,2\\n'
    """
    manifest = load_manifest(name)
    fetch_files(manifest["files"], mirror=mirror, cache_dir=cache_dir, progress=progress, network=network,
                desc=f"corpus {manifest['name']}")
    return cache_root(cache_dir) / "corpora"


def fetch_files(entries: Iterable[Mapping[str, Any]], *, mirror: str | os.PathLike[str] | None = None,
                cache_dir: str | os.PathLike[str] | None = None, progress: bool = True,
                network: bool | None = None, desc: str = "corpus files") -> list[tuple[dict[str, Any], Path]]:
    """Fetch and verify some manifest entries (e.g. the files of a few years of a corpus).

    Each entry is obtained as by :func:`fetch_file` (cache, then mirror, then download);
    ``progress`` shows one tqdm bar over all of them (only when stderr is a terminal).

    Returns
    -------
    list of (dict, pathlib.Path)
        ``(checked entry, verified local path)`` in the order of ``entries``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> src = tmp / "mirror" / "github" / "me" / "data" / ("a" * 40)
    >>> src.mkdir(parents=True)
    >>> for n in "123":
    ...     _ = (src / f"{n}.txt").write_text(n)
    >>> entries = build_manifest(tmp / "mirror", "me", "data", "a" * 40, ["*.txt"])
    >>> got = fetch_files(entries[:2], mirror=tmp / "mirror", cache_dir=tmp / "cache",
    ...                   progress=False, network=False)
    >>> [(e["path"], p.read_text()) for e, p in got]
    [('1.txt', '1'), ('2.txt', '2')]
    """
    checked = [_check_entry(e, i, "fetch_files") for i, e in enumerate(entries)]
    show = bool(progress) and sys.stderr is not None and sys.stderr.isatty()
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=sum(e["size"] for e in checked), unit="B", unit_scale=True, desc=desc,
                   file=sys.stderr)
    try:
        return [(e, fetch_file(e, mirror=mirror, cache_dir=cache_dir, network=network, _bar=bar))
                for e in checked]
    finally:
        if bar is not None:
            bar.close()


def manifest_files(name: str | os.PathLike[str], *, mirror: str | os.PathLike[str] | None = None,
                   cache_dir: str | os.PathLike[str] | None = None, progress: bool = True,
                   network: bool | None = None,
                   where: Callable[[Mapping[str, Any]], bool] | None = None) -> list[tuple[dict[str, Any], Path]]:
    """Fetch a corpus's files and return ``(entry, local path)`` pairs in manifest order.

    Parameters
    ----------
    name : str or path
        A corpus name or the path of a manifest ``.json`` file.
    where : callable, optional
        Keep only the entries for which ``where(entry)`` is true; only those are fetched.
        Default: every file of the manifest.

    Other parameters are those of :func:`fetch_corpus`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> src = pathlib.Path(tempfile.mkdtemp()) / "github" / "me" / "data" / ("b" * 40)
    >>> src.mkdir(parents=True)
    >>> _ = (src / "keep.csv").write_text("a"), (src / "skip.txt").write_text("b")
    >>> man = write_manifest("toy", build_manifest(src, "me", "data", "b" * 40, ["keep.csv", "skip.txt"]),
    ...                      src.parent / "toy.json")
    >>> root = src.parents[3]   # holds github/
    >>> got = manifest_files(man, mirror=root, cache_dir=root / "cache", progress=False, network=False,
    ...                      where=lambda e: e["path"].endswith(".csv"))
    >>> [e["path"] for e, _ in got]
    ['keep.csv']
    """
    manifest = load_manifest(name)
    entries = [e for e in manifest["files"] if where is None or where(e)]
    return fetch_files(entries, mirror=mirror, cache_dir=cache_dir, progress=progress, network=network,
                       desc=f"corpus {manifest['name']}")
