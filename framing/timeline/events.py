"""A user-editable table of dated events, drawn on every time plot.

:func:`load_events` reads a YAML file (default: the shipped
``framing/data/events_ru_ua_2022.yaml``, the referendum weeks of September-October 2022)
and returns one row per event with ``date``, ``end``, ``event``, ``source`` and ``note``.
"""
from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["load_events", "EventsError", "DEFAULT_EVENTS"]

#: file name of the shipped events table (in ``framing/data``)
DEFAULT_EVENTS = "events_ru_ua_2022.yaml"
_KEYS = {"date", "end", "event", "source", "note"}


class EventsError(ValueError):
    """An events file or table that cannot be read; the message names the entry."""


def _read(path: str | Path | None) -> tuple[Any, str]:
    import yaml

    if path is None:
        ref = resources.files("framing").joinpath("data", DEFAULT_EVENTS)
        return yaml.safe_load(ref.read_text(encoding="utf-8")), DEFAULT_EVENTS
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise EventsError(f"{p}: cannot read the events file ({exc})") from None
    try:
        return yaml.safe_load(text), str(p)
    except (yaml.YAMLError, ValueError) as exc:     # a date like 2022-13-40 fails inside the parser
        raise EventsError(f"{p}: not valid YAML or a date is not a date ({exc})") from None


def _date(value: Any, where: str, key: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise EventsError(f"{where}: {key} {value!r} is not a date (YYYY-MM-DD)") from None
    if pd.isna(ts):
        raise EventsError(f"{where}: {key} is missing")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _entry(item: Any, i: int, source: str) -> dict[str, Any]:
    label = item.get("event") if isinstance(item, Mapping) else None
    where = f"{source}: entry {i}" + (f" ({label!r})" if label else "")
    if not isinstance(item, Mapping):
        raise EventsError(f"{where}: expected a mapping with date, event, source; got {type(item).__name__}")
    unknown = sorted(set(map(str, item)) - _KEYS)
    if unknown:
        raise EventsError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(_KEYS)}")
    for key in ("date", "event", "source"):
        if item.get(key) in (None, ""):
            raise EventsError(f"{where}: {key} is missing")
    for key in ("event", "source"):
        if not isinstance(item[key], str) or not item[key].strip():
            raise EventsError(f"{where}: {key} must be a non-empty text")
    date = _date(item["date"], where, "date")
    end = _date(item["end"], where, "end") if item.get("end") is not None else pd.NaT
    if end is not pd.NaT and end < date:
        raise EventsError(f"{where}: end {end.date()} is before date {date.date()}")
    return {"date": date, "end": end, "event": item["event"].strip(), "source": " ".join(item["source"].split()),
            "note": str(item.get("note") or "")}


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """Read a table of dated events (default: the shipped referendum-weeks table).

    The file is YAML with a list ``events`` of entries ``date`` (``YYYY-MM-DD``), optional
    ``end`` (last day of a range, inclusive), ``event`` (a short label), ``source`` (where
    the date comes from; required, so every line drawn on a plot can be checked) and
    optional ``note``. Copy the shipped file, edit it and pass its path to use your own.

    Parameters
    ----------
    path : str or Path, optional
        The YAML file; None reads ``framing/data/events_ru_ua_2022.yaml``.

    Returns
    -------
    DataFrame
        One row per event, sorted by date: ``date``, ``end`` (NaT for one-day events),
        ``event``, ``source``, ``note``. ``attrs["source"]`` names the file.

    Raises
    ------
    EventsError
        A missing file, invalid YAML, or an entry without a date, event or source, with an
        unparseable date, an ``end`` before its ``date`` or an unknown key; the message names
        the entry (its position and label).

    Examples
    --------
    >>> ev = load_events()
    >>> ev[["date", "event"]].head(2).astype(str).values.tolist()
    [['2022-09-20', 'Referendums announced'], ['2022-09-23', 'Voting']]
    >>> str(ev.loc[ev["event"] == "Voting", "end"].iloc[0].date())
    '2022-09-27'
    """
    data, source = _read(path)
    if isinstance(data, Mapping):
        items = data.get("events")
    else:
        items = data
    if not isinstance(items, list) or not items:
        raise EventsError(f"{source}: expected a non-empty list 'events' of entries (date, event, source)")
    rows = [_entry(item, i, source) for i, item in enumerate(items)]
    out = pd.DataFrame(rows, columns=["date", "end", "event", "source", "note"])
    out["date"] = pd.to_datetime(out["date"])
    out["end"] = pd.to_datetime(out["end"])
    out = out.sort_values("date", kind="stable").reset_index(drop=True)
    out.attrs["source"] = source
    return out
