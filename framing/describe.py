"""Descriptive tables of a corpus: coverage over time, document lengths, group sizes.

Each function takes a corpus (see :mod:`framing.corpus`) and returns a tidy DataFrame that
the matching ``framing.plot.corpus.plot_*`` function draws.
"""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from framing._compat import renamed_kwargs
from framing.tokens import count_tokens


@renamed_kwargs(by="group")
def coverage(corpus: pd.DataFrame, *, group: str = "outlet", freq: str = "D",
             start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Documents per group and period, with empty periods filled with 0.

    Parameters
    ----------
    corpus : DataFrame
        A corpus with ``published`` and the ``group`` column.
    group : str
        Grouping column (default ``"outlet"``).
    freq : str
        pandas period alias: ``"D"`` (day), ``"W"``, ``"M"``...
    start, end : date-like, optional
        Window to report (inclusive); defaults to the corpus's date range.

    Returns
    -------
    DataFrame
        Tidy: the ``group`` column, ``period`` (Timestamp at the period start), ``documents``.

    Examples
    --------
    >>> c = pd.DataFrame({"outlet": ["A", "A", "B"],
    ...                   "published": pd.to_datetime(["2022-09-23", "2022-09-23", "2022-09-25"])})
    >>> coverage(c).query("outlet == 'B'")["documents"].tolist()
    [0, 0, 1]
    """
    by = group
    for col in (by, "published"):
        if col not in corpus.columns:
            raise KeyError(f"coverage: the corpus has no column {col!r}")
    dates = pd.to_datetime(corpus["published"])
    lo = pd.Timestamp(start) if start is not None else dates.min()
    hi = pd.Timestamp(end) if end is not None else dates.max()
    if pd.isna(lo) or pd.isna(hi):
        return pd.DataFrame({by: pd.Series(dtype=object), "period": pd.Series(dtype="datetime64[ns]"),
                             "documents": pd.Series(dtype=int)})
    inside = (dates >= lo) & (dates <= hi)
    periods = dates[inside].dt.to_period(freq).dt.start_time
    counts = pd.crosstab(corpus.loc[inside, by], periods)
    full = pd.period_range(lo, hi, freq=freq).start_time
    counts = counts.reindex(columns=full, fill_value=0)
    groups = sorted(corpus[by].dropna().unique())
    counts = counts.reindex(index=groups, fill_value=0)
    out = counts.stack().rename("documents").reset_index()
    out.columns = [by, "period", "documents"]
    out["documents"] = out["documents"].astype(int)
    return out


@renamed_kwargs(by="group")
def doc_lengths(corpus: pd.DataFrame, *, group: str = "outlet") -> pd.DataFrame:
    """Length of each document in words (:func:`framing.tokens.tokenize` tokens, the words of
    every rate in ``framing``) and characters.

    Returns
    -------
    DataFrame
        ``doc_id``, the ``group`` column, ``words``, ``chars``, in the corpus's row order.

    Examples
    --------
    >>> c = pd.DataFrame({"doc_id": ["a"], "outlet": ["X"], "text": ["Kyiv's mayor said so-called votes."]})
    >>> doc_lengths(c)["words"].tolist()
    [5]
    """
    text = corpus["text"].astype(str)
    return pd.DataFrame({
        "doc_id": corpus["doc_id"].to_numpy(),
        group: corpus[group].to_numpy(),
        "words": text.map(count_tokens).to_numpy(dtype=int),
        "chars": text.str.len().to_numpy(dtype=int),
    })


@renamed_kwargs(by="group")
def length_summary(lengths: pd.DataFrame, *, group: str = "outlet") -> pd.DataFrame:
    """Per group: documents, median and quartiles of words per document.

    Examples
    --------
    >>> l = pd.DataFrame({"outlet": ["A", "A", "B"], "words": [10, 30, 5]})
    >>> float(length_summary(l).set_index("outlet").loc["A", "median_words"])
    20.0
    """
    g = lengths.groupby(group)["words"]
    return pd.DataFrame({
        "documents": g.size(),
        "median_words": g.median().astype(float),
        "q1_words": g.quantile(0.25),
        "q3_words": g.quantile(0.75),
        "total_words": g.sum(),
    }).reset_index()


@renamed_kwargs(by="group")
def group_sizes(corpus: pd.DataFrame, column: str, *, order: Sequence[str] | None = None,
                group: str | None = None) -> pd.DataFrame:
    """Number of documents per value of ``column`` (optionally per ``group``, e.g. year).

    Missing values are counted under ``"(missing)"``, never dropped.

    Examples
    --------
    >>> c = pd.DataFrame({"vote": ["yes", "no", None, "yes"]})
    >>> group_sizes(c, "vote").set_index("vote")["documents"].to_dict()
    {'yes': 2, 'no': 1, '(missing)': 1}
    """
    by = group
    values = corpus[column].astype(object).where(corpus[column].notna(), "(missing)")
    keys = [values] if by is None else [corpus[by], values]
    out = values.groupby(keys, sort=False).size().rename("documents").reset_index()
    out.columns = ([column] if by is None else [by, column]) + ["documents"]
    if order is not None:
        rank = {v: i for i, v in enumerate(list(order) + ["(missing)"])}
        out = out.assign(_r=out[column].map(lambda v: rank.get(v, len(rank))))
        out = out.sort_values(([by] if by else []) + ["_r"], kind="stable").drop(columns="_r")
    return out.reset_index(drop=True)


__all__ = ["coverage", "doc_lengths", "length_summary", "group_sizes"]

