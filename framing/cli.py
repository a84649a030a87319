"""The ``framing`` command line: corpora, embeddings (:func:`embed_command`), benchmarks.

Run ``framing --help`` or ``framing SUBCOMMAND --help`` (every subcommand answers it).

Errors of the package itself (:class:`framing.CorpusError`, :class:`framing.FetchError`,
:class:`framing.EmbeddingError`, ..., and the ``ValueError`` its own code raises for a
bad argument) and operating-system errors (a missing file, a folder that cannot be
written) are printed as one line on stderr -- what went wrong and what to do -- and the
command exits with status 1 (2 for a bad argument, 130 when interrupted).  Set
``FRAMING_DEBUG=1`` to get the full traceback instead.  Anything else is a bug and keeps
its traceback.  Warnings are printed as one line each (``framing: warning: ...``).
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__

_PACKAGE_DIR = Path(__file__).resolve().parent


class CliError(Exception):
    """A bad command-line argument found before any work is done (exit status 2)."""

    exit_status = 2


# --------------------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------------------

def _check_corpus_name(name: str, *, manifest_ok: bool = False) -> None:
    """Refuse an unknown corpus name before loading anything."""
    from .fetch import corpus_names

    names = corpus_names()
    if name in names or (manifest_ok and Path(name).expanduser().is_file()):
        return
    raise CliError(f"unknown corpus {name!r}; the named corpora are {', '.join(names)} "
                   "(see `framing corpus list`)")


def check_writable_parent(path: Path, *, hint: str = "") -> None:
    """Refuse a file path whose nearest existing folder cannot be written (before slow work)."""
    parent = Path(path).parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "is a file, so nothing can be written below it", str(parent))
    if not os.access(parent, os.W_OK):
        raise PermissionError(errno.EACCES, "cannot be written to (permission denied)" + hint, str(parent))


def _check_output_file(path: str) -> None:
    """Refuse an output path that cannot be written, before the (slow) work is done."""
    p = Path(path).expanduser()
    if p.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; --to names a file such as corpus.parquet", str(p))
    check_writable_parent(p)


# --------------------------------------------------------------------------------------
# subcommands
# --------------------------------------------------------------------------------------

def _corpus_list(args: argparse.Namespace) -> int:
    from .corpora import list_corpora

    table = list_corpora()
    print(table.to_string(index=False))
    return 0


def _corpus_fetch(args: argparse.Namespace) -> int:
    from .corpora import fetch_named, list_corpora
    from .fetch import cache_root, fetch_corpus

    names = list(list_corpora()["name"]) if args.all else args.names
    if not names:
        raise CliError("name a corpus or pass --all (see `framing corpus list`)")
    for name in names:
        _check_corpus_name(name, manifest_ok=True)
    years = _years_option(args.years)
    for name in names:
        if name == "ungdc":   # only the years load_corpus reads (default 2021-2024)
            n = fetch_named(name, mirror=args.mirror, cache_dir=args.cache_dir, progress=not args.quiet,
                            years=years)
            path = f"{n} files in {cache_root(args.cache_dir) / 'corpora'}"
        else:
            path = fetch_corpus(name, mirror=args.mirror, cache_dir=args.cache_dir, progress=not args.quiet)
        if not args.quiet:
            print(f"{name}: {path}")
    return 0


def _years_option(value: str | None) -> list[int] | str | None:
    """``--years``: None (the default years), "all", "2022", "1946-1991" or "2021,2023"."""
    if value is None or value == "all":
        return value
    years: list[int] = []
    try:
        for part in value.split(","):
            a, _, b = part.strip().partition("-")
            years.extend(range(int(a), int(b or a) + 1))
    except ValueError:
        raise CliError(f"--years: expected 'all', a year, a range such as 1946-1991 or a list such as "
                       f"2021,2023; got {value!r}") from None
    return years


def _corpus_info(args: argparse.Namespace) -> int:
    from .corpora import corpus_info

    _check_corpus_name(args.name)
    info = corpus_info(args.name, mirror=args.mirror, cache_dir=args.cache_dir)
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True, default=str))
    else:
        for key, value in info.items():
            if isinstance(value, dict):
                print(f"{key}:")
                for k, v in value.items():
                    print(f"  {k}: {v}")
            else:
                print(f"{key}: {value}")
    return 0


def _corpus_export(args: argparse.Namespace) -> int:
    from .corpora import export_corpus

    _check_corpus_name(args.name)
    _check_output_file(args.to)
    try:
        path = export_corpus(args.name, args.to, mirror=args.mirror, cache_dir=args.cache_dir)
    except OSError as err:  # name the file asked for, not the temporary file beside it
        if err.errno is not None and err.filename and Path(str(err.filename)).name.startswith((".part-", ".tmp-")):
            raise type(err)(err.errno, err.strerror, args.to) from err
        raise
    print(f"wrote {path}")
    return 0


# --------------------------------------------------------------------------------------
# framing embed
# --------------------------------------------------------------------------------------

def add_embed_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the arguments of ``framing embed`` to ``parser`` (see :func:`embed_command`).

    Examples
    --------
    >>> args = add_embed_arguments(argparse.ArgumentParser()).parse_args(["ungdc", "--level", "article"])
    >>> args.level, args.backend
    ('article', None)
    """
    from .embed import BACKENDS, LONG_TEXT_RULES, QUANTIZATION_METHODS

    parser.add_argument("name", help="named corpus (see `framing corpus list`) or path to a corpus file or folder")
    parser.add_argument("--level", choices=("article", "sentence"), default="sentence")
    parser.add_argument("--model", default=None, help="model name or path (default: all-MiniLM-L6-v2)")
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="default: torch (see framing.Encoder; the onnx int8 routes are opt-in)")
    parser.add_argument("--quantize", nargs="?", const="int8", default=None, choices=QUANTIZATION_METHODS,
                        help="int8 variant of the onnx backend (default: the backend's default)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--long-text", choices=LONG_TEXT_RULES, default="mean-chunks")
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--start", default=None, help="first publication day (YYYY-MM-DD)")
    parser.add_argument("--end", default=None, help="last publication day (YYYY-MM-DD)")
    parser.add_argument("--out", default=None,
                        help="write OUT.npy (vectors) and OUT.rows.csv (doc_id/sent_id per row)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress of the texts computed: a bar on a terminal, else a log line on stderr "
                             "every $FRAMING_PROGRESS_SECONDS (30) seconds (default: for runs of 512+ texts)")
    return parser


