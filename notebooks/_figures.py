"""Notebook-side figure writer (not part of the library: the library never saves files).

``save(fig, name, **params)`` writes ``figures/NAME.png`` and ``figures/NAME.pdf`` and a
provenance record ``figures/NAME.json`` (package version, corpus manifest hashes,
parameters, notebook, and a digest of the data drawn: ``data.numbers`` hashes every
plotted coordinate rounded to 6 significant digits, ``data.texts`` every label, so two runs
can be compared for the same figure data without comparing pixels). The output directory is ``$FRAMING_FIGURES_DIR`` or ``../figures``.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import matplotlib
import numpy as np

import framing

FIGURES = Path(os.environ.get("FRAMING_FIGURES_DIR", Path(__file__).resolve().parent.parent / "figures"))


def save(fig: "matplotlib.figure.Figure", name: str, *, corpora: tuple[str, ...] = (), **params: object) -> Path:
    """Save ``fig`` as PNG and PDF under the figures folder, with a provenance JSON."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    png = FIGURES / f"{name}.png"
    fig.savefig(png, dpi=150, bbox_inches="tight", metadata={"Software": f"framing {framing.__version__}"})
    fig.savefig(FIGURES / f"{name}.pdf", bbox_inches="tight")
    record = {
        "figure": name,
        "framing_version": framing.__version__,
        "matplotlib_version": matplotlib.__version__,
        "notebook": os.environ.get("FRAMING_NOTEBOOK", ""),
        "corpora": {c: framing.manifest_hash(c) for c in corpora},
        "data": figure_data(fig),
        "parameters": {k: (v if isinstance(v, (int, float, str, bool, type(None), list, dict)) else repr(v))
                       for k, v in params.items()},
    }
    (FIGURES / f"{name}.json").write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    return png


def _numbers(values: object) -> bytes:
    a = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan).ravel()
    return np.array2string(a, precision=6, floatmode="maxprec", threshold=10**9, separator=",").encode()


def figure_data(fig: "matplotlib.figure.Figure") -> dict:
    """Digests of what a figure draws: coordinates of lines, markers, bars and images
    (``numbers``) and the text of titles, labels, tick labels and annotations (``texts``)."""
    nums, texts, count = hashlib.sha256(), hashlib.sha256(), 0
    for ax in fig.axes:
        for line in ax.get_lines():
            nums.update(_numbers(line.get_xydata())); count += len(line.get_xydata())
        for coll in ax.collections:
            offsets = coll.get_offsets()
            nums.update(_numbers(offsets)); count += len(offsets)
            arr = coll.get_array()
            if arr is not None:
                nums.update(_numbers(arr))
            for path in getattr(coll, "get_paths", lambda: [])()[:10000]:
                nums.update(_numbers(path.vertices))
        for patch in ax.patches:
            verts = patch.get_path().vertices
            nums.update(_numbers(patch.get_patch_transform().transform(verts))); count += 1
        for im in ax.get_images():
            nums.update(_numbers(im.get_array())); count += 1
        for t in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts, *ax.get_xticklabels(), *ax.get_yticklabels()]:
            texts.update(t.get_text().encode() + b"\x00")
        legend = ax.get_legend()
        if legend is not None:
            for t in legend.get_texts():
                texts.update(t.get_text().encode() + b"\x00")
    return {"numbers": nums.hexdigest()[:16], "texts": texts.hexdigest()[:16], "points": int(count)}
