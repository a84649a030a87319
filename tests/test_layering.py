"""The package's layering: a lower stage never imports a higher one, and no module imports
another module's private names (the shared core lives in framing._checks, framing._compat,
framing._display and framing.stats, whose names are meant to be shared).

Stages, lowest first: core < corpus < segment < embed < analysis < plot < app. Imports inside
functions count too (a lazy import is still a dependency). A subpackage (framing.corpus,
framing.embed...) may share private names among its own modules.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "framing"

# first dotted component under framing -> stage
STAGES = ["core", "corpus", "segment", "embed", "analysis", "plot", "app"]
LAYER = {
    "__init__": "core", "_compat": "core", "_checks": "core", "_display": "core", "stats": "core",
    "testing": "core", "fetch": "core", "tokens": "core",
    "corpus": "corpus", "corpora": "corpus", "dask_io": "corpus",
    "boilerplate": "corpus", "segment": "segment",
    "embed": "embed", "onnx_backend": "embed",
    "lexical": "analysis", "markers": "analysis", "quotes": "analysis", "voice": "analysis",
    "axes": "analysis", "cluster": "analysis", "geometry": "analysis", "align": "analysis",
    "validate": "analysis", "coder": "analysis", "describe": "analysis", "timeline": "analysis",
    "compare": "analysis", "themes": "analysis", "events": "analysis", "scale": "analysis",
    "plot": "plot", "storyview": "plot", "explore": "plot",
    "cli": "app", "bench": "app",
}
SHARED = {"_compat", "_checks", "_display", "stats"}


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1] or ["__init__"]
        yield path, parts


def _imports(path: Path, parts: list[str]):
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = (["framing"] + parts)[: len(parts) + 1 - node.level + (1 if is_pkg else 0)]
                mod = base + (node.module.split(".") if node.module else [])
            else:
                mod = (node.module or "").split(".")
            if mod[:1] != ["framing"]:
                continue
            for alias in node.names:
                yield node.lineno, mod[1:], alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                mod = alias.name.split(".")
                if mod[:1] == ["framing"]:
                    yield node.lineno, mod[1:], None


def test_every_module_has_a_stage():
    missing = sorted({parts[0] for _, parts in _modules()} - set(LAYER))
    assert not missing, f"modules with no stage in tests/test_layering.py: {missing}"


def test_lower_stages_never_import_higher_ones():
    bad = []
    for path, parts in _modules():
        here = LAYER.get(parts[0])
        for line, mod, name in _imports(path, parts):
            target = mod[0] if mod else (name or "__init__")
            if not mod and name and name not in LAYER:   # "from framing import X": the package root
                target = "__init__"
            there = LAYER.get(target)
            if here and there and STAGES.index(there) > STAGES.index(here):
                bad.append(f"framing/{path.relative_to(PKG)}:{line}: {here} imports {there} (framing.{'.'.join(mod) or name})")
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_no_module_imports_another_modules_private_names():
    bad = []
    for path, parts in _modules():
        for line, mod, name in _imports(path, parts):
            if not name or not name.startswith("_") or name.startswith("__") or not mod:
                continue
            if mod[0] in SHARED or mod[0] == parts[0]:
                continue
            bad.append(f"framing/{path.relative_to(PKG)}:{line}: imports {name} from framing.{'.'.join(mod)}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


MAX_MODULE_LINES = 850     # "about 800" (issue 13)
MAX_FUNCTION_LINES = 85    # "about 80", not counting the docstring


def test_no_long_modules_or_functions():
    long = []
    for path, _ in _modules():
        src = path.read_text(encoding="utf-8")
        if src.count("\n") > MAX_MODULE_LINES:
            long.append(f"framing/{path.relative_to(PKG)}: {src.count(chr(10))} lines")
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                doc = (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                       and isinstance(body[0].value.value, str))
                start = body[0].end_lineno + 1 if doc else node.lineno
                if node.end_lineno - start + 1 > MAX_FUNCTION_LINES:
                    long.append(f"framing/{path.relative_to(PKG)}:{node.lineno}: {node.name} "
                                f"{node.end_lineno - start + 1} lines")
    assert not long, "split these into named steps or modules:\n" + "\n".join(long)
