"""One core of input checks shared by every stage (private).

- :func:`check_embeddings`: a finite 2-D numeric array with the expected number of rows.
- :func:`l2_normalize`: rows scaled to unit length, one rule for all-zero rows.
- :func:`resolve_embeddings`: the ``embeddings=`` / ``encoder=`` rule of the glossary.
- :func:`group_labels` / :func:`group_codes`: the ``group=`` rule of the glossary.

Every error names what was passed (``name``) and, for rows, the first offending row, so a
user can find it. Errors are ``ValueError``/``TypeError`` subclasses; a module may pass its own
error class (``error=``) so callers that catch e.g. ``ClusterError`` keep working.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["check_embeddings", "l2_normalize", "resolve_embeddings", "group_labels", "group_codes",
           "require_columns"]


def check_embeddings(X: Any, *, n_rows: int | None = None, name: str = "embeddings",
                     what: str = "row", error: type[Exception] = ValueError,
                     dtype: Any = np.float32) -> np.ndarray:
    """Validate a finite 2-D numeric array (a copy in ``dtype``); ``n_rows`` checks its length."""
    if isinstance(X, (pd.DataFrame, pd.Series)):
        X = X.to_numpy()
    try:
        A = np.array(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise error(f"{name} must be a numeric 2-D array: {exc}") from None
    if A.ndim != 2:
        raise error(f"{name} must be a 2-D array (one row per {what}, one column per dimension), "
                    f"got shape {A.shape}")
    if n_rows is not None and A.shape[0] != n_rows:
        raise error(f"{name} has {A.shape[0]} rows but there are {n_rows} {what}s (same order expected)")
    if A.shape[0] == 0:
        raise error(f"{name} is empty (0 rows)")
    bad = ~np.isfinite(A).all(axis=1)
    if bad.any():
        raise error(f"{name}: row {int(np.flatnonzero(bad)[0])} has NaN or infinite values")
    return A.astype(dtype, copy=False)


def l2_normalize(A: np.ndarray, *, zero: str = "error", name: str = "embeddings",
                 error: type[Exception] = ValueError, dtype: Any = np.float32) -> np.ndarray:
    """Rows divided by their Euclidean norm.

    ``zero="error"`` (default) refuses an all-zero row (it has no direction, so no cosine);
    ``zero="keep"`` leaves it as zeros (cosine 0 with everything).
    """
    if zero not in ("error", "keep"):
        raise ValueError(f"zero must be 'error' or 'keep', got {zero!r}")
    A = np.asarray(A, dtype=np.float64)
    norms = np.linalg.norm(A, axis=1, keepdims=True)
    is_zero = norms[:, 0] == 0
    if is_zero.any():
        if zero == "error":
            raise error(f"{name}: row {int(np.flatnonzero(is_zero)[0])} is the zero vector "
                        "(it has no direction, so no cosine)")
        norms[is_zero] = 1.0
    return (A / norms).astype(dtype)


def resolve_embeddings(texts: Sequence[str], *, embeddings: Any = None, encoder: Any = None,
                       name: str = "embeddings", what: str = "row", normalize: bool = True,
                       zero: str = "error", error: type[Exception] = ValueError,
                       dtype: Any = np.float32) -> np.ndarray:
    """The glossary rule: use ``embeddings`` (one row per text, same order), else encode the
    texts with ``encoder`` (any object with ``encode(list_of_str) -> array``), else raise."""
    texts = list(texts)
    if embeddings is not None:
        A = check_embeddings(embeddings, n_rows=len(texts), name=name, what=what, error=error, dtype=np.float64)
    elif encoder is not None:
        if not hasattr(encoder, "encode"):
            raise TypeError(f"encoder must have an encode(texts) method, got {type(encoder).__name__}")
        A = check_embeddings(encoder.encode(texts), n_rows=len(texts), name=f"{name} from the encoder",
                             what=what, error=error, dtype=np.float64)
    else:
        raise error(f"no {name}: pass embeddings= (one row per {what}, same order) or encoder= "
                    "(e.g. framing.Encoder(...))")
    return l2_normalize(A, zero=zero, name=name, error=error, dtype=dtype) if normalize else A.astype(dtype)


def require_columns(df: Any, columns: Sequence[str], *, name: str = "table",
                    error: type[Exception] = ValueError) -> None:
    """A pandas DataFrame with these columns, else an error naming the missing ones."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise error(f"{name} lacks column(s) {missing}; it has {list(df.columns)}")


