"""The ``framing`` command line: corpora, embeddings, benchmarks.

Run ``framing --help`` or ``framing SUBCOMMAND --help``.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from . import __version__


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
        print("framing corpus fetch: name a corpus or pass --all", file=sys.stderr)
        return 2
    for name in names:
        path = fetch_corpus(name, mirror=args.mirror, cache_dir=args.cache_dir, progress=not args.quiet)
        if not args.quiet:
            print(f"{name}: {path}")
    return 0


def _corpus_info(args: argparse.Namespace) -> int:
    from .corpora import corpus_info

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

    path = export_corpus(args.name, args.to, mirror=args.mirror, cache_dir=args.cache_dir)
    print(f"wrote {path}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from .bench import main as bench_main

    return int(bench_main(args.bench_args) or 0)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``framing`` command."""
    parser = argparse.ArgumentParser(prog="framing", description="Compare how news sources frame the same event.")
    parser.add_argument("--version", action="version", version=f"framing {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="list, fetch, describe and export the named public corpora")
    csub = corpus.add_subparsers(dest="corpus_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--mirror", metavar="DIR", default=None,
                       help="local mirror laid out as github/OWNER/REPO/COMMIT/PATH (default: $FRAMING_MIRROR)")
        p.add_argument("--cache-dir", metavar="DIR", default=None,
                       help="cache directory (default: $FRAMING_CACHE_DIR or ~/.cache/framing)")

    p = csub.add_parser("list", help="the named corpora")
    p.set_defaults(func=_corpus_list)
    p = csub.add_parser("fetch", help="download (or copy from a mirror) and verify a corpus's files")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--all", action="store_true", help="fetch every named corpus")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    common(p)
    p.set_defaults(func=_corpus_fetch)
    p = csub.add_parser("info", help="documents per outlet/year/day, dropped rows, duplicates, date range")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true", help="print JSON")
    common(p)
    p.set_defaults(func=_corpus_info)
    p = csub.add_parser("export", help="write a validated corpus to CSV, JSONL or Parquet (by extension)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--to", required=True, metavar="FILE")
    common(p)
    p.set_defaults(func=_corpus_export)

    try:
        from .embed import add_embed_arguments, run_embed
    except ImportError:  # pragma: no cover - during development only
        pass
    else:
        p = sub.add_parser("embed", help="fill the embedding cache for a named or exported corpus")
        add_embed_arguments(p)
        p.set_defaults(func=run_embed)

    p = sub.add_parser("bench", help="run the benchmarks (same as make bench)", add_help=False)
    p.add_argument("bench_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``framing`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # options go to the benchmark runner (argparse REMAINDER drops leading ones)
        from .bench import main as bench_main

        return int(bench_main(argv[1:]) or 0)
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
