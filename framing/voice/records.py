"""The sentences a filter left out, held as columns: compact on a big corpus.

A voice or boilerplate filter records every sentence it leaves out (``doc_id``,
``sent_id``, ``outlet``, ``start``, ``end``, ``reason``) in ``attrs["excluded"]`` so that
nothing is lost without a trace (:func:`framing.excluded_rows` turns it into a table). In
memory that record is a list of dicts. On a Dask corpus of millions of sentences a list of
dicts costs about 520 bytes per left-out sentence; :class:`Records` holds the same rows as
columns (pandas' Arrow-backed strings, integers), about 100 bytes, and still reads as a
sequence of the same dicts.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Records"]

class Records(Sequence):
    """A read-only sequence of records (dicts) stored as a compact DataFrame.

    It compares equal to a list of the same dicts, adds up with ``+``, and a deep copy
    (pandas copies ``attrs`` on every operation) is the object itself: nothing is copied.

    Examples
    --------
    >>> r = Records.of([{"doc_id": "b", "start": 4, "reason": "boilerplate=repeated"},
    ...                 {"doc_id": "a", "start": 0, "reason": "voice=direct"}])
    >>> len(r), r[1]["doc_id"], r.sorted()[0] == {"doc_id": "a", "start": 0, "reason": "voice=direct"}
    (2, 'a', True)
    >>> r == list(r)
    True
    """

    __slots__ = ("_frame",)

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame.reset_index(drop=True)

    @classmethod
    def of(cls, records: Any) -> Records:
        """Records from a list of dicts, a DataFrame, another :class:`Records` or None (empty)."""
        if isinstance(records, Records):
            return records
        if records is None:
            return cls(pd.DataFrame())
        if isinstance(records, pd.DataFrame):
            return cls(records)
        return cls(pd.DataFrame.from_records(list(records)))

    @classmethod
    def concat(cls, parts: Iterable[Any]) -> Records:
        """The records of several parts, in order (one copy, however many parts)."""
        frames = [Records.of(p)._frame for p in parts]
        frames = [f for f in frames if len(f.columns)]
        return cls(pd.concat(frames, ignore_index=True)) if frames else cls(pd.DataFrame())

    def sorted(self) -> Records:
        """In document order: by ``doc_id`` (as text), then ``start`` (the order whatever the partitions)."""
        f = self._frame
        if not len(f) or "doc_id" not in f.columns:
            return self
        start = (pd.to_numeric(f["start"], errors="coerce").fillna(0).to_numpy()
                 if "start" in f.columns else np.zeros(len(f)))
        order = np.lexsort((start, f["doc_id"].astype(str).to_numpy(dtype=object)))
        return Records(f.iloc[order])

    def to_frame(self) -> pd.DataFrame:
        """The records as a DataFrame (a copy)."""
        return self._frame.copy()

    def __len__(self) -> int:
        return len(self._frame)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return Records(self._frame.iloc[i])
        n = len(self)
        if not -n <= i < n:
            raise IndexError("record index out of range")
        return self._frame.iloc[[i]].to_dict("records")[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for a in range(0, len(self), 10_000):
            yield from self._frame.iloc[a:a + 10_000].to_dict("records")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Records):
            other = list(other)
        if not isinstance(other, Sequence) or isinstance(other, str) or len(other) != len(self):
            return False
        return all(a == (dict(b) if isinstance(b, Mapping) else b) for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Any) -> Records:
        return Records.concat([self, other])

    def __deepcopy__(self, memo: dict) -> Records:
        return self          # read-only: a deep copy may share it

    def __reduce__(self) -> tuple:
        return (Records, (self._frame,))

    def __repr__(self) -> str:
        return f"Records({len(self)} rows: {', '.join(map(str, self._frame.columns))})"
