"""Marker lexicons: the YAML format, its validation, and each marker's regex (rules in
:mod:`framing.markers`)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from framing._display import html_summary
from framing.tokens import LexicalError, literal_regex

__all__ = ["Lexicon", "Marker", "LexiconError", "DEFAULT_LEXICON", "CASE_RULES", "QUOTE_MARKS", "load_lexicon"]

DEFAULT_LEXICON = "markers_ru_ua.yaml"
CASE_RULES = ("insensitive", "sensitive", "proper")
QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a\u2039\u203a"
_MARKER_KEYS = {"marker", "variants", "case", "quoted", "regex", "concept", "description"}
_FAMILY_KEYS = {"description", "markers", "case", "quoted"}
_TOP_KEYS = {"name", "description", "version", "families", "notes"}


class LexiconError(LexicalError):
    """A lexicon file or entry is invalid; the message names the file, family and entry."""


@dataclass(frozen=True)
class Marker:
    """One marker of a lexicon (see the module docstring for the fields)."""

    family: str
    marker: str
    variants: tuple[str, ...]
    case: str = "insensitive"
    quoted: bool = False
    regex: bool = False
    concept: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Lexicon:
    """A validated set of markers, in file order.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> "naming" in lex.families and "scare_quotes" in lex.families
    True
    >>> [m.marker for m in lex.select(family="naming", marker="Kyiv").markers]
    ['Kyiv']
    >>> list(lex.summary().columns)
    ['family', 'markers', 'variants', 'quoted']
    """

    markers: tuple[Marker, ...]
    name: str = ""
    source: str = ""
    description: str = field(default="", compare=False)

    @property
    def families(self) -> list[str]:
        """Family names, in file order."""
        return list(dict.fromkeys(m.family for m in self.markers))

    def select(self, *, family: str | Iterable[str] | None = None,
               marker: str | Iterable[str] | None = None) -> "Lexicon":
        """The markers of the given family/families and/or with the given name(s)."""
        fams = None if family is None else ({family} if isinstance(family, str) else set(family))
        names = None if marker is None else ({marker} if isinstance(marker, str) else set(marker))
        if fams is not None and not fams <= set(self.families):
            raise LexiconError(f"{self.source}: unknown family {sorted(fams - set(self.families))}; "
                               f"families are {self.families}")
        chosen = tuple(m for m in self.markers
                       if (fams is None or m.family in fams) and (names is None or m.marker in names))
        if not chosen:
            raise LexiconError(f"{self.source}: no marker matches family={family!r}, marker={marker!r}")
        return replace(self, markers=chosen)

    def to_frame(self) -> pd.DataFrame:
        """One row per marker: family, marker, concept, case, quoted, regex, variants."""
        return pd.DataFrame([{"family": m.family, "marker": m.marker, "concept": m.concept, "case": m.case,
                              "quoted": m.quoted, "regex": m.regex, "variants": list(m.variants)}
                             for m in self.markers])

    def summary(self) -> pd.DataFrame:
        """One row per family: ``family``, ``markers``, ``variants`` (counts), ``quoted``
        (markers that count only inside quote marks)."""
        table = self.to_frame()
        return (table.assign(n_variants=table["variants"].map(len))
                .groupby("family", sort=False)
                .agg(markers=("marker", "size"), variants=("n_variants", "sum"), quoted=("quoted", "sum"))
                .reset_index())

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: name, source, families and the first markers."""
        table = self.to_frame()
        table["variants"] = table["variants"].map(lambda v: ", ".join(v))
        return html_summary("Lexicon", {"name": self.name or None, "source": self.source or None,
                                        "markers": len(self.markers), "families": self.families}, table)


def _fail(source: str, where: str, what: str) -> LexiconError:
    return LexiconError(f"{source}: {where}: {what}")


