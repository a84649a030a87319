"""The benchmark package: every section resolves, the runner's rules, the baseline environments."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import framing
import framing.bench as bench
from framing.bench import BenchError, format_table, resolve_section, run_sections
from framing.bench.venv import default_venv_dir, ensure_venv

EXPECTED = ["segmentation", "encoder", "voice", "lexical", "markers", "cluster", "geometry", "align", "explore", "timeline", "themes"]


def test_sections_are_exactly_the_benchmark_modules():
    assert list(bench.SECTIONS) == EXPECTED
    assert all(bench.SECTIONS[n] == f"framing.bench.{n}:run" for n in EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_every_section_resolves_to_a_callable(name):
    fn = resolve_section(bench.SECTIONS[name])
    assert callable(fn) and fn.__module__ == f"framing.bench.{name}"


def test_a_section_that_does_not_resolve_is_an_error_not_a_skip():
    registry = {"ok": "framing.bench:format_table", "gone": "framing.bench.no_such_module:run",
                "nofn": "framing.bench:no_such_function"}
    with pytest.raises(BenchError, match="no_such_module") as err:
        run_sections(["ok", "gone", "nofn"], sections=registry)
    assert "no_such_function" in str(err.value)
    with pytest.raises(ValueError, match="unknown benchmark section"):
        run_sections(["nope"], sections=registry)


def _fast(*, random_state: int = 0) -> dict:
    return {"a": {"x": random_state, "y": 1.5}}


def _broken(*, sample: int = 10) -> dict:
    raise RuntimeError(f"broke on {sample}")


def test_runner_offers_only_accepted_keywords_and_reports_failures(monkeypatch):
    mod = type(sys)("framing_bench_fake")
    mod.fast, mod.broken = _fast, _broken
    monkeypatch.setitem(sys.modules, "framing_bench_fake", mod)
    report = run_sections(sections={"fast": "framing_bench_fake:fast", "broken": "framing_bench_fake:broken"},
                          sample=7, random_state=3)
    assert report["fast"]["status"] == "ok" and report["fast"]["rows"] == {"a": {"x": 3, "y": 1.5}}
    assert report["broken"]["status"] == "failed" and report["broken"]["note"] == "RuntimeError: broke on 7"


def test_format_table_grid_and_blocks():
    grid = format_table({"r1": {"a": 1, "b": 0.123456}, "r2": {"a": 2}})
    assert grid.splitlines()[0].split() == ["a", "b"] and "0.1235" in grid
    flat = format_table({"a": 1, "b": 2})
    assert flat.split() == ["a", "b", "1", "2"]
    blocks = format_table({"r": {f"c{i}": i for i in range(10)}}, max_columns=3)
    assert blocks.splitlines() == ["r", "    " + "  ".join(f"c{i}={i}" for i in range(10))]


def test_main_refuses_an_unknown_section(capsys):
    with pytest.raises(SystemExit) as exit_:
        bench.main(["--sections", "no-such-section"])
    assert exit_.value.code == 2 and "unknown section(s) no-such-section" in capsys.readouterr().err


def test_baseline_environments_live_outside_the_package(tmp_path, monkeypatch):
    package = Path(framing.__file__).resolve().parent
    monkeypatch.delenv("FRAMING_BENCH_VENVS", raising=False)
    monkeypatch.setenv("FRAMING_CACHE_DIR", str(tmp_path / "cache"))
    assert default_venv_dir("bertopic") == tmp_path / "cache" / "bench-venvs" / "bertopic"
    assert not default_venv_dir("bertopic").resolve().is_relative_to(package)
    monkeypatch.setenv("FRAMING_BENCH_VENVS", str(tmp_path / "venvs"))
    assert default_venv_dir("scattertext") == tmp_path / "venvs" / "scattertext"


def test_ensure_venv_reuses_an_existing_environment_and_never_builds_when_told_not_to(tmp_path):
    with pytest.raises(BenchError, match="build=False"):
        ensure_venv("demo", [["six"]], path=tmp_path / "none", build=False)
    assert not (tmp_path / "none").exists()
    fake = tmp_path / "env"
    (fake / "bin").mkdir(parents=True)
    (fake / "bin" / "python").symlink_to(sys.executable)
    got = ensure_venv("demo", [["six"]], path=fake, check="import json", build=False)
    assert got["installed"] == "existing" and got["python"] == str(fake / "bin" / "python")
    with pytest.raises(BenchError, match="build=False"):
        ensure_venv("demo", [["six"]], path=fake, check="import no_such_module_here", build=False)


def test_a_failed_build_leaves_no_half_built_environment(tmp_path):
    target = tmp_path / "env"
    with pytest.raises(BenchError, match="failed"):
        ensure_venv("demo", [["--no-index", "no-such-package-xyz"]], path=target, timeout=300)
    assert not target.exists()


@pytest.mark.integration
def test_scale_pipeline_runs_every_stage_on_a_small_synthetic_corpus(tmp_path):
    """The scale benchmark's stages (``make bench-scale`` runs them at 100,000+ articles) on
    300 synthetic articles and one worker: every stage reports a time and both memory peaks."""
    distributed = pytest.importorskip("distributed")
    from framing.bench import scale as bench_scale

    source = framing.load_corpus("ukraine-media").sample(150, random_state=0)   # real sentences to draw from
    path = bench_scale.synthetic_corpus(300, tmp_path / "syn", source=source, partition_docs=150)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        row = bench_scale._pipeline(client, path, n_boot=20, random_state=0)
    assert row["documents"] == 300 and row["sentences"] > 300
    for stage in ("read", "split", "counts", "fightin_words", "fightin_words_sums", "marker_rates"):
        assert row[f"{stage}_s"] > 0 and row[f"{stage}_peak_worker_mb"] > 0, stage
        assert row[f"{stage}_peak_client_mb"] >= 0, stage
