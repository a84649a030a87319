"""`make lab`: kernel registered inside the venv, jupytext pairing, widgets, and (one
integration test) the server `make lab` starts, answering on its port, then stopped."""
from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def _makefile_rule(target: str) -> tuple[list[str], list[str]]:
    """The prerequisites and recipe lines of ``target`` in the Makefile."""
    text = (ROOT / "Makefile").read_text()
    m = re.search(rf"^{re.escape(target)}:([^\n]*)\n((?:\t[^\n]*\n)*)", text, re.M)
    assert m, f"Makefile has no {target!r} target"
    return m.group(1).split(), [ln.strip() for ln in m.group(2).splitlines()]


def test_make_lab_builds_the_venv_registers_the_kernel_and_starts_lab_in_notebooks():
    prereqs, recipe = _makefile_rule("lab")
    assert "lab-setup" in prereqs
    setup_prereqs, setup = _makefile_rule("lab-setup")
    assert "$(STAMP)" in setup_prereqs, "lab must build .venv from the lock like the other targets"
    install = next(ln for ln in setup if "ipykernel install" in ln)
    assert "--sys-prefix" in install and "--user" not in install, "the kernel belongs in the venv"
    assert "--name framing" in install
    lab = next(ln for ln in recipe if "jupyter lab" in ln)
    assert "$(VENV)/bin/jupyter" in lab and "root_dir=notebooks" in lab
    assert any("overrides.json" in ln for ln in setup)
    assert re.search(r"^\.PHONY:.*\blab\b", (ROOT / "Makefile").read_text(), re.M)


def test_kernel_spec_installs_into_a_prefix_and_runs_this_python(tmp_path):
    _, setup = _makefile_rule("lab-setup")
    install = next(ln for ln in setup if "ipykernel install" in ln)
    args = shlex.split(install.split("ipykernel install", 1)[1])
    args = [a for a in args if a != "--sys-prefix"] + ["--prefix", str(tmp_path)]
    subprocess.run([sys.executable, "-m", "ipykernel", "install", *args], check=True,
                   capture_output=True, text=True, timeout=120)
    spec = json.loads((tmp_path / "share" / "jupyter" / "kernels" / "framing" / "kernel.json").read_text())
    assert spec["display_name"] == "Python (framing)"
    assert spec["language"] == "python"
    assert Path(spec["argv"][0]).resolve() == Path(sys.executable).resolve()


def test_jupytext_config_pairs_ipynb_and_percent_py():
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

    found = find_jupytext_configuration_file(ROOT / "notebooks")
    assert found and Path(found) == ROOT / "notebooks" / "jupytext.toml"
    config = load_jupytext_configuration_file(found)
    formats = config.formats if isinstance(config.formats, str) else ",".join(config.formats)
    assert formats == "ipynb,py:percent"