GroupSpec = str | Mapping[Hashable, Hashable] | tuple[str, Mapping[Hashable, Hashable]] | None


def group_labels(table: pd.DataFrame, group: GroupSpec, *, default: str = "outlet", name: str = "table",
                 error: type[Exception] = ValueError, check_keys: bool = True) -> pd.Series:
    """The glossary's ``group=``: one label per row of ``table`` (NaN: in no group).

    - a column name: that column's values are the labels;
    - a mapping ``{value: label}``: the values of the ``default`` column (``"outlet"``) mapped
      to labels; values not in the mapping get no group (several values may share a label:
      ``{"cnn": "US", "nyt": "US", "rt": "RT"}``);
    - a pair ``(column, mapping)``: the same for another column;
    - ``None``: every row in one group, ``"all"``.

    A mapping none of whose keys occur is an error unless ``check_keys=False`` (one partition
    of a corpus may hold none of them).
    """
    if group is None:
        return pd.Series("all", index=table.index, name="group", dtype=object)
    if isinstance(group, tuple) and len(group) == 2 and isinstance(group[0], str) and isinstance(group[1], Mapping):
        column, mapping = group
    elif isinstance(group, Mapping):
        column, mapping = default, group
    elif isinstance(group, str):
        column, mapping = group, None
    else:
        raise TypeError("group must be a column name, a mapping {value: label} of the "
                        f"{default!r} column, or a (column, mapping) pair; got {type(group).__name__}")
    if column not in table.columns:
        raise error(f"group: {name} has no column {column!r}; it has {list(table.columns)}")
    values = table[column]
    if mapping is None:
        out = values.astype(object)
    else:
        unknown = set(mapping) - set(values.dropna().unique())
        if check_keys and len(unknown) == len(mapping) and len(mapping):
            raise error(f"group: none of the mapping's keys {sorted(map(str, unknown))[:5]} occur in "
                        f"column {column!r} of {name}")
        out = values.map(lambda v: mapping.get(v, np.nan) if _hashable(v) else np.nan).astype(object)
    return out.rename("group")


def _hashable(v: Any) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def group_codes(labels: pd.Series | Sequence[Any], *, order: Sequence[Any] | None = None
                ) -> tuple[np.ndarray, list[Any]]:
    """Integer codes (``-1``: no group) and the group names in code order.

    Groups are sorted unless ``order`` gives them (groups in ``order`` absent from the labels
    are kept, with no rows).
    """
    s = pd.Series(labels, dtype=object) if not isinstance(labels, pd.Series) else labels.astype(object)
    present = s.dropna()
    if order is None:
        try:
            cats = sorted(present.unique())
        except TypeError:
            cats = sorted(present.unique(), key=str)
    else:
        cats = list(order)
    index = {c: i for i, c in enumerate(cats)}
    codes = np.array([index.get(v, -1) if not (isinstance(v, float) and np.isnan(v)) else -1 for v in s],
                     dtype=np.int64)
    return codes, cats


def is_dask(obj: Any) -> bool:
    """A Dask collection (``dask.dataframe.DataFrame``), without importing Dask."""
    return not isinstance(obj, (pd.DataFrame, pd.Series)) and hasattr(obj, "to_delayed") and hasattr(obj, "npartitions")


def dask_options(func_name: str, options: Mapping[str, Any], defaults: Mapping[str, Any],
                 in_memory_only: Sequence[str]) -> dict[str, Any]:
    """The options to forward to the Dask path of ``func_name``: those the caller changed from
    their defaults. Options that only exist in memory (precomputed ``counts=``, ``matches=``,
    ``sentences=``, ``embeddings=``) are refused with a TypeError naming them."""
    bad = [k for k in in_memory_only if options.get(k) is not None]
    if bad:
        raise TypeError(f"{func_name}: {', '.join(f'{k}=' for k in bad)} cannot be combined with a Dask "
                        "DataFrame (the Dask path computes them per partition; see framing.scale)")
    return {k: v for k, v in options.items() if k not in in_memory_only and not _same(v, defaults.get(k))}


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):
        return False


def defaults_of(func: Any) -> dict[str, Any]:
    """A function's keyword defaults (``inspect.signature``), for :func:`dask_options`."""
    import inspect

    return {k: p.default for k, p in inspect.signature(func).parameters.items()
            if p.default is not inspect.Parameter.empty}
