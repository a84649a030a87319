"""Every result class shows itself compactly in a notebook (``_repr_html_`` via framing._display)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import framing
from framing._display import html_summary
from framing.testing import HashEncoder

WORDS = ("vote referendum sham legal annexation troops ballot kremlin sovereignty occupied "
         "fair free staged illegal people region election soldiers western capitals").split()


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    rows = []
    for outlet in ("RT", "NYT", "Fox"):
        for d in range(6):
            for i in range(3):
                text = " ".join(rng.choice(WORDS, 8)) + f" {outlet.lower()} {d} {i}."
                rows.append({"doc_id": f"{outlet}{d}", "sent_id": f"{outlet}{d}:{i}", "outlet": outlet,
                             "text": text, "stance": ["leg", "del"][(d + i) % 2]})
    sents = pd.DataFrame(rows)
    enc = HashEncoder(dim=64)
    X = np.asarray(enc.encode(sents["text"].tolist()), dtype=np.float32)
    return sents, enc, X


def _objects(small):
    sents, enc, X = small
    objs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        axis = framing.Axis("legitimacy", ["a free fair vote", "legal ballot by the people", "a real election"],
                            ["a sham vote", "illegal annexation staged by troops", "a staged referendum"])
        axis.fit(encoder=enc)
        objs["Axis"] = axis
        objs["AxisReliability"] = axis.reliability_
        scores = framing.score_axes(sents, [axis], embeddings=X, n_boot=50, n_null=50, random_state=0)
        objs["AxisScores"] = scores
        objs["AxisExplanation"] = framing.explain_axis(scores, "legitimacy", group="RT")
        objs["TextPlacement"] = framing.place_text("A sham vote staged by troops. Western capitals object.",
                                                   [axis], scores, encoder=enc, n_boot=50, random_state=0)
        objs["ClaimAlignment"] = framing.align_claims(sents[sents["doc_id"].isin(["RT0", "NYT0", "Fox0"])],
                                                      encoder=enc, story="s1")
        sc = framing.StableClusters(framing.Clusterer("kmeans", n_clusters=3, random_state=0),
                                    n_boot=5, random_state=0).fit(X)
        objs["StableClusters"] = sc
        objs["ClusterDescription"] = framing.describe_clusters(sents, sc.labels_, embeddings=X, min_df=1)
        objs["ShareTest"] = framing.share_test(sents, sc.labels_, n_perm=50, n_boot=50, random_state=0)
        objs["OutletSimilarity"] = framing.outlet_similarity(X, sents, n_perm=50, random_state=0)
        objs["Permdisp"] = framing.permdisp(X, sents, n_perm=50, random_state=0)
        objs["Coder"] = framing.Coder(encoder=enc).fit(sents, label="stance")
        objs["Lexicon"] = framing.load_lexicon()
        objs["ActorLexicon"] = framing.ActorLexicon.default()
    return objs


CLASSES = ["Axis", "AxisReliability", "AxisScores", "AxisExplanation", "TextPlacement", "ClaimAlignment",
           "StableClusters", "ClusterDescription", "ShareTest", "OutletSimilarity", "Permdisp", "Coder",
           "Lexicon", "ActorLexicon"]


@pytest.fixture(scope="module")
def objects(small):
    return _objects(small)


@pytest.mark.parametrize("name", CLASSES)
def test_repr_html_is_titled_and_small(objects, name):
    obj = objects[name]
    assert type(obj).__name__ == name
    html = obj._repr_html_()
    assert isinstance(html, str) and f"<b>{name}" in html
    assert len(html.encode("utf-8")) < 20_000, f"{name}._repr_html_ is {len(html)} characters"
    assert "<script" not in html


def test_stable_clusters_notebook_display_is_ours_not_sklearns(objects):
    bundle = objects["StableClusters"]._repr_mimebundle_()
    assert "<b>StableClusters</b>" in bundle["text/html"] and "text/plain" in bundle
    unfitted = framing.StableClusters()
    assert "not fitted" in unfitted._repr_html_()
    assert "not fitted" in framing.Coder()._repr_html_()


def test_html_summary_shows_only_the_top_rows_and_escapes():
    table = pd.DataFrame({"text": ["<b>bold</b> & " + "x" * 500] * 50, "value": np.arange(50) / 3})
    s = html_summary("T<1>", {"alpha": 0.05, "skip": None, "many": list(range(30))}, table, n=10)
    assert "<b>T&lt;1&gt;</b>" in s and "skip" not in s and "(30 in all)" in s
    assert s.count("<tr>") <= 11 and "first 10 of 50 rows" in s
    assert "<b>bold" not in s and len(s) < 10_000
    assert html_summary("Empty") .startswith("<div")


RESULTS = ["AxisReliability", "AxisScores", "AxisExplanation", "TextPlacement", "ClaimAlignment",
           "StableClusters", "ClusterDescription", "ShareTest", "OutletSimilarity", "Permdisp"]


@pytest.mark.parametrize("name", RESULTS)
def test_every_result_has_to_frame_and_a_summary_table(objects, name):
    """One result protocol (docs/glossary.md): to_frame() is the tidy table, summary() a short one."""
    obj = objects[name]
    frame, summary = obj.to_frame(), obj.summary()
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0, name
    assert isinstance(summary, pd.DataFrame) and 0 < len(summary) <= max(len(frame), 50), name
    assert frame is not obj.to_frame() or frame.equals(obj.to_frame())     # a copy or stable