@pytest.mark.parametrize("src", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_notebook_declares_the_same_pairing(src):
    import jupytext

    nb = jupytext.read(src)
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent", src.name


def test_python_files_open_as_notebooks():
    overrides = json.loads((ROOT / "tools" / "lab" / "overrides.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["python"] == "Jupytext Notebook"
    ext = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext"
    if not ext.is_dir():
        pytest.skip("jupyterlab-jupytext is not installed in this environment")
    assert any("Jupytext Notebook" in p.read_text(errors="ignore") for p in ext.rglob("*.js")), \
        "the installed jupyterlab-jupytext no longer provides a 'Jupytext Notebook' viewer"


def test_ipywidgets_and_its_lab_parts_are_pinned_and_installed():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, ver = line.strip().partition("==")
            pins[name.lower().replace("_", "-")] = ver
    for name in ("ipywidgets", "widgetsnbextension", "jupyterlab-widgets", "ipykernel", "jupytext", "jupyterlab"):
        assert name in pins, f"{name} is not pinned in requirements.lock"
        try:
            assert version(name) == pins[name], f"{name} {version(name)} != {pins[name]}"
        except PackageNotFoundError:
            pytest.fail(f"{name} is pinned but not installed")


def test_jupyterlab_has_the_jupytext_and_widgets_extensions():
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists():
        pytest.skip("no jupyter next to this python")
    out = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True, timeout=120)
    listing = out.stdout + out.stderr
    for ext in ("jupyterlab-jupytext", "@jupyter-widgets/jupyterlab-manager"):
        line = next((ln for ln in listing.splitlines() if ext in ln), "")
        assert "enabled" in line and "OK" in line, f"{ext} missing or broken:\n{listing}"


def test_readme_explains_working_in_jupyterlab():
    readme = (ROOT / "README.md").read_text()
    assert "## Working in JupyterLab" in readme
    section = readme.split("## Working in JupyterLab", 1)[1].split("\n## ", 1)[0]
    for needed in ("make lab", "figures/executed/", "framing.read_corpus(", "framing.load_corpus(",
                   "notebooks/config.py", *(p.stem for p in NOTEBOOKS)):
        assert needed in section, f"README's JupyterLab section does not mention {needed}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the whole process group (make and the server it started), then kill it."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # make has exited: wait for the rest of the group (the server shutting down)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)


def _leftovers(marker: str) -> list[str]:
    """Command lines of running processes that mention ``marker``."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="ignore")
            except OSError:
                continue
            if marker in cmd:
                found.append(f"{d.name}: {cmd[:200]}")
    return found


@pytest.mark.integration
def test_make_lab_starts_jupyterlab_that_answers_on_its_port(tmp_path):
    """`make lab` (the target itself, with LAB_ARGS) starts JupyterLab in notebooks/, with the
    project's kernel, answering on the port asked for, without opening a browser; then it is
    stopped, and nothing it started is left running."""
    if shutil.which("make") is None:
        pytest.skip("no make")
    if not (ROOT / ".venv" / "bin" / "jupyter").exists():
        pytest.skip("no .venv with jupyter: run `make venv` first")
    port, token = _free_port(), secrets.token_hex(16)
    opened = tmp_path / "browser-opened"
    browser = tmp_path / "browser.sh"
    browser.write_text(f"#!/bin/sh\necho \"$@\" > {opened}\n")
    browser.chmod(0o755)
    env = {**os.environ, "BROWSER": str(browser), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"), "IPYTHONDIR": str(tmp_path / "ipython")}
    lab_args = f"--no-browser --port={port} --ServerApp.port_retries=0 --ServerApp.token={token} --allow-root"
    # -o: the .venv running this test is used as it is (never rebuilt under it)
    cmd = ["make", "--no-print-directory", "-o", ".venv/.framing-installed", "lab", f"LAB_ARGS={lab_args}"]
    log = tmp_path / "lab.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        status, deadline = None, time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, body = _get(f"{base}/api/status?token={token}")
            except (urllib.error.URLError, ConnectionError, OSError):
                status = None
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, f"JupyterLab did not answer on {port} (exit {proc.poll()}):\n{log.read_text()[-3000:]}"
        assert "started" in json.loads(body)
        assert _get(f"{base}/api/status")[0] == 403, "the server must require its token"
        status, body = _get(f"{base}/api/contents?token={token}")
        names = {item["name"] for item in json.loads(body)["content"]}
        assert status == 200 and {"03_lexical.py", "config.py"} <= names, names  # root: notebooks/
        specs = json.loads(_get(f"{base}/api/kernelspecs?token={token}")[1])["kernelspecs"]
        assert specs["framing"]["spec"]["display_name"] == "Python (framing)"
        status, body = _get(f"{base}/lab?token={token}")
        assert status == 200 and b"JupyterLab" in body
        assert not opened.exists(), "make lab opened a browser"
    finally:
        _stop(proc)
    assert proc.returncode is not None
    assert not _leftovers(f"--port={port}"), _leftovers(f"--port={port}")
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=3)