def _load_named_or_file(name_or_path: str) -> Any:
    """A corpus file or folder (:func:`framing.read_corpus`) or a named corpus.

    Raises
    ------
    FileNotFoundError
        When ``name_or_path`` is neither an existing path nor a named corpus.
    """
    from .corpora import load_corpus
    from .corpus import read_corpus
    from .fetch import corpus_names

    p = Path(name_or_path).expanduser()
    if p.exists():
        return read_corpus(p)
    names = corpus_names()
    if name_or_path in names:
        return load_corpus(name_or_path)
    raise FileNotFoundError(
        errno.ENOENT, f"no such corpus file or folder, and no named corpus has that name "
        f"(named corpora: {', '.join(names)}; see `framing corpus list`)", str(name_or_path))


def _check_dates(start: str | None, end: str | None) -> None:
    """Refuse a bad ``--start``/``--end`` before loading anything (:func:`framing.select`'s own rule)."""
    if start is None and end is None:
        return
    import pandas as pd

    from .corpus import select

    try:
        select(pd.DataFrame({"published": pd.to_datetime([])}), start=start, end=end)
    except (ValueError, TypeError) as err:
        raise CliError(f"{err}; use YYYY-MM-DD") from None


def _output_files(out: str | os.PathLike) -> tuple[Path, Path]:
    """``OUT.npy`` and ``OUT.rows.csv``, checked before any work is done."""
    out = Path(out).expanduser()
    npy = out.with_name(out.name + ".npy") if out.suffix != ".npy" else out
    stem = npy.with_suffix("")
    rows = stem.with_name(stem.name + ".rows.csv")
    for f in (npy, rows):
        if f.is_dir():
            raise IsADirectoryError(errno.EISDIR, "is a folder; --out names a file stem such as vectors/ukraine",
                                    str(f))
    check_writable_parent(npy, hint="; choose another --out")
    return npy, rows


