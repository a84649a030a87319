"""Regenerate environment.yml from requirements.lock (run: python tools/write_environment.py).

Conda users get the same exact pins as the venv: python 3.11 from conda, everything else
through pip, then the package itself in editable mode.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    pins = [ln.strip() for ln in (ROOT / "requirements.lock").read_text().splitlines()
            if ln.strip() and not ln.startswith("#")]
    lines = [
        "# Generated from requirements.lock by tools/write_environment.py; do not edit by hand.",
        "# conda env create -f environment.yml && conda activate framing",
        "name: framing",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
        *[f"      - {p}" for p in pins],
        "      - -e .",
    ]
    (ROOT / "environment.yml").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
