"""Execute every notebook headless, in order (``make figures``).

The jupytext ``.py`` file is the source of each notebook; its paired ``.ipynb`` (stored
without outputs) is regenerated from it when they differ. Each notebook is executed with
nbclient in ``notebooks/`` as working directory; figures are written by the notebooks
themselves (``_figures.save``) under ``figures/``; the executed copy, with outputs, goes to
``figures/executed/`` for reading, and is never written back into ``notebooks/``.

Usage: ``python notebooks/_run.py [--only 01,03] [--figures DIR] [--timeout S] [--sync-only]``
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def notebook_sources(only: list[str] | None = None) -> list[Path]:
    """The notebooks' jupytext sources, in run order (``NN_name.py``)."""
    paths = sorted(p for p in HERE.glob("[0-9][0-9]_*.py"))
    if only:
        paths = [p for p in paths if any(p.name.startswith(o) for o in only)]
    return paths


def paired_notebook(src: Path) -> nbformat.NotebookNode:
    """The notebook as generated from its ``.py`` source, without outputs."""
    nb = jupytext.read(src)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    for i, cell in enumerate(nb.cells):  # stable ids, so regenerating never changes the file
        cell.id = hashlib.sha1(f"{i}:{cell.cell_type}:{cell.source}".encode()).hexdigest()[:8]
    return nb


def sync(src: Path) -> bool:
    """Write ``src``'s paired ``.ipynb`` if it is missing or differs; True when written."""
    ipynb = src.with_suffix(".ipynb")
    new = jupytext.writes(paired_notebook(src), fmt="ipynb")
    if ipynb.exists() and ipynb.read_text(encoding="utf-8") == new:
        return False
    ipynb.write_text(new, encoding="utf-8")
    return True


def execute(src: Path, figures: Path, timeout: int) -> float:
    nb = paired_notebook(src)
    env_before = dict(os.environ)
    os.environ["FRAMING_FIGURES_DIR"] = str(figures)
    os.environ["FRAMING_NOTEBOOK"] = src.stem
    t0 = time.perf_counter()
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(HERE)}})
        try:
            client.execute()
        finally:
            out = figures / "executed"
            out.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, out / f"{src.stem}.ipynb")
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated notebook prefixes, e.g. 01,03")
    ap.add_argument("--figures", default=os.environ.get("FRAMING_FIGURES_DIR", str(ROOT / "figures")))
    ap.add_argument("--timeout", type=int, default=1800, help="per-cell timeout in seconds")
    ap.add_argument("--sync-only", action="store_true", help="only regenerate the paired .ipynb files")
    args = ap.parse_args(argv)
    only = args.only.split(",") if args.only else None
    sources = notebook_sources(only)
    if not sources:
        print("no notebooks matched", file=sys.stderr)
        return 2
    for src in sources:
        if sync(src):
            print(f"synced {src.with_suffix('.ipynb').name} from {src.name}")
    if args.sync_only:
        return 0
    figures = Path(args.figures).resolve()
    figures.mkdir(parents=True, exist_ok=True)
    for src in sources:
        print(f"running {src.name} ...", flush=True)
        try:
            seconds = execute(src, figures, args.timeout)
        except CellExecutionError as exc:
            print(f"FAILED {src.name} (executed copy with the error: {figures / 'executed' / (src.stem + '.ipynb')})\n{exc}",
                  file=sys.stderr)
            return 1
        print(f"  done in {seconds:.0f} s", flush=True)
    print(f"figures written to {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