def embed_command(name_or_path: str, level: str = "sentence", *, model: Any = None,
                  cache_dir: str | os.PathLike | None = None, batch_size: int = 32,
                  backend: str = "torch", quantize: bool | str = False, device: str = "cpu",
                  long_text: str = "mean-chunks", start: str | None = None, end: str | None = None,
                  out: str | os.PathLike | None = None, show_progress: bool | None = None) -> dict[str, Any]:
    """Embed a corpus at article or sentence level, filling the cache (``framing embed``).

    Parameters
    ----------
    name_or_path : str
        A named corpus (:func:`framing.load_corpus`) or a corpus file or folder
        (:func:`framing.read_corpus`).
    level : {"sentence", "article"}
        Embed sentences (:func:`framing.split_sentences`) or whole articles.
    model, cache_dir, batch_size, backend, quantize, device, long_text, show_progress
        Passed to :class:`framing.Encoder`.
    start, end : str, optional
        First and last publication day kept (``YYYY-MM-DD``, both inclusive), as
        :func:`framing.select` keeps them; checked before the corpus is loaded.
    out : path, optional
        Write ``OUT.npy`` (vectors) and ``OUT.rows.csv`` (``row``, ``id``); checked before
        any embedding is done.

    Returns
    -------
    dict
        Counts, seconds, model identity and output files.

    Raises
    ------
    FileNotFoundError
        When ``name_or_path`` is neither a path nor a named corpus.
    CliError
        For a date that is not one (or ``end`` before ``start``).
    OSError
        When ``out`` cannot be written.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from framing.testing import HashEncoder
    >>> path = Path(tempfile.mkdtemp()) / "c.csv"
    >>> pd.DataFrame({"doc_id": ["a"], "outlet": ["X"], "published": ["2022-09-20"],
    ...               "text": ["One. Two."]}).to_csv(path, index=False)
    >>> embed_command(str(path), model=HashEncoder(dim=8), cache_dir=False)["rows"]
    2
    """
    if level not in ("article", "sentence"):
        raise ValueError(f"level must be 'article' or 'sentence', got {level!r}")
    _check_dates(start, end)
    files = _output_files(out) if out is not None else None
    corpus = _load_named_or_file(name_or_path)
    if start is not None or end is not None:
        from .corpus import select

        corpus = select(corpus, start=start, end=end)
    return _embed_table(corpus, level, files, name=str(name_or_path), model=model, cache_dir=cache_dir,
                        batch_size=batch_size, device=device, backend=backend, quantize=quantize,
                        long_text=long_text, show_progress=show_progress)


def _embed_table(corpus: Any, level: str, files: tuple[Path, Path] | None, *, name: str,
                 **options: Any) -> dict[str, Any]:
    """Embed the (selected) corpus, write the output files; the summary of :func:`embed_command`."""
    import time

    import numpy as np
    import pandas as pd

    from .embed import Encoder, embed_articles, embed_sentences

    enc = Encoder(options.pop("model"), **options)
    t0 = time.perf_counter()
    if level == "sentence":
        from .segment import split_sentences

        table = split_sentences(corpus)
        ids = table["sent_id"]
        X = embed_sentences(table, enc)
    else:
        ids = corpus["doc_id"]
        X = embed_articles(corpus, enc)
    seconds = time.perf_counter() - t0
    summary: dict[str, Any] = {"corpus": name, "level": level, "rows": int(X.shape[0]),
                               "dim": int(X.shape[1]) if X.ndim == 2 else 0, "model": enc.name,
                               "identity": enc.identity, "seconds": round(seconds, 3), **enc.stats}
    if files is not None:
        npy, rows = files
        npy.parent.mkdir(parents=True, exist_ok=True)
        np.save(npy, X, allow_pickle=False)
        pd.DataFrame({"row": np.arange(len(ids)), "id": ids.to_numpy()}).to_csv(rows, index=False)
        summary["out"] = [str(npy), str(rows)]
    return summary


