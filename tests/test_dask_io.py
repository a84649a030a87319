"""framing.dask_io: a corpus as a Dask DataFrame, one partition per file, same validation."""
from __future__ import annotations

import pandas as pd
import pytest

import framing
from framing import dask_io
from framing.corpus import CorpusError

dd = pytest.importorskip("dask.dataframe")

SYNC = {"scheduler": "sync"}


def _corpus(n: int = 12) -> pd.DataFrame:
    raw = pd.DataFrame({"doc_id": [f"d{i:02d}" for i in range(n)],
                        "outlet": [["RT", "NYT", "A/B"][i % 3] for i in range(n)],
                        "published": [f"2022-09-{10 + i % 20:02d}" for i in range(n)],
                        "title": [f"Title {i}" for i in range(n)],
                        "text": [f"Document {i} says the vote was held. Troops moved." for i in range(n)],
                        "lang": "en", "vote": [i % 2 for i in range(n)]})
    return framing.validate_corpus(raw, source="raw.csv")


def test_partitioned_parquet_reads_back_identically(tmp_path):
    corpus = _corpus()
    path = dask_io.write_corpus(corpus, tmp_path / "ds", partition_on=["outlet"])
    folders = sorted(p.parent.name for p in path.rglob("*.parquet"))
    assert folders == ["outlet=A%2FB", "outlet=NYT", "outlet=RT"]
    ddf = dask_io.read_corpus(path)
    assert ddf.npartitions == 3
    back = ddf.compute(**SYNC).sort_values("doc_id", ignore_index=True)
    want = corpus.sort_values("doc_id", ignore_index=True)
    assert list(back.columns) == list(want.columns)
    for c in want.columns:  # same values; dtypes as the in-memory reader gives them
        assert back[c].tolist() == want[c].tolist(), c
    assert back["published"].dtype == want["published"].dtype


def test_dask_corpus_written_again(tmp_path):
    corpus = _corpus()
    ddf = dd.from_pandas(corpus, npartitions=2)
    path = dask_io.write_corpus(ddf, tmp_path / "ds", partition_on="vote", scheduler="sync")
    back = dask_io.read_corpus(path).compute(**SYNC).sort_values("doc_id", ignore_index=True)
    assert back["doc_id"].tolist() == corpus["doc_id"].tolist()
    assert len(list(path.rglob("*.parquet"))) == 4  # 2 partitions x 2 values


def test_same_validation_and_dropped_rows_per_file(tmp_path):
    for i in (1, 2):
        (tmp_path / f"news-{i}.csv").write_text(
            "doc_id,outlet,published,text\n"
            f"a{i},RT,2022-09-2{i},Voting began.\n"
            f"b{i},RT,2022-13-40,Bad date.\n"
            f"c{i},RT,2022-09-2{i},\n")
    ddf = dask_io.read_corpus(str(tmp_path / "news-*.csv"), errors="drop")
    got = ddf.compute(**SYNC)
    one = framing.read_corpus(tmp_path / "news-1.csv", errors="drop")
    assert got["doc_id"].tolist() == ["a1", "a2"]
    assert got.iloc[:1].reset_index(drop=True).equals(one.reset_index(drop=True))
    dropped = dask_io.dropped_rows(ddf, **SYNC)
    assert len(dropped) == 4
    assert dropped["source"].str.endswith(("news-1.csv", "news-2.csv")).all()
    single = framing.dropped_rows(one)
    pd.testing.assert_frame_equal(dropped.iloc[:2].reset_index(drop=True), single.reset_index(drop=True),
                                  check_dtype=False)
    with pytest.raises(CorpusError, match="row 2"):
        dask_io.read_corpus(str(tmp_path / "news-*.csv"))  # errors="raise": the first file fails at once


def test_jsonl_glob_and_options(tmp_path):
    for i in (1, 2):
        (tmp_path / f"p{i}.jsonl").write_text(
            f'{{"id": "x{i}", "source": "RT", "date": "2022-09-2{i}", "body": "Text {i}."}}\n')
    ddf = dask_io.read_corpus(str(tmp_path / "*.jsonl"), doc_id="id", outlet="source", published="date",
                              text="body")
    assert ddf.compute(**SYNC)["doc_id"].tolist() == ["x1", "x2"]
    with pytest.raises(TypeError, match="unexpected keyword"):
        dask_io.read_corpus(str(tmp_path / "*.jsonl"), txt="body")


def test_foreign_hive_dataset_gets_its_keys(tmp_path):
    corpus = _corpus(6)
    for outlet, rows in corpus.groupby("outlet"):
        folder = tmp_path / "ds" / f"outlet={outlet.replace('/', '%2F')}"
        folder.mkdir(parents=True)
        plain = rows.drop(columns="outlet")
        plain.attrs = {}
        plain.to_parquet(folder / "data.parquet", index=False)
    back = dask_io.read_corpus(tmp_path / "ds").compute(**SYNC).sort_values("doc_id")
    assert back["outlet"].tolist() == corpus["outlet"].tolist()


def test_different_columns_named(tmp_path):
    a = _corpus(3)
    framing.export_corpus(a, tmp_path / "a.parquet")
    framing.export_corpus(a.drop(columns="vote"), tmp_path / "b.parquet")
    ddf = dask_io.read_corpus(tmp_path)
    with pytest.raises(CorpusError, match="b.parquet.*missing \\['vote'\\]"):
        ddf.compute(**SYNC)


def test_repeated_doc_ids_across_files(tmp_path):
    a = _corpus(3)
    framing.export_corpus(a, tmp_path / "a.parquet")
    framing.export_corpus(a, tmp_path / "b.parquet")
    with pytest.raises(CorpusError, match="occurs 2 times"):
        dask_io.check_doc_ids(dask_io.read_corpus(tmp_path), **SYNC)


def test_missing_path():
    with pytest.raises(FileNotFoundError):
        dask_io.read_corpus("/no/such/*.csv")
