"""The glossary (docs/glossary.md) holds for every public callable and result column."""
from __future__ import annotations

import ast
import inspect
import warnings
from pathlib import Path

import pytest

import framing
import framing.plot

ROOT = Path(__file__).resolve().parent.parent

# retired parameter name -> the glossary's name for that concept
RETIRED = {
    "by": "group", "groups": "group", "bootstrap": "n_boot", "n_bootstrap": "n_boot", "n_resamples": "n_boot",
    "permutations": "n_perm", "n_permutations": "n_perm", "ci": "alpha", "seed": "random_state",
    "rng": "random_state",
}
# (qualified name, parameter) that keep a retired-looking name for another concept, with the reason
ALLOWED: dict[tuple[str, str], str] = {
    ("OutletSimilarity.__init__", "groups"): "result field: the group names, in matrix order (built by outlet_similarity)",
    ("Permdisp.__init__", "groups"): "result field: the per-group table (built by permdisp)",
}
RETIRED_COLUMNS = {"ci_lo", "ci_hi", "p_fdr", "p_perm", "p_adjusted"}
# callables allowed to take **kwargs: they forward them to a documented callee that raises on
# an unknown keyword (scikit-learn's set_params; load_corpus -> read_corpus options...)
KWARGS_OK = {"Clusterer.fit_predict", "StableClusters.fit_predict", "Clusterer.set_params",
             "StableClusters.set_params", "Encoder.replace", "load_corpus", "corpus_info", "export_corpus",
             "marker_rates_by_voice", "cluster_stability"}


def _public_callables():
    seen = set()
    names = [(n, getattr(framing, n)) for n in framing.__all__ if n != "__version__"]
    names += [(f"plot.{n}", getattr(framing.plot, n)) for n in getattr(framing.plot, "__all__", [])]
    for name, obj in names:
        if inspect.isclass(obj):
            if issubclass(obj, BaseException):
                continue
            yield name, obj.__init__
            for m, f in inspect.getmembers(obj):
                if not m.startswith("_") and callable(f) and (name, m) not in seen:
                    seen.add((name, m))
                    yield f"{name}.{m}", f
        elif callable(obj):
            yield name, obj


def _params(func):
    try:
        return inspect.signature(func).parameters
    except (TypeError, ValueError):
        return {}


def test_public_parameters_follow_the_glossary():
    bad = []
    for qual, func in _public_callables():
        for p in _params(func):
            if p in RETIRED and (qual, p) not in ALLOWED and (qual.replace(".__init__", "") + ".__init__", p) not in ALLOWED:
                bad.append(f"{qual}({p}=) -> {RETIRED[p]}=")
    assert not bad, "parameter names outside the glossary:\n" + "\n".join(sorted(bad))


def test_no_public_callable_swallows_unknown_keywords():
    bad = []
    for qual, func in _public_callables():
        for p in _params(func).values():
            if p.kind is inspect.Parameter.VAR_KEYWORD and qual not in KWARGS_OK and not qual.endswith("__init__"):
                bad.append(qual)
    assert not bad, "public callables taking **kwargs (unknown keywords must raise):\n" + "\n".join(sorted(bad))


def test_retired_result_columns_are_gone_from_the_package():
    hits = []
    for path in sorted((ROOT / "framing").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in RETIRED_COLUMNS:
                hits.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not hits, "retired result column names (use ci_low/ci_high/p_value/q):\n" + "\n".join(hits)


def test_glossary_document_lists_every_name():
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    for name in ["group=", "n_boot", "n_perm", "n_null", "alpha", "random_state", "embeddings=", "encoder=",
                 "ci_low", "ci_high", "p_value", "`q`", "to_frame()", "summary()"]:
        assert name in text, name


def test_a_deprecated_name_warns_and_still_works():
    from framing._compat import renamed_kwargs

    @renamed_kwargs(bootstrap="n_boot")
    def f(*, n_boot=0):
        return n_boot

    with pytest.warns(DeprecationWarning, match="n_boot"):
        assert f(bootstrap=7) == 7
    with pytest.raises(TypeError, match="both"):
        f(bootstrap=1, n_boot=2)
    with pytest.raises(TypeError):
        f(nboot=3)
    assert list(inspect.signature(f).parameters) == ["n_boot"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(n_boot=4) == 4
