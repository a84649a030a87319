"""Actor lexicon: speakers grouped into actor groups by name and title patterns (YAML-editable)."""
from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from framing._compat import renamed_kwargs
from framing._display import html_summary

__all__ = ["ActorLexicon"]


class ActorLexicon:
    """Groups speakers into actor groups with name and title patterns (YAML-editable).

    Parameters
    ----------
    actor_groups : list of dict
        The actor-group definitions, each with ``id``, ``label``, ``names`` and ``titles``
        (lists of case-insensitive regular expressions matched as whole words in the speaker
        phrase). Names are tried first across all groups, in order; then titles.
    default_group : str
        Group of a speaker that matches nothing.

    Examples
    --------
    >>> lex = ActorLexicon.default()
    >>> lex.classify("Kremlin spokesman Dmitry Peskov"), lex.classify("a resident of Kherson")
    ('russian_officials', 'residents_others')
    >>> lex.classify("Russia's UN envoy Vassily Nebenzia"), lex.classify(None)
    ('russian_officials', 'unattributed')
    """

    @renamed_kwargs(groups="actor_groups")
    def __init__(self, actor_groups: Sequence[Mapping[str, Any]], default_group: str = "other") -> None:
        self.actor_groups: list[dict[str, Any]] = list(actor_groups)
        self.default_group = default_group
        self._compile()

    @property
    def groups(self) -> list[dict[str, Any]]:
        """Deprecated name of :attr:`actor_groups`."""
        warnings.warn("ActorLexicon.groups is deprecated; use ActorLexicon.actor_groups", DeprecationWarning,
                      stacklevel=2)
        return self.actor_groups

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ActorLexicon):
            return NotImplemented
        return (self.actor_groups, self.default_group) == (other.actor_groups, other.default_group)

    def __repr__(self) -> str:
        return f"ActorLexicon(actor_groups=<{len(self.actor_groups)} groups>, default_group={self.default_group!r})"

    def _compile(self) -> None:
        self._names: list[tuple[str, re.Pattern[str]]] = []
        self._titles: list[tuple[str, re.Pattern[str]]] = []
        seen = set()
        for i, g in enumerate(self.actor_groups):
            if not isinstance(g, Mapping) or "id" not in g:
                raise ValueError(f"actor lexicon group {i} needs an 'id' (got {g!r})")
            gid = str(g["id"])
            if gid in seen:
                raise ValueError(f"actor lexicon: group id {gid!r} appears twice")
            seen.add(gid)
            for key, target in (("names", self._names), ("titles", self._titles)):
                pats = g.get(key) or []
                if isinstance(pats, str):
                    raise ValueError(f"actor lexicon group {gid!r}: {key!r} must be a list of patterns")
                for p in pats:
                    try:
                        rx = re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.I)
                    except re.error as err:
                        raise ValueError(f"actor lexicon group {gid!r}, {key}: bad pattern {p!r} ({err})") from None
                    target.append((gid, rx))

    @property
    def labels(self) -> dict[str, str]:
        """Group id -> label (plus the default and ``unattributed``)."""
        out = {str(g["id"]): str(g.get("label", g["id"])) for g in self.actor_groups}
        out.setdefault(self.default_group, self.default_group.replace("_", " ").capitalize())
        out["unattributed"] = "Unattributed"
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per actor group: ``id``, ``label``, ``names`` and ``titles`` (patterns joined by ", ")."""
        return pd.DataFrame([{"id": str(g["id"]), "label": str(g.get("label", g["id"])),
                              "names": ", ".join(map(str, g.get("names") or [])),
                              "titles": ", ".join(map(str, g.get("titles") or []))} for g in self.actor_groups],
                            columns=["id", "label", "names", "titles"])

    def _repr_html_(self) -> str:
        """Compact HTML for notebooks: one row per actor group with its name and title patterns."""
        return html_summary("ActorLexicon", {"actor_groups": len(self.actor_groups),
                                             "default_group": self.default_group}, self.to_frame())

    @classmethod
    def from_yaml(cls, path: str | Path) -> "ActorLexicon":
        """Read a lexicon file (see ``framing/data/actors_ru_ua.yaml`` for the format)."""
        import yaml

        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            raise ValueError(f"{path}: not valid YAML ({err})") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "actor lexicon") -> "ActorLexicon":
        """Build from the parsed YAML structure (``groups`` list, ``default_group``)."""
        if not isinstance(data, Mapping) or not isinstance(data.get("groups"), list):
            raise ValueError(f"{source}: expected a mapping with a 'groups' list")
        return cls(actor_groups=list(data["groups"]), default_group=str(data.get("default_group", "other")))

    @classmethod
    def default(cls) -> "ActorLexicon":
        """The shipped lexicon for the war in Ukraine (``actors_ru_ua.yaml``)."""
        ref = resources.files("framing") / "data" / "actors_ru_ua.yaml"
        with resources.as_file(ref) as p:
            return cls.from_yaml(p)

    def classify(self, speaker: str | None) -> str:
        """Actor group of a speaker phrase (``"unattributed"`` for None/empty)."""
        if speaker is None or (isinstance(speaker, float) and np.isnan(speaker)) or not str(speaker).strip():
            return "unattributed"
        s = str(speaker)
        for gid, rx in self._names:
            if rx.search(s):
                return gid
        for gid, rx in self._titles:
            if rx.search(s):
                return gid
        return self.default_group


def _lexicon(actors: Any) -> ActorLexicon:
    if actors is None:
        return ActorLexicon.default()
    if isinstance(actors, ActorLexicon):
        return actors
    if isinstance(actors, (str, Path)):
        return ActorLexicon.from_yaml(actors)
    if isinstance(actors, Mapping):
        return ActorLexicon.from_dict(actors)
    raise TypeError(f"actors must be None, a YAML path, a dict or an ActorLexicon, got {type(actors).__name__}")

