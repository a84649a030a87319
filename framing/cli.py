"""The ``framing`` command line: corpora, embeddings, benchmarks.

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
    from .corpora import list_corpora
    from .fetch import fetch_corpus

    names = list(list_corpora()["name"]) if args.all else args.names
    if not names:
        raise CliError("name a corpus or pass --all (see `framing corpus list`)")
    for name in names:
        _check_corpus_name(name, manifest_ok=True)
    for name in names:
        path = fetch_corpus(name, mirror=args.mirror, cache_dir=args.cache_dir, progress=not args.quiet)
        if not args.quiet:
            print(f"{name}: {path}")
    return 0


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

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--mirror", metavar="DIR", default=None,
                       help="local mirror laid out as github/OWNER/REPO/COMMIT/PATH (default: $FRAMING_MIRROR)")
        p.add_argument("--cache-dir", metavar="DIR", default=None,
                       help="cache directory (default: $FRAMING_CACHE_DIR or ~/.cache/framing)")

    p = csub.add_parser("list", help="the named corpora", description="The named corpora.")
    p.set_defaults(func=_corpus_list)
    p = csub.add_parser("fetch", help="download (or copy from a mirror) and verify a corpus's files",
                        description="Download (or copy from a mirror) and verify a corpus's files.")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--all", action="store_true", help="fetch every named corpus")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    common(p)
    p.set_defaults(func=_corpus_fetch)
    p = csub.add_parser("info", help="documents per outlet/year/day, dropped rows, duplicates, date range",
                        description="Documents per outlet/year/day, dropped rows, duplicates, date range.")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true", help="print JSON")
    common(p)
    p.set_defaults(func=_corpus_info)
    p = csub.add_parser("export", help="write a validated corpus to CSV, JSONL or Parquet (by extension)",
                        description="Write a validated corpus to CSV, JSONL or Parquet (by extension).")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--to", required=True, metavar="FILE")
    common(p)
    p.set_defaults(func=_corpus_export)

    from .embed import add_embed_arguments, run_embed

    p = sub.add_parser("embed", help="fill the embedding cache for a named or exported corpus",
                       description="Embed a named corpus or a corpus file, filling the embedding cache; "
                                   "prints a JSON summary.")
    add_embed_arguments(p)
    p.set_defaults(func=run_embed)

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