def _embed(args: argparse.Namespace) -> int:
    """Run ``framing embed`` from parsed arguments (:func:`add_embed_arguments`)."""
    summary = embed_command(args.name, args.level, model=args.model, cache_dir=args.cache_dir,
                            batch_size=args.batch_size, backend=args.backend, quantize=args.quantize,
                            device=args.device, long_text=args.long_text, start=args.start, end=args.end,
                            out=args.out, show_progress=args.progress)
    json.dump(summary, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


def _bench(args: argparse.Namespace) -> int:  # pragma: no cover - main() hands bench over before parsing
    from .bench import main as bench_main

    return int(bench_main(args.bench_args) or 0)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``framing`` command.

    Returns
    -------
    argparse.ArgumentParser
        With the subcommands ``corpus {list,fetch,info,export}``, ``embed`` and ``bench``.
    """
    parser = argparse.ArgumentParser(
        prog="framing", description="Compare how news sources frame the same event.",
        epilog="Errors are one line; FRAMING_DEBUG=1 shows the full traceback.")
    parser.add_argument("--version", action="version", version=f"framing {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    corpus = sub.add_parser("corpus", help="list, fetch, describe and export the named public corpora",
                            description="List, fetch, describe and export the named public corpora.")
    csub = corpus.add_subparsers(dest="corpus_command", required=True, metavar="SUBCOMMAND")

    def command(name: str, text: str, func: Any, *arguments: tuple[tuple[str, ...], dict[str, Any]],
                mirror: bool = True) -> None:
        p = csub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        for flags, options in arguments:
            p.add_argument(*flags, **options)
        if mirror:
            p.add_argument("--mirror", metavar="DIR", default=None,
                           help="local mirror laid out as github/OWNER/REPO/COMMIT/PATH (default: $FRAMING_MIRROR)")
            p.add_argument("--cache-dir", metavar="DIR", default=None,
                           help="cache directory (default: $FRAMING_CACHE_DIR or ~/.cache/framing)")
        p.set_defaults(func=func)

    name = (("name",), {"metavar": "NAME"})
    command("list", "the named corpora", _corpus_list, mirror=False)
    command("fetch", "download (or copy from a mirror) and verify a corpus's files", _corpus_fetch,
            (("names",), {"nargs": "*", "metavar": "NAME"}),
            (("--all",), {"action": "store_true", "help": "fetch every named corpus"}),
            (("--years",), {"default": None, "metavar": "YEARS",
                            "help": "ungdc only: years to fetch ('all', 2022, 1946-1991 or 2021,2023; "
                                    "default: 2021-2024, the years load_corpus reads by default)"}),
            (("--quiet",), {"action": "store_true", "help": "no progress bars"}))
    command("info", "documents per outlet/year/day, dropped rows, duplicates, date range", _corpus_info,
            name, (("--json",), {"action": "store_true", "help": "print JSON"}))
    command("export", "write a validated corpus to CSV, JSONL or Parquet (by extension)", _corpus_export,
            name, (("--to",), {"required": True, "metavar": "FILE"}))

    p = sub.add_parser("embed", help="fill the embedding cache for a named or exported corpus",
                       description="Embed a named corpus or a corpus file, filling the embedding cache; "
                                   "prints a JSON summary.")
    add_embed_arguments(p)
    p.set_defaults(func=_embed)

    # `framing bench ...` is handed to framing.bench before parsing (see main); this entry
    # only lists it in `framing --help`
    p = sub.add_parser("bench", help="run the benchmarks (same as make bench; `framing bench --help`)",
                       add_help=False)
    p.add_argument("bench_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_bench)
    return parser


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------

def _raised_by_package(exc: BaseException) -> bool:
    """Was ``exc`` raised by a ``raise`` in framing's own code (not deep in a library)?"""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return False
    try:
        return Path(last.tb_frame.f_code.co_filename).resolve().is_relative_to(_PACKAGE_DIR)
    except (OSError, ValueError):  # pragma: no cover
        return False


def is_user_error(exc: BaseException) -> bool:
    """Errors reported in one line: the package's own, OSError, and its own ValueErrors.

    Parameters
    ----------
    exc : BaseException
        The exception a command raised.

    Returns
    -------
    bool
        True for :class:`OSError`, for exceptions of classes defined in ``framing``, and
        for a ``ValueError`` raised by framing's own code (argument checks); False for
        anything else (a bug: keep the traceback).

    Examples
    --------
    >>> from framing.embed import EmbeddingError
    >>> is_user_error(EmbeddingError("x")), is_user_error(PermissionError(13, "no")), is_user_error(KeyError("k"))
    (True, True, False)
    """
    if isinstance(exc, OSError):
        return True
    module = type(exc).__module__ or ""
    if module == "framing" or module.startswith("framing."):
        return True
    return isinstance(exc, ValueError) and _raised_by_package(exc)


_OS_HINTS = {
    errno.EACCES: "choose a location you can write to, or change its permissions",
    errno.EPERM: "choose a location you can write to, or change its permissions",
    errno.EROFS: "the file system is read-only: choose another location",
    errno.ENOSPC: "the disk is full: free some space or choose another location",
    errno.ENOENT: "check the path",
    errno.EISDIR: "name a file, not a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
}


def describe_error(exc: BaseException) -> str:
    """One line for a user error: what went wrong, and what to do.

    Parameters
    ----------
    exc : BaseException
        An exception for which :func:`is_user_error` is true.

    Returns
    -------
    str
        A single line (no newlines).

    Examples
    --------
    >>> describe_error(PermissionError(13, "Permission denied", "/data/x.csv"))
    '/data/x.csv: Permission denied; choose a location you can write to, or change its permissions'
    """
    from .fetch import FetchError, ManifestError

    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        text = f"{where}: {exc.strerror}" if where else exc.strerror
        if exc.filename2 is not None:
            text += f" (and {exc.filename2})"
        hint = _OS_HINTS.get(exc.errno or 0)
        generic = exc.errno is not None and exc.strerror == os.strerror(exc.errno)
        if hint and generic:  # framing's own OSErrors already say what to do
            text += f"; {hint}"
    else:
        text = str(exc) or type(exc).__name__
        if isinstance(exc, ManifestError):
            text += "; see `framing corpus list`"
        elif isinstance(exc, FetchError) and "mirror" in text:
            text += "; pass an existing mirror with --mirror DIR (or FRAMING_MIRROR), or leave both unset to download"
        elif isinstance(exc, FetchError):
            text += "; check the network, or use a local mirror (--mirror DIR or FRAMING_MIRROR)"
    return " ".join(text.split())


def _one_line_warning(message: Any, category: type, filename: str, lineno: int, file: Any = None,
                      line: Any = None) -> None:
    stream = file if file is not None else sys.stderr
    try:
        stream.write(f"framing: warning: {' '.join(str(message).split())}\n")
    except OSError:  # pragma: no cover
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``framing`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0, 1 for an error, 2 for a bad argument, 130 when interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get("FRAMING_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
    with warnings.catch_warnings():
        if not debug:
            warnings.showwarning = _one_line_warning
        try:
            if argv[:1] == ["bench"]:  # options go to the benchmark runner (argparse REMAINDER drops leading ones)
                from .bench import main as bench_main

                return int(bench_main(argv[1:]) or 0)
            args = build_parser().parse_args(argv)
            return int(args.func(args) or 0)
        except KeyboardInterrupt:
            print("framing: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:  # `framing corpus list | head`: the reader left; not an error
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError):  # pragma: no cover
                pass
            return 0
        except Exception as exc:  # noqa: BLE001 - sorted into user errors and bugs below
            if debug or not (isinstance(exc, CliError) or is_user_error(exc)):
                raise
            print(f"framing: error: {describe_error(exc)}", file=sys.stderr)
            return getattr(exc, "exit_status", 1)


if __name__ == "__main__":
    sys.exit(main())
