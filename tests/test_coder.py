"""The trained coder: document-grouped cross-validation, metrics, saving without pickle."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import framing
from framing.testing import HashEncoder


def _leaky(n_docs=60, per_doc=4, dim=32, seed=0):
    """Each article repeats one random vector with one random label: only leakage can predict it."""
    rng = np.random.default_rng(seed)
    doc_vec = rng.standard_normal((n_docs, dim))
    doc_lab = rng.choice(["a", "b"], n_docs)
    X = np.repeat(doc_vec, per_doc, axis=0) + 0.01 * rng.standard_normal((n_docs * per_doc, dim))
    coded = pd.DataFrame({"doc_id": np.repeat([f"d{i}" for i in range(n_docs)], per_doc),
                          "sent_id": [f"s{i}" for i in range(n_docs * per_doc)],
                          "code": np.repeat(doc_lab, per_doc),
                          "outlet": np.repeat(rng.choice(["X", "Y"], n_docs), per_doc)})
    return coded, X


def test_folds_are_grouped_by_article():
    coded, X = _leaky()
    coder = framing.train_coder(coded, label="code", embeddings=X, n_boot=50, random_state=0)
    acc = coder.cv_report_["metrics"].set_index("metric").loc["accuracy", "estimate"]
    assert acc < 0.75            # sentence-level folds would score ~1.0 by memorising the article
    # the reported metrics are those of the out-of-fold probabilities (independent computation)
    from sklearn.metrics import accuracy_score, f1_score
    oof = coder.cv_report_["oof"]
    pred = oof.columns.to_numpy()[oof.to_numpy().argmax(axis=1)]
    m = coder.cv_report_["metrics"].set_index("metric")["estimate"]
    assert m["accuracy"] == pytest.approx(accuracy_score(coded["code"], pred))
    assert m["macro_f1"] == pytest.approx(f1_score(coded["code"], pred, average="macro"))
    assert set(coder.cv_report_["transfer"]["group"]) == {"X", "Y"}


def test_learns_a_planted_difference_and_round_trips_without_pickle(tmp_path):
    enc = HashEncoder(dim=64)
    texts = ["residents voted freely in a fair vote", "a sham vote staged at gunpoint"] * 20
    coded = pd.DataFrame({"doc_id": [f"d{i}" for i in range(40)], "sent_id": [f"d{i}:0" for i in range(40)],
                          "text": [t + f" {i}" for i, t in enumerate(texts)], "stance": ["leg", "del"] * 20})
    coder = framing.train_coder(coded, label="stance", encoder=enc, n_boot=50, random_state=0)
    assert coder.cv_report_["metrics"].set_index("metric").loc["accuracy", "estimate"] > 0.9
    path = coder.save(tmp_path / "coder.json")
    assert b"pickle" not in path.read_bytes()
    back = framing.Coder.load(path, encoder=enc)
    new = pd.DataFrame({"text": ["a fair vote", "a staged sham"]})
    pd.testing.assert_frame_equal(coder.predict_proba(new), back.predict_proba(new))
    with pytest.raises(ValueError, match="trained on"):
        framing.Coder.load(path, encoder=HashEncoder(dim=32))
    with pytest.raises(ValueError, match="missing code"):
        framing.train_coder(coded.assign(stance=[None] + ["leg"] * 39), label="stance", encoder=enc)


def test_coder_result_protocol_and_group_mapping():
    coded, X = _leaky(n_docs=30)
    kw = dict(label="code", embeddings=X, n_boot=20, random_state=0)
    by_col = framing.train_coder(coded, group="outlet", **kw)
    by_map = framing.train_coder(coded, group={"X": "ex", "Y": "why"}, **kw)
    t_col, t_map = by_col.cv_report_["transfer"], by_map.cv_report_["transfer"]
    assert t_map["group"].tolist() == ["ex", "why"]
    pd.testing.assert_frame_equal(t_col.drop(columns="group"), t_map.drop(columns="group"))
    tidy = by_col.to_frame()
    assert list(tidy.columns) == ["metric", "group", "estimate", "ci_low", "ci_high", "n", "n_docs"]
    assert set(tidy["group"]) == {"all", "X", "Y"} and len(tidy) == 9
    summ = by_col.summary()
    pd.testing.assert_frame_equal(summ, by_col.cv_report_["metrics"][["metric", "estimate", "ci_low", "ci_high"]])
    assert framing.Coder().summary().empty
    no_transfer = framing.train_coder(coded.drop(columns="outlet"), **kw)   # no such column: no transfer report
    assert no_transfer.cv_report_["transfer"].empty
