"""The `framing` command line, run through its installed entry point: one-line errors, --help everywhere."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from framing import cli

FRAMING = Path(sys.executable).with_name("framing")  # the console script installed beside this python


def run(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    if not FRAMING.is_file():
        pytest.skip(f"the `framing` entry point is not installed beside {sys.executable} (pip install -e .)")
    full_env = {k: v for k, v in os.environ.items() if k != "FRAMING_DEBUG"}
    full_env.update({"HF_HUB_OFFLINE": "1", **(env or {})})
    return subprocess.run([str(FRAMING), *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def one_line_error(out: subprocess.CompletedProcess) -> str:
    """The single stderr line of a failed command (and no traceback)."""
    assert out.returncode != 0, out
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("framing: error: "), lines[0]
    return lines[0]


# ----------------------------------------------------------------------------- --help

@pytest.mark.parametrize("args", [
    [], ["corpus"], ["corpus", "list"], ["corpus", "fetch"], ["corpus", "info"], ["corpus", "export"],
    ["embed"], ["bench"],
], ids=lambda a: " ".join(a) or "framing")
def test_every_subcommand_answers_help(args):
    out = run(*args, "--help", timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: framing"), out.stdout[:200]
    assert out.stderr == ""


def test_help_lists_the_subcommands_and_their_options():
    assert all(w in run("--help").stdout for w in ("corpus", "embed", "bench", "FRAMING_DEBUG"))
    assert "--sections" in run("bench", "--help").stdout  # bench --help is the benchmark runner's own
    assert "--to" in run("corpus", "export", "--help").stdout
    assert "--progress" in run("embed", "--help").stdout


# ----------------------------------------------------------------------------- one-line errors

def test_unknown_corpus_is_one_line():
    for args in (["corpus", "info", "nonexistent"], ["corpus", "export", "nonexistent", "--to", "x.csv"],
                 ["corpus", "fetch", "nonexistent"]):
        out = run(*args)
        line = one_line_error(out)
        assert "unknown corpus 'nonexistent'" in line and "framing corpus list" in line
        assert out.returncode == 2


def test_missing_mirror_is_one_line(tmp_path):
    out = run("corpus", "fetch", "ukraine-media", "--mirror", "/nonexistent", "--cache-dir", str(tmp_path))
    line = one_line_error(out)
    assert "/nonexistent" in line and "does not exist" in line and "--mirror" in line
    assert out.returncode == 1
    assert not list(tmp_path.rglob("*.csv"))


def test_export_to_a_path_that_cannot_be_written_is_one_line(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    line = one_line_error(run("corpus", "export", "ungdc", "--to", str(a_file / "ungdc.csv")))
    assert str(a_file) in line and "is a file" in line
    line = one_line_error(run("corpus", "export", "ungdc", "--to", str(tmp_path)))
    assert str(tmp_path) in line and "is a folder" in line
    line = one_line_error(run("corpus", "export", "ungdc", "--to", str(tmp_path / "ungdc.xlsx")))
    assert "cannot tell the format" in line


def test_export_into_a_read_only_folder_is_one_line(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("permissions are not enforced for this user (root); "
                        "test_os_errors_from_inside_a_command_are_one_line simulates them")
        line = one_line_error(run("corpus", "export", "ungdc", "--to", str(folder / "ungdc.csv")))
        assert str(folder) in line and "ermission denied" in line
    finally:
        folder.chmod(0o755)


def test_embed_a_missing_file_says_so(tmp_path):
    out = run("embed", "missing.csv", "--cache-dir", str(tmp_path))
    line = one_line_error(out)
    assert line.startswith("framing: error: missing.csv: no such corpus file")
    assert "unknown corpus" not in line
    line = one_line_error(run("embed", "ungdc", "--start", "notadate", "--cache-dir", str(tmp_path)))
    assert "notadate" in line and "YYYY-MM-DD" in line
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    line = one_line_error(run("embed", "ungdc", "--out", str(a_file / "vectors"), "--cache-dir", str(tmp_path)))
    assert "is a file" in line


def test_framing_debug_shows_the_traceback():
    out = run("corpus", "info", "nonexistent", env={"FRAMING_DEBUG": "1"})
    assert out.returncode != 0 and "Traceback" in out.stderr and "unknown corpus" in out.stderr


def test_a_bad_option_is_argparse_usage():
    out = run("embed", "ungdc", "--level", "paragraph")
    assert out.returncode == 2 and "invalid choice" in out.stderr and "Traceback" not in out.stderr


# ----------------------------------------------------------------------------- in-process: what is caught

def _patch_command(monkeypatch, exc: BaseException | None = None, warn: str | None = None):
    import warnings

    def command(args):
        if warn:
            warnings.warn(warn, UserWarning)
        if exc is not None:
            raise exc
        return 0

    monkeypatch.setattr(cli, "_corpus_list", command)


def test_os_errors_from_inside_a_command_are_one_line(monkeypatch, capsys):
    # as an export fails in its temporary file: the message names the file asked for
    from framing import corpora

    def denied(name, path, **kw):
        raise PermissionError(13, "Permission denied", str(Path(path).parent / ".part-abc123.tmp"))

    monkeypatch.setattr(corpora, "export_corpus", denied)
    assert cli.main(["corpus", "export", "ungdc", "--to", "out/ungdc.csv"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["framing: error: out/ungdc.csv: Permission denied; choose a location you can write to, "
                   "or change its permissions"]
    _patch_command(monkeypatch, OSError(28, "No space left on device", "/data/x"))
    assert cli.main(["corpus", "list"]) == 1
    assert capsys.readouterr().err == ("framing: error: /data/x: No space left on device; the disk is full: "
                                       "free some space or choose another location\n")


def test_package_errors_are_one_line_and_bugs_keep_their_traceback(monkeypatch, capsys):
    from framing.corpus import CorpusError
    from framing.embed import EmbeddingError

    for exc, text in ((EmbeddingError("the cache is odd;\ndelete it"), "the cache is odd; delete it"),
                      (CorpusError("bad row"), "bad row")):
        _patch_command(monkeypatch, exc)
        assert cli.main(["corpus", "list"]) == 1
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("framing: error: ") and text in lines[0]
    # a ValueError raised by framing's own code is an argument check: one line
    from framing.corpora import load_corpus
    _patch_command(monkeypatch, None)
    monkeypatch.setattr(cli, "_corpus_list", lambda args: load_corpus("no-such-corpus"))
    assert cli.main(["corpus", "list"]) == 1
    assert "unknown corpus 'no-such-corpus'" in capsys.readouterr().err
    # anything else is a bug: the traceback is kept
    for bug in (KeyError("column"), ValueError("raised outside framing"), ZeroDivisionError()):
        _patch_command(monkeypatch, bug)
        with pytest.raises(type(bug)):
            cli.main(["corpus", "list"])


def test_interrupt_and_warnings_are_one_line(monkeypatch, capsys):
    _patch_command(monkeypatch, KeyboardInterrupt())
    assert cli.main(["corpus", "list"]) == 130
    assert capsys.readouterr().err == "framing: interrupted\n"
    _patch_command(monkeypatch, None, warn="something to know\nabout")
    assert cli.main(["corpus", "list"]) == 0
    assert capsys.readouterr().err == "framing: warning: something to know about\n"


def test_bench_options_still_reach_the_runner():
    out = run("bench", "--sections", "no-such-section")
    assert out.returncode == 2 and "unknown section(s) no-such-section" in out.stderr


# ----------------------------------------------------------------------------- framing embed (in process)

def _tiny_corpus():
    import pandas as pd

    return pd.DataFrame({
        "doc_id": ["a", "b", "c"], "outlet": ["X", "Y", "X"],
        "published": pd.to_datetime(["2022-09-20 08:00", "2022-10-01 18:30", "2022-10-20 12:00"]),
        "text": ["First one. Second one.", "Third one.", "Fourth one."]})


def test_embed_command_and_arguments(tmp_path, monkeypatch):
    import argparse

    import numpy as np
    import pandas as pd

    from framing.testing import HashEncoder

    monkeypatch.setattr(cli, "_load_named_or_file", lambda name: _tiny_corpus())
    out = tmp_path / "vec"
    s = cli.embed_command("demo", "sentence", model=HashEncoder(dim=16), cache_dir=tmp_path, out=out,
                          end="2022-10-01")
    # select's rule: the end day is inclusive, whatever the time of day
    assert s["rows"] == 3 and s["dim"] == 16
    X = np.load(tmp_path / "vec.npy", allow_pickle=False)
    rows = pd.read_csv(tmp_path / "vec.rows.csv")
    assert X.shape == (3, 16) and rows["id"].tolist() == ["a:0", "a:1", "b:0"]
    s = cli.embed_command("demo", "article", model=HashEncoder(dim=16), cache_dir=tmp_path / "a", start="2022-10-01")
    assert s["rows"] == 2 and s["computed"] == 2
    parser = cli.add_embed_arguments(argparse.ArgumentParser())
    args = parser.parse_args(["demo", "--level", "article", "--backend", "onnx", "--quantize"])
    assert args.level == "article" and args.quantize == "int8" and args.backend == "onnx"


def test_embed_dates_are_checked_before_the_corpus_is_loaded(monkeypatch):
    def never(name):
        raise AssertionError("loaded the corpus before checking the dates")

    monkeypatch.setattr(cli, "_load_named_or_file", never)
    with pytest.raises(cli.CliError, match="notadate.*YYYY-MM-DD"):
        cli.embed_command("demo", start="notadate")
    with pytest.raises(cli.CliError, match="before"):
        cli.embed_command("demo", start="2022-10-02", end="2022-10-01")


def test_embed_runs_from_main_and_prints_a_json_summary(tmp_path, monkeypatch, capsys):
    import json

    import framing.embed
    from framing.testing import HashEncoder

    real = framing.embed.Encoder
    monkeypatch.setattr(cli, "_load_named_or_file", lambda name: _tiny_corpus())
    monkeypatch.setattr(framing.embed, "Encoder", lambda model, **kw: real(HashEncoder(dim=8), **kw))
    assert cli.main(["embed", "demo", "--level", "article", "--end", "2022-09-30", "--cache-dir", str(tmp_path),
                     "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows"] == 1 and summary["dim"] == 8 and summary["level"] == "article"
    assert cli.main(["embed", "demo", "--start", "2022-13-45"]) == 2
    assert capsys.readouterr().err.startswith("framing: error: start='2022-13-45' is not a date")


# ----------------------------------------------------------------------------- corpus fetch --years

def test_years_option_parses_ranges_lists_and_all():
    assert cli._years_option(None) is None
    assert cli._years_option("all") == "all"
    assert cli._years_option("1946-1948,2022") == [1946, 1947, 1948, 2022]
    with pytest.raises(cli.CliError, match="--years"):
        cli._years_option("19x6")


@pytest.mark.integration
def test_fetch_ungdc_years_copies_only_those_speeches(tmp_path):
    mirror = os.environ.get("FRAMING_MIRROR")
    if not mirror:
        pytest.skip("FRAMING_MIRROR is not set")
    out = run("corpus", "fetch", "ungdc", "--years", "1950", "--quiet", "--mirror", mirror,
              "--cache-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    speeches = [p for p in tmp_path.rglob("*.txt") if "TXT" in p.parts]
    assert speeches and all(p.name.endswith("_1950.txt") for p in speeches)
    bad = run("corpus", "fetch", "ungdc", "--years", "1900", "--mirror", mirror, "--cache-dir", str(tmp_path))
    assert "1900" in one_line_error(bad)
