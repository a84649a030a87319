"""Notebook-side figure writer (not part of the library: the library never saves files).

``save(fig, name, **params)`` writes ``figures/NAME.png`` and ``figures/NAME.pdf`` and a
provenance record ``figures/NAME.json`` (package version, corpus manifest hashes,
parameters, notebook). The output directory is ``$FRAMING_FIGURES_DIR`` or ``../figures``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib

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
        "parameters": {k: (v if isinstance(v, (int, float, str, bool, type(None), list, dict)) else repr(v))
                       for k, v in params.items()},
    }
    (FIGURES / f"{name}.json").write_text(json.dumps(record, indent=2, sort_keys=True, default=str) + "\n")
    return png