def _parse(data: Any, source: str) -> Lexicon:
    if not isinstance(data, Mapping):
        raise _fail(source, "top level", f"expected a mapping with 'families', got {type(data).__name__}")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(source, "top level", f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    families = data.get("families")
    if not isinstance(families, Mapping) or not families:
        raise _fail(source, "top level", "'families' must be a non-empty mapping of family name -> family")
    markers: list[Marker] = []
    for fam, spec in families.items():
        fwhere = f"family {fam!r}"
        if not isinstance(fam, str) or not fam.strip():
            raise _fail(source, fwhere, "family names must be non-empty strings")
        if not isinstance(spec, Mapping):
            raise _fail(source, fwhere, f"expected a mapping with 'markers', got {type(spec).__name__}")
        unknown = set(spec) - _FAMILY_KEYS
        if unknown:
            raise _fail(source, fwhere, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_FAMILY_KEYS)}")
        entries = spec.get("markers")
        if not isinstance(entries, list) or not entries:
            raise _fail(source, fwhere, "'markers' must be a non-empty list")
        seen: set[str] = set()
        for k, entry in enumerate(entries, start=1):
            name = entry.get("marker") if isinstance(entry, Mapping) else None
            where = f"family {fam!r}, marker #{k}" + (f" ({name!r})" if name is not None else "")
            if not isinstance(entry, Mapping):
                raise _fail(source, where, f"expected a mapping, got {entry!r}")
            unknown = set(entry) - _MARKER_KEYS
            if unknown:
                raise _fail(source, where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_MARKER_KEYS)}")
            if not isinstance(name, str) or not name.strip():
                raise _fail(source, where, "'marker' must be a non-empty string")
            if name in seen:
                raise _fail(source, where, "duplicate marker name in this family")
            seen.add(name)
            variants = entry.get("variants", [name])
            if isinstance(variants, str):
                variants = [variants]
            if not isinstance(variants, list) or not variants:
                raise _fail(source, where, "'variants' must be a non-empty list of strings")
            for v in variants:
                if not isinstance(v, str) or not v.strip():
                    raise _fail(source, where, f"variant {v!r} is not a non-empty string")
            case = entry.get("case", spec.get("case", "insensitive"))
            if case not in CASE_RULES:
                raise _fail(source, where, f"'case' must be one of {CASE_RULES}, got {case!r}")
            flags = {}
            for key in ("quoted", "regex"):
                value = entry.get(key, spec.get(key, False) if key == "quoted" else False)
                if not isinstance(value, bool):
                    raise _fail(source, where, f"{key!r} must be true or false, got {value!r}")
                flags[key] = value
            concept = entry.get("concept")
            if concept is not None and not isinstance(concept, str):
                raise _fail(source, where, f"'concept' must be a string, got {concept!r}")
            m = Marker(family=fam, marker=name, variants=tuple(v.strip() for v in variants), case=case,
                       quoted=flags["quoted"], regex=flags["regex"], concept=concept,
                       description=str(entry.get("description", "")))
            try:
                re.compile(_marker_pattern(m))
            except re.error as exc:
                raise _fail(source, where, f"bad regex variant: {exc}") from None
            markers.append(m)
    return Lexicon(markers=tuple(markers), name=str(data.get("name", "")), source=source,
                   description=str(data.get("description", "")))


def load_lexicon(path: str | Path | Mapping | Lexicon | None = None) -> Lexicon:
    """Load and validate a marker lexicon.

    Parameters
    ----------
    path : str, Path, mapping, Lexicon or None
        A YAML file, an already-parsed mapping, or None for the shipped
        ``framing/data/markers_ru_ua.yaml``. A :class:`Lexicon` is returned unchanged.

    Returns
    -------
    Lexicon

    Raises
    ------
    LexiconError
        Naming the file, the family and the entry (number and name) that is wrong.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> lex.to_frame().query("marker == 'Kyiv'")[["family", "concept", "case"]].values.tolist()
    [['naming', 'Kyiv', 'proper']]
    >>> try:
    ...     load_lexicon({"families": {"f": {"markers": [{"marker": "x", "case": "upper"}]}}})
    ... except LexiconError as exc:
    ...     print(str(exc)[:55])
    <dict>: family 'f', marker #1 ('x'): 'case' must be one
    """
    if isinstance(path, Lexicon):
        return path
    if isinstance(path, Mapping):
        return _parse(path, "<dict>")
    if path is None:
        ref = resources.files("framing") / "data" / DEFAULT_LEXICON
        text, source = ref.read_text(encoding="utf-8"), DEFAULT_LEXICON
    else:
        p = Path(path)
        if not p.is_file():
            raise LexiconError(f"{p}: no such lexicon file")
        text, source = p.read_text(encoding="utf-8"), str(p)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LexiconError(f"{source}: not valid YAML: {exc}") from None
    return _parse(data, source)


def _bodies(m: Marker) -> list[tuple[int, str]]:
    """(variant index, regex body) pairs, longest variant first."""
    order = sorted(range(len(m.variants)), key=lambda j: -len(m.variants[j]))
    out = []
    for j in order:
        v = m.variants[j]
        if m.regex:
            body = f"(?:{v})"
        elif m.case == "proper" and v.upper() != v:
            body = f"(?:{literal_regex(v)}|{literal_regex(v.upper())})"
        else:
            body = literal_regex(v)
        out.append((j, body))
    return out


def _marker_pattern(m: Marker) -> str:
    flag = "i" if m.case == "insensitive" else ""
    alts = "|".join(body for _, body in _bodies(m))
    core = f"(?{flag}:{alts})" if flag else f"(?:{alts})"
    if m.quoted:
        return rf"(?<!\w)[{QUOTE_MARKS}]{core}[.,]?[{QUOTE_MARKS}](?!\w)"
    return rf"(?<!\w){core}(?!\w)"

