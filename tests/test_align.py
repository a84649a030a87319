"""Tests for framing.align: story linking, its evaluation, and claim alignment."""
from __future__ import annotations

import os
from math import comb

import numpy as np
import pandas as pd
import pytest

from framing.align import (
    MIN_NULL_PAIRS,
    ClaimAlignment,
    align_claims,
    calibrate_threshold,
    evaluate_linking,
    extract_entities,
    link_stories,
    linking_baselines,
    linking_curve,
    story_similarity,
)
from framing.bench.align import run as align_benchmark
from framing.testing import HashEncoder

# --------------------------------------------------------------------------- fixtures
# A hand-written three-outlet story. Claim vocabularies do not overlap, so with the
# bag-of-words HashEncoder the planted structure is the only signal:
#   K1 (all three outlets), K2 (A and B), K3 (B and C), U_A (A alone), U_C (C alone).
STORY = [
    # outlet, position, planted claim, text
    ("A", 0, "K1", "Polling stations opened Friday across Kherson Zaporizhzhia regions"),
    ("A", 1, "K2", "Armed soldiers escorted election workers door to door"),
    ("A", 2, "UA", "Western capitals dismissed everything as theatre"),
    ("B", 0, "K1", "Across Kherson Zaporizhzhia regions polling stations opened Friday"),
    ("B", 1, "K3", "Moscow promised pensions payments rubles immediately"),
    ("B", 2, "K2", "Election workers went door to door escorted by armed soldiers"),
    ("C", 0, "K3", "Pensions payments rubles promised immediately by Moscow"),
    ("C", 1, "UC", "Grain exports through Black Sea ports resumed"),
    ("C", 2, "K1", "Polling stations across Kherson Zaporizhzhia regions opened Friday"),
]


def story_sentences(order: dict[str, list[int]] | None = None) -> pd.DataFrame:
    rows = []
    for outlet, pos, claim, text in STORY:
        rows.append({"doc_id": f"doc{outlet}", "outlet": outlet, "planted": claim, "text": text, "position": pos})
    df = pd.DataFrame(rows)
    if order:
        for outlet, perm in order.items():
            m = df["outlet"] == outlet
            df.loc[m, "position"] = np.asarray(perm)
        df = df.sort_values(["outlet", "position"]).reset_index(drop=True)
    df["sent_id"] = df["doc_id"] + ":" + df["position"].astype(str)
    return df


def claim_sets(al: ClaimAlignment, sents: pd.DataFrame) -> set[frozenset[str]]:
    """Claims as sets of planted labels + outlets, independent of ids and order."""
    planted = dict(zip(sents["sent_id"], sents["planted"] + "@" + sents["outlet"]))
    return {frozenset(planted[s] for s in g["sent_id"]) for _, g in al.claims.groupby("claim_id")}


EXPECTED = {
    frozenset({"K1@A", "K1@B", "K1@C"}), frozenset({"K2@A", "K2@B"}), frozenset({"K3@B", "K3@C"}),
    frozenset({"UA@A"}), frozenset({"UC@C"}),
}


# --------------------------------------------------------------------------- claims

def test_three_outlet_story_recovers_shared_and_unique_claims(hash_encoder):
    sents = story_sentences()
    al = align_claims(sents, encoder=hash_encoder)
    assert claim_sets(al, sents) == EXPECTED
    assert al.outlets == ["A", "B", "C"]
    # coverage: claim x outlet, rows = claims
    cov = al.coverage
    assert cov.shape == (5, 3) and cov.dtypes.eq(bool).all()
    planted_of = {c: frozenset(g["sent_id"].map(dict(zip(sents["sent_id"], sents["planted"])))) for c, g in
                  al.claims.groupby("claim_id")}
    by_planted = {next(iter(v)): c for c, v in planted_of.items()}
    assert cov.loc[by_planted["K1"]].tolist() == [True, True, True]
    assert cov.loc[by_planted["K2"]].tolist() == [True, True, False]
    assert cov.loc[by_planted["K3"]].tolist() == [False, True, True]
    assert cov.loc[by_planted["UA"]].tolist() == [True, False, False]
    assert cov.loc[by_planted["UC"]].tolist() == [False, False, True]
    # omissions: every (outlet, claim) not covered, with the carriers
    om = al.omissions.set_index(["outlet", "claim_id"])
    assert len(om) == int((~cov).to_numpy().sum()) == 15 - 9
    assert om.loc[("C", by_planted["K2"]), "carried_by"] == "A, B"
    assert om.loc[("A", by_planted["K3"]), "carried_by"] == "B, C"
    assert om.loc[("B", by_planted["UC"]), "n_carriers"] == 1
    # unique claims and summary
    assert set(al.unique()["sent_id"]) == {"docA:2", "docC:1"}
    assert al.unique("A")["sent_id"].tolist() == ["docA:2"]
    summ = al.summary().set_index("outlet")
    assert summ.loc["B", "n_claims"] == 3 and summ.loc["B", "n_unique"] == 0 and summ.loc["B", "n_omitted"] == 2
    assert summ.loc["A", "n_omitted_shared"] == 1
    # claims keep links to the sentences, with the similarity of the accepted link
    row = al.claims.set_index("sent_id").loc["docA:0"]
    assert row["doc_id"] == "docA" and row["text"].startswith("Polling stations")
    X = hash_encoder.encode(sents["text"].tolist())
    i = {s: k for k, s in enumerate(sents["sent_id"])}
    expect = max(float(X[i["docA:0"]] @ X[i["docB:0"]]), float(X[i["docA:0"]] @ X[i["docC:2"]]))
    assert row["similarity"] == pytest.approx(expect, abs=1e-5)
    assert np.isnan(al.claims.set_index("sent_id").loc["docA:2", "similarity"])


def test_reordered_sentences_still_align(hash_encoder):
    base = story_sentences()
    shuffled = story_sentences(order={"B": [2, 0, 1], "C": [1, 2, 0]})
    a1 = align_claims(base, encoder=hash_encoder)
    a2 = align_claims(shuffled, encoder=hash_encoder)
    assert claim_sets(a1, base) == claim_sets(a2, shuffled) == EXPECTED


def test_claim_ids_follow_story_order(hash_encoder):
    al = align_claims(story_sentences(), encoder=hash_encoder)
    # every fixture article has 3 sentences: relative position = position / 2
    rel = (al.claims["position"] / 2).groupby(al.claims["claim_id"]).mean().sort_index()
    assert rel.is_monotonic_increasing
    # K3 (B:1, C:0 -> 0.25) comes before K1 (A:0, B:0, C:2 -> 1/3)
    first = al.claims[al.claims["claim_id"] == rel.index[0]]
    assert first["text"].str.contains("Pensions|pensions").all()


def test_given_embeddings_equal_encoder_path(hash_encoder):
    sents = story_sentences()
    X = hash_encoder.encode(sents["text"].tolist())
    a1 = align_claims(sents, embeddings=X)
    a2 = align_claims(sents, encoder=hash_encoder)
    pd.testing.assert_frame_equal(a1.claims, a2.claims)


def test_at_most_one_sentence_per_outlet_per_claim():
    # a1~b1, b1~c1 and c1~a2 are all mutual best matches; chaining them would put a1 and
    # a2 (both outlet A) in one claim. The weakest link (b1, c1) must be refused.
    e = np.eye(4)
    X = np.vstack([e[0], e[3], (e[0] + e[1]) / np.sqrt(2), (e[1] + e[2] + e[3]) / np.sqrt(3)]).astype(np.float32)
    s = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "sent_id": ["a1", "a2", "b1", "c1"],
                      "outlet": ["A", "A", "B", "C"], "text": ["x", "y", "z", "w"]})
    al = align_claims(s, embeddings=X, min_similarity=0.3, margin=1.0)
    groups = {frozenset(g["sent_id"]) for _, g in al.claims.groupby("claim_id")}
    assert groups == {frozenset({"a1", "b1"}), frozenset({"a2", "c1"})}
    assert not al.claims.groupby("claim_id")["outlet"].apply(lambda o: o.duplicated().any()).any()
    refused = al.links[~al.links["used"]]
    assert refused[["sent_id_a", "sent_id_b"]].values.tolist() == [["b1", "c1"]]
    assert refused["similarity"].iloc[0] == pytest.approx(float(X[2] @ X[3]))


def test_margin_matches_artetxe_schwenk_formula_and_filters_hubs():
    # a1 is nearly equally close to b1 and b2: a mutual best match, but no clear margin.
    rng = np.random.default_rng(0)
    base = rng.standard_normal(16)
    X = np.vstack([base, base + 0.30 * rng.standard_normal(16), base + 0.32 * rng.standard_normal(16),
                   rng.standard_normal(16)])
    X = (X / np.linalg.norm(X, axis=1, keepdims=True)).astype(np.float32)
    s = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "sent_id": ["a1", "a2", "b1", "b2"],
                      "outlet": ["A", "A", "B", "B"], "text": ["t"] * 4})
    loose = align_claims(s, embeddings=X, min_similarity=0.0, margin=1.0, k=2)
    # independent calculation of the ratio margin for every accepted link
    Xa, Xb = X[:2].astype(float), X[2:].astype(float)
    S = Xa @ Xb.T
    nn_a = np.sort(S, axis=1)[:, ::-1][:, :2].mean(axis=1)
    nn_b = np.sort(S, axis=0)[::-1][:2].mean(axis=0)
    for r in loose.links.itertuples():
        i, j = int(r.sent_id_a[1]) - 1, int(r.sent_id_b[1]) - 1
        assert r.similarity == pytest.approx(S[i, j])
        assert r.margin == pytest.approx(S[i, j] / ((nn_a[i] + nn_b[j]) / 2))
    best = loose.links.set_index("sent_id_a").loc["a1"]
    assert best["sent_id_b"] in ("b1", "b2")
    strict = align_claims(s, embeddings=X, min_similarity=0.0, margin=best["margin"] + 1e-6, k=2)
    assert "a1" not in set(strict.links["sent_id_a"])


def test_min_similarity_threshold(hash_encoder):
    sents = story_sentences()
    # the K1 sentences are permutations of the same words (cosine 1); K2 and K3 pairs are not
    al = align_claims(sents, encoder=hash_encoder, min_similarity=0.999)
    assert al.n_claims == len(sents) - 2
    shared = al.shared()
    assert set(shared["sent_id"]) == {"docA:0", "docB:0", "docC:2"}


def test_align_claims_selects_story_and_rejects_bad_input(hash_encoder):
    sents = story_sentences().assign(story_id="s1")
    other = story_sentences().assign(story_id="s2", sent_id=lambda d: d["sent_id"] + "x")
    both = pd.concat([sents, other], ignore_index=True)
    with pytest.raises(ValueError, match="several stories"):
        align_claims(both, encoder=hash_encoder)
    al = align_claims(both, encoder=hash_encoder, story="s2")
    assert al.story == "s2" and al.claims["sent_id"].str.endswith("x").all()
    with pytest.raises(ValueError, match="embeddings"):
        align_claims(sents)
    with pytest.raises(ValueError, match="sent_id"):
        align_claims(pd.concat([sents, sents]), encoder=hash_encoder)
    with pytest.raises(ValueError, match="lacks column"):
        align_claims(sents.drop(columns=["outlet"]), encoder=hash_encoder)
    with pytest.raises(ValueError, match="rows"):
        align_claims(sents, embeddings=np.zeros((2, 4)))


def test_align_claims_does_not_mutate_input(hash_encoder):
    sents = story_sentences()
    before = sents.copy()
    align_claims(sents, encoder=hash_encoder)
    pd.testing.assert_frame_equal(sents, before)


# --------------------------------------------------------------------------- linking

def story_corpus() -> pd.DataFrame:
    """Three outlets x three planted events, plus one lone article."""
    events = {
        "vote": ("Referendum voting begins in Kherson", "Referendum voting began in Kherson and Zaporizhzhia "
                 "with soldiers escorting election officials to homes.", "2022-09-23"),
        "veto": ("Russia vetoes Security Council resolution", "Russia vetoed the Security Council resolution "
                 "condemning the annexation while China and India abstained.", "2022-09-30"),
        "grain": ("Grain ships leave Odesa", "Grain ships left Odesa under the Black Sea export deal "
                  "brokered by Turkey.", "2022-09-26"),
    }
    rows = []
    for outlet, lead in (("A", "Reports:"), ("B", "Update:"), ("C", "News:")):
        for k, (title, text, day) in events.items():
            rows.append({"doc_id": f"{outlet}-{k}", "outlet": outlet, "published": pd.Timestamp(day),
                         "title": title, "text": f"{lead} {text}", "url": "", "lang": "en", "gold": k})
    rows.append({"doc_id": "C-lone", "outlet": "C", "published": pd.Timestamp("2022-09-24"),
                 "title": "Weather forecast for Moscow", "text": "Snowfall expected early in Moscow suburbs.",
                 "url": "", "lang": "en", "gold": "lone"})
    return pd.DataFrame(rows)


def test_link_stories_recovers_planted_events(hash_encoder):
    c = story_corpus()
    before = c.copy()
    out = link_stories(c, encoder=hash_encoder, one_per_outlet=True)
    pd.testing.assert_frame_equal(c, before)  # caller's frame untouched
    assert list(out.columns[:len(c.columns)]) == list(c.columns)
    ev = evaluate_linking(out, "gold").set_index("metric")["estimate"]
    assert ev["ari"] == pytest.approx(1.0)
    assert out["story_id"].nunique() == 4
    assert out["story_confidence"].between(0, 1).all()
    assert out.loc[out["doc_id"] == "C-lone", "story_id"].iloc[0] not in set(out.loc[out["gold"] != "lone",
                                                                                    "story_id"])
    # stories are numbered by first date: the vote (23 Sep) is s0001
    assert set(out.loc[out["gold"] == "vote", "story_id"]) == {"s0001"}
    assert out.attrs["story_linking"]["one_per_outlet"] is True


def test_one_per_outlet_never_groups_two_articles_of_an_outlet(hash_encoder):
    c = story_corpus()
    dup = c[c["doc_id"] == "A-veto"].assign(doc_id="A-veto2", text=lambda d: d["text"] + " More details.")
    c2 = pd.concat([c, dup], ignore_index=True)
    free = link_stories(c2, encoder=hash_encoder, one_per_outlet=False)
    sid = free.set_index("doc_id")["story_id"]
    assert sid["A-veto"] == sid["A-veto2"]  # without the option the near-duplicate joins
    strict = link_stories(c2, encoder=hash_encoder, one_per_outlet=True)
    assert not strict.groupby("story_id")["outlet"].apply(lambda o: o.duplicated().any()).any()


def test_date_window_is_a_hard_constraint(hash_encoder):
    c = story_corpus()
    late = c[c["doc_id"] == "B-veto"].assign(doc_id="B-veto-late", outlet="D",
                                            published=pd.Timestamp("2022-10-20"))
    c2 = pd.concat([c, late], ignore_index=True)
    dated = link_stories(c2, encoder=hash_encoder, window_days=3).set_index("doc_id")["story_id"]
    assert dated["B-veto-late"] != dated["B-veto"]
    undated = link_stories(c2, encoder=hash_encoder, use_dates=False).set_index("doc_id")["story_id"]
    assert undated["B-veto-late"] == undated["B-veto"]


def test_link_stories_threshold_and_errors(hash_encoder):
    c = story_corpus()
    out = link_stories(c, encoder=hash_encoder, threshold=1.01)  # nothing can merge
    assert out["story_id"].nunique() == len(c)
    assert out.attrs["story_linking"]["threshold_from"] == "given"
    with pytest.raises(ValueError, match="embeddings"):
        link_stories(c)
    with pytest.raises(ValueError, match="threshold"):
        link_stories(c, encoder=hash_encoder, threshold="high")
    with pytest.raises(ValueError, match="published"):
        link_stories(c.assign(published=pd.NaT), encoder=hash_encoder)
    with pytest.raises(ValueError, match="lacks column"):
        link_stories(c.drop(columns=["title"]), encoder=hash_encoder)


def test_auto_threshold_is_null_quantile():
    # 60 articles, one per day: all pairs more than 3 days apart are impossible pairs.
    rng = np.random.default_rng(3)
    n = 60
    X = rng.standard_normal((n, 8)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    c = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "outlet": ["A", "B"] * (n // 2),
                      "published": pd.date_range("2022-01-01", periods=n, freq="D"),
                      "title": [""] * n, "text": [f"w{i}" for i in range(n)]})
    out = link_stories(c, embeddings=X, title_weight=0.0)
    S = story_similarity(c, embeddings=X, title_weight=0.0)
    d = np.arange(n)
    iu = np.triu_indices(n, 1)
    null = S[iu][(np.abs(d[:, None] - d[None, :]) > 3)[iu]]
    assert len(null) >= 1000
    info = out.attrs["story_linking"]
    # no floor: the threshold is the quantile itself, whatever its value
    assert info["threshold"] == pytest.approx(np.quantile(null, 0.999))
    assert info["null"] == "dates" and info["n_null"] == len(null)
    assert "99.9% quantile of 1596 impossible pairs (more than 3 days apart)" in info["threshold_from"]


def planted_null_corpus(n: int = 100, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """n articles, one a day; the pairs more than 3 days apart (the null) get the similarities
    0, 1/(N-1), ..., 1 in random order, the pairs inside the window 0.5."""
    rng = np.random.default_rng(seed)
    c = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "outlet": ["A", "B"] * (n // 2),
                      "published": pd.date_range("2022-01-01", periods=n, freq="D"),
                      "title": [""] * n, "text": ["x"] * n})
    d = np.arange(n)
    iu = np.triu_indices(n, 1)
    far = (np.abs(d[:, None] - d[None, :]) > 3)[iu]
    vals = np.full(len(far), 0.5)
    planted = np.linspace(0.0, 1.0, int(far.sum()))
    vals[far] = rng.permutation(planted)
    S = np.eye(n)
    S[iu] = vals
    S = S + np.triu(S, 1).T
    return c, S, planted


def test_calibrated_threshold_lands_at_the_planted_quantile():
    c, S, planted = planted_null_corpus()
    assert len(planted) == 4950 - (99 + 98 + 97)  # pairs more than 3 days apart
    cal = calibrate_threshold(c, similarity=S)
    # evenly spaced null values from 0 to 1: the q-quantile is q itself
    assert cal["threshold"] == pytest.approx(0.999)
    assert cal["n_null"] == len(planted) and cal["null"] == "dates" and not cal["rough"]
    assert np.mean(planted > cal["threshold"]) == pytest.approx(0.001, abs=1 / len(planted))
    assert calibrate_threshold(c, similarity=S, quantile=0.9)["threshold"] == pytest.approx(0.9)
    # a wider window leaves fewer null pairs
    assert calibrate_threshold(c, similarity=S, window_days=10)["n_null"] < len(planted)
    # content-only linking calibrates on the same null: the dates find the non-story pairs
    dated = link_stories(c, similarity=S).attrs["story_linking"]
    content = link_stories(c, similarity=S, use_dates=False).attrs["story_linking"]
    assert dated["threshold"] == content["threshold"] == pytest.approx(0.999)
    assert content["null"] == "dates" and content["use_dates"] is False
    with pytest.raises(ValueError, match="quantile"):
        calibrate_threshold(c, similarity=S, quantile=1.0)


def test_calibration_null_sources_and_errors(hash_encoder):
    c = story_corpus()
    undated = c.drop(columns=["published"])
    # no dates and nothing else that marks a pair impossible: nothing to calibrate on
    with pytest.raises(ValueError, match="no pairs that cannot be one story"):
        link_stories(undated, encoder=hash_encoder, use_dates=False)
    with pytest.raises(ValueError, match="no pairs that cannot be one story"):
        calibrate_threshold(undated, encoder=hash_encoder)
    # one article per outlet: same-outlet pairs are the null (few here: flagged rough)
    cal = calibrate_threshold(undated, encoder=hash_encoder, one_per_outlet=True)
    outl = c["outlet"].to_numpy()
    n_same = sum(int(k * (k - 1) / 2) for k in pd.Series(outl).value_counts())
    assert cal["null"] == "outlet" and cal["n_null"] == n_same and cal["rough"]
    assert n_same < MIN_NULL_PAIRS and "rough" in cal["threshold_from"]
    S = story_similarity(undated, encoder=hash_encoder)
    same = (outl[:, None] == outl[None, :])[np.triu_indices(len(c), 1)]
    assert cal["threshold"] == pytest.approx(np.quantile(S[np.triu_indices(len(c), 1)][same], 0.999))
    # a given threshold needs no null
    assert link_stories(undated, encoder=hash_encoder, use_dates=False, threshold=0.3).attrs[
        "story_linking"]["threshold_from"] == "given"


def test_reference_corpus_null(hash_encoder):
    c = story_corpus()
    ref = pd.DataFrame({"title": ["Cricket final", "Opera season opens", "Bakery prices"],
                        "text": ["A cricket final at Lord's drew crowds.", "The opera season opened in Vienna.",
                                 "Bread prices at the bakery rose."]})
    cal = calibrate_threshold(c, encoder=hash_encoder, reference=ref)
    assert cal["null"] == "reference" and cal["n_null"] == len(c) * len(ref)
    both = pd.concat([c[["title", "text"]], ref], ignore_index=True)
    U = story_similarity(both, encoder=hash_encoder)
    assert cal["threshold"] == pytest.approx(np.quantile(U[:len(c), len(c):], 0.999))
    # the reference sets the threshold only: linking with that threshold given is the same
    linked = link_stories(c, encoder=hash_encoder, reference=ref)
    same = link_stories(c, encoder=hash_encoder, threshold=cal["threshold"])
    assert linked["story_id"].tolist() == same["story_id"].tolist()
    assert linked.attrs["story_linking"]["null"] == "reference"
    X = hash_encoder.encode((c["title"] + "\n" + c["text"]).tolist())
    with pytest.raises(ValueError, match="both corpora"):
        calibrate_threshold(c, embeddings=X, reference=ref)


# Planted dates: stories a and b run on the same two days, each outlet a day apart
# (X has a on day 0 and b on day 1, Y the reverse); story c is ten days later. Content
# words differ between stories, so content links them right; dates cannot.
DATED = [
    # outlet, day, gold, title, text
    ("X", 0, "a", "Dam bursts in Brazil", "A dam burst near Brumadinho flooding the valley."),
    ("Y", 1, "a", "Brazil dam burst floods valley", "Flooding after the Brumadinho dam burst."),
    ("X", 1, "b", "Senate passes tax bill", "The Senate passed the tax bill late on Friday."),
    ("Y", 0, "b", "Tax bill clears Senate", "Late Friday the Senate passed the tax bill."),
    ("X", 10, "c", "Earthquake strikes Chile coast", "An earthquake struck the Chilean coast near Valparaiso."),
    ("Y", 10, "c", "Chile coast hit by earthquake", "Valparaiso and the Chilean coast were hit by an earthquake."),
]


def dated_corpus() -> pd.DataFrame:
    return pd.DataFrame([{"doc_id": f"{o}-{g}", "outlet": o, "gold": g, "title": t, "text": x,
                          "published": pd.Timestamp("2020-03-01") + pd.Timedelta(days=d)}
                         for o, d, g, t, x in DATED])


def hand_ari(gold: list[str], pred: list[str]) -> float:
    n = len(gold)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    a = sum(gold[i] == gold[j] for i, j in pairs)
    b = sum(pred[i] == pred[j] for i, j in pairs)
    both = sum(gold[i] == gold[j] and pred[i] == pred[j] for i, j in pairs)
    expected = a * b / len(pairs)
    return (both - expected) / ((a + b) / 2 - expected)


def test_date_baselines_and_content_on_planted_stories(hash_encoder):
    c = dated_corpus()
    gold = c["gold"].tolist()
    # dates only: a and b fall in one window -> {a, b}, {c};  ARI = (3 - 1.4) / (5 - 1.4) = 4/9
    # dates + one per outlet: the same-day pairs X-a/Y-b and X-b/Y-a link -> ARI 1/6
    assert hand_ari(gold, list("xxxxcc")) == pytest.approx(4 / 9)
    assert hand_ari(gold, ["p", "q", "q", "p", "c", "c"]) == pytest.approx(1 / 6)
    base = linking_baselines(c, "gold", n_ties=20, random_state=0)
    ari = base[base["metric"] == "ari"].set_index("baseline")
    assert ari.loc["dates only", "estimate"] == pytest.approx(4 / 9)
    assert ari.loc["dates + one per outlet", "estimate"] == pytest.approx(1 / 6)
    assert np.allclose(ari["sd_ties"], 0)  # no ties in these dates
    assert ari[["ci_low", "ci_high"]].isna().all().all()  # n_boot=0
    prec = base[base["metric"] == "pairwise_precision"].set_index("baseline")["estimate"]
    assert prec["dates only"] == pytest.approx(3 / 7)
    # content links the planted stories, with and without dates
    for kw in ({}, {"use_dates": False}):
        linked = link_stories(c, encoder=hash_encoder, threshold=0.2, **kw)
        assert evaluate_linking(linked, "gold").set_index("metric").loc["ari", "estimate"] == pytest.approx(1.0)


def test_date_baseline_ties_break_at_random():
    # a and b both on day 0 for both outlets: with one article per outlet the pairing is a tie,
    # right (ARI 1) or crossed (ARI 1/6) with equal chance, never decided by row order.
    c = dated_corpus().assign(published=pd.to_datetime(["2020-03-01"] * 4 + ["2020-03-11"] * 2))
    r1 = linking_baselines(c, "gold", n_ties=400, random_state=1)
    r2 = linking_baselines(c, "gold", n_ties=400, random_state=1)
    pd.testing.assert_frame_equal(r1, r2)  # reproducible
    row = r1[(r1["metric"] == "ari") & (r1["baseline"] == "dates + one per outlet")].iloc[0]
    assert row["estimate"] == pytest.approx((1 + 1 / 6) / 2, abs=0.06)
    assert row["sd_ties"] == pytest.approx((1 - 1 / 6) / 2, abs=0.02)
    with pytest.raises(ValueError, match="n_ties"):
        linking_baselines(c, "gold", n_ties=0)
    with pytest.raises(ValueError, match="published"):
        linking_baselines(c.drop(columns=["published"]), "gold")


def test_linking_curve_rows_and_plot(hash_encoder):
    from framing.plot.align import plot_linking_curve

    c = dated_corpus()
    r = linking_curve(c, "gold", encoder=hash_encoder, thresholds=[0.2, 1.01], n_boot=50, random_state=0)
    assert list(r.columns) == ["setting", "kind", "null", "threshold", "estimate", "ci_low", "ci_high",
                               "n_pred_stories"]
    curve = r[r["kind"] == "curve"].set_index(["setting", "threshold"])["estimate"]
    assert curve[("dated", 0.2)] == 1.0 and curve[("content only", 0.2)] == 1.0
    assert curve[("dated", 1.01)] == 0.0  # nothing merges: all singletons
    cal = r[r["kind"] == "calibrated"]
    assert set(cal["setting"]) == {"dated", "content only"} and set(cal["null"]) == {"dates"}
    expected_thr = calibrate_threshold(c, encoder=hash_encoder)["threshold"]
    assert np.allclose(cal["threshold"], expected_thr)
    base = r[r["kind"] == "baseline"].set_index("setting")["estimate"]
    assert base["dates only"] == pytest.approx(4 / 9) and base["dates + one per outlet"] == pytest.approx(1 / 6)
    assert (r["ci_low"] <= r["estimate"] + 1e-12).all() and (r["estimate"] <= r["ci_high"] + 1e-12).all()
    assert r.attrs["linking_curve"]["metric"] == "ari"
    with pytest.raises(ValueError, match="metric"):
        linking_curve(c, "gold", encoder=hash_encoder, metric="accuracy")
    with pytest.raises(ValueError, match="unknown option"):
        linking_curve(c, "gold", encoder=hash_encoder, settings={"x": {"window_days": 2}})

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert plot_linking_curve(r, ax=ax) is ax
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["dated", "content only"]
    assert any(t.startswith("dates only: ARI 0.444 [") for t in labels)  # with its interval
    assert any(t.startswith("dates + one per outlet: ARI 0.167 [") for t in labels)
    assert sum("threshold from far-apart pairs" in t for t in labels) == 2
    assert ax.get_ylabel() == "adjusted Rand index"
    with pytest.raises(ValueError, match="expected column"):
        plot_linking_curve(r.drop(columns=["kind"]))


def test_story_similarity_weights(hash_encoder):
    c = story_corpus()
    S = story_similarity(c, encoder=hash_encoder)
    assert S.shape == (len(c), len(c)) and np.allclose(S, S.T) and np.allclose(np.diag(S), 1)
    X = hash_encoder.encode((c["title"] + "\n" + c["text"]).tolist()).astype(float)
    only_emb = story_similarity(c, embeddings=X, weights={"words": 0, "entities": 0, "title": 0})
    expect = X @ X.T
    np.fill_diagonal(expect, 1.0)
    assert np.allclose(only_emb, expect, atol=1e-5)
    with pytest.raises(ValueError, match="unknown"):
        story_similarity(c, embeddings=X, weights={"colour": 1})


def test_extract_entities():
    ents = extract_entities("On Friday the Kremlin said Vladimir Putin met officials of the Donetsk "
                            "People's Republic in Moscow.")
    assert "kremlin" in ents and "vladimir putin" in ents and "putin" in ents and "moscow" in ents
    assert "on friday" not in ents and "friday" not in ents


# --------------------------------------------------------------------------- evaluation

def test_evaluate_linking_against_hand_computation():
    # gold: {0,1,2} {3,4} {5};  pred: {0,1} {2,3,4} {5}
    gold = ["g1", "g1", "g1", "g2", "g2", "g3"]
    pred = pd.DataFrame({"doc_id": list("abcdef"), "outlet": ["X", "Y", "Z", "X", "Y", "Z"],
                         "story_id": ["a", "a", "b", "b", "b", "c"]})
    ev = evaluate_linking(pred, gold).set_index("metric")["estimate"]
    # pairs together in gold: C(3,2)+C(2,2) = 4; in pred: 1 + 3 = 4; in both: (0,1), (3,4) = 2
    assert ev["pairwise_precision"] == pytest.approx(2 / 4)
    assert ev["pairwise_recall"] == pytest.approx(2 / 4)
    assert ev["pairwise_f1"] == pytest.approx(0.5)
    # ARI = (2 - 4*4/15) / ((4+4)/2 - 4*4/15) = 14/44
    expected_ari = (2 - 4 * 4 / comb(6, 2)) / ((4 + 4) / 2 - 4 * 4 / comb(6, 2))
    assert expected_ari == pytest.approx(7 / 22)
    assert ev["ari"] == pytest.approx(expected_ari)
    assert ev["n_pred_stories"] == 3 and ev["n_gold_stories"] == 3
    # gold as a Series keyed by doc_id and as a column give the same numbers
    ev2 = evaluate_linking(pred, pd.Series(gold, index=list("abcdef"))).set_index("metric")["estimate"]
    assert ev2["ari"] == pytest.approx(expected_ari)


def test_evaluate_linking_cross_outlet_recall_at_k():
    # gold stories: {0 (X), 1 (Y)}, {2 (X), 3 (Y)}. Article 0 ranks 3 above its partner 1.
    pred = pd.DataFrame({"outlet": ["X", "Y", "X", "Y"], "story_id": ["p", "q", "r", "s"]})
    S = np.array([[1.0, 0.5, 0.2, 0.9],
                  [0.5, 1.0, 0.1, 0.3],
                  [0.2, 0.1, 1.0, 0.8],
                  [0.9, 0.3, 0.8, 1.0]])
    ev = evaluate_linking(pred, ["g1", "g1", "g2", "g2"], similarity=S, k=(1, 2)).set_index("metric")["estimate"]
    # (article, other outlet) cases: 0->Y: top1 is 3 (miss), top2 {3,1} hit; 1->X: top1 0 hit;
    # 2->Y: top1 3 hit; 3->X: top1 0 (miss: partner is 2), top2 hit.  recall@1 = 2/4, recall@2 = 1
    assert ev["recall@1"] == pytest.approx(0.5)
    assert ev["recall@2"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shape"):
        evaluate_linking(pred, ["g1"] * 4, similarity=np.eye(3))
    with pytest.raises(ValueError, match="labels"):
        evaluate_linking(pred, ["g1"] * 3)


def test_evaluate_linking_story_bootstrap():
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(5)
    gold = np.repeat(np.arange(30), 3)  # 30 stories of 3 articles
    pred = gold.copy()
    pred[[0, 3]] = 99  # one wrong merge across two stories, taking one article of each
    df = pd.DataFrame({"story_id": pred})
    ev = evaluate_linking(df, gold, n_boot=500, random_state=0).set_index("metric")
    assert ev.loc["ari", "estimate"] == pytest.approx(adjusted_rand_score(gold, pred))
    lo, est, hi = ev.loc["ari", ["ci_low", "estimate", "ci_high"]]
    assert lo <= est <= hi and hi == 1.0 and lo < est  # the error is missed in some resamples
    assert ev.loc[["n_articles", "n_pred_stories", "n_gold_stories"], "ci_low"].isna().all()
    again = evaluate_linking(df, gold, n_boot=500, random_state=0)
    pd.testing.assert_frame_equal(ev.reset_index(), again)
    # a perfect linking stays perfect in every resample, even with stories drawn twice
    perfect = evaluate_linking(pd.DataFrame({"story_id": gold}), gold, n_boot=200, random_state=1)
    assert perfect.set_index("metric").loc["ari", ["estimate", "ci_low", "ci_high"]].tolist() == [1.0, 1.0, 1.0]
    # the ARI matches scikit-learn on random labelings
    for _ in range(20):
        a, b = rng.integers(0, 6, 25), rng.integers(0, 4, 25)
        got = evaluate_linking(pd.DataFrame({"story_id": a}), b).set_index("metric").loc["ari", "estimate"]
        assert got == pytest.approx(adjusted_rand_score(b, a))
    with pytest.raises(ValueError, match="n_boot"):
        evaluate_linking(df, gold, n_boot=-1)


def test_benchmark_runs():
    r = align_benchmark(n_stories=6, sentences_per_doc=6)
    assert r["link_ari"] == pytest.approx(1.0)
    assert r["align_claims"] == 6  # every permuted sentence finds its copies


def test_align_has_no_benchmark_any_more():
    import framing.align

    assert not hasattr(framing.align, "benchmark")  # moved to framing.bench.align.run


def test_link_stories_random_state_is_deprecated_and_changes_nothing(hash_encoder):
    c = story_corpus()
    plain = link_stories(c, encoder=hash_encoder, one_per_outlet=True)
    with pytest.warns(DeprecationWarning, match="random_state"):
        old = link_stories(c, encoder=hash_encoder, one_per_outlet=True, random_state=3)
    pd.testing.assert_frame_equal(plain, old)
    with pytest.raises(TypeError):
        link_stories(c, encoder=hash_encoder, seed=3)


def test_claim_alignment_result_protocol(hash_encoder):
    sents = story_sentences().assign(title=lambda d: "T " + d["outlet"], url="https://example.org/x")
    al = align_claims(sents, encoder=hash_encoder)
    tidy = al.to_frame()
    assert len(tidy) == len(sents) and {"claim_id", "outlet", "sent_id", "n_carriers"} <= set(tidy.columns)
    assert (tidy.groupby("claim_id")["outlet"].transform("size") == tidy["n_carriers"]).all()
    summ = al.summary()
    assert isinstance(summ, pd.DataFrame) and summ["outlet"].tolist() == al.outlets
    html = al._repr_html_()
    assert "<b>ClaimAlignment</b>" in html and "<script" not in html and len(html) < 5000
    assert al.articles[["doc_id", "outlet", "title", "url"]].shape == (3, 4)
    assert al.articles["title"].tolist() == ["T A", "T B", "T C"]


def test_to_html_is_deprecated_and_points_to_render_story_view(hash_encoder):
    al = align_claims(story_sentences(), encoder=hash_encoder)
    with pytest.warns(DeprecationWarning, match="render_story_view"), pytest.raises(NotImplementedError,
                                                                                   match="render_story_view"):
        al.to_html()


# --------------------------------------------------------------------------- real model

def _real_encoder():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from framing.embed import Encoder

    # the packaged all-MiniLM-L6-v2; article vectors from the first 256 tokens keep this fast
    return Encoder(cache_dir=False, long_text="truncate")


@pytest.mark.integration
def test_paraphrases_align_and_unrelated_sentences_do_not():
    enc = _real_encoder()
    rows = [
        ("A", "Russia vetoed the Security Council resolution condemning the annexation."),
        ("A", "Voting took place over five days in four occupied regions."),
        ("A", "The central bank raised interest rates by half a point."),
        ("B", "Over five days, people voted in four regions under Russian occupation."),
        ("B", "Moscow blocked a UN Security Council draft that denounced the annexation."),
        ("B", "A heatwave closed schools across southern Spain."),
    ]
    s = pd.DataFrame({"outlet": [o for o, _ in rows], "text": [t for _, t in rows]})
    s["doc_id"] = s["outlet"]
    s["sent_id"] = s["outlet"] + ":" + s.groupby("outlet").cumcount().astype(str)
    al = align_claims(s, encoder=enc)
    groups = {frozenset(g["sent_id"]) for _, g in al.claims.groupby("claim_id")}
    assert frozenset({"A:0", "B:1"}) in groups
    assert frozenset({"A:1", "B:0"}) in groups
    assert frozenset({"A:2"}) in groups and frozenset({"B:2"}) in groups


@pytest.mark.integration
def test_basil_linking_accuracy():
    framing = pytest.importorskip("framing")
    try:
        corpus = framing.load_corpus("basil", progress=False)
    except Exception as err:  # noqa: BLE001 - corpus not fetched / no mirror
        pytest.skip(f"BASIL corpus not available: {err}")
    enc = _real_encoder()
    X = enc.encode((corpus["title"] + "\n" + corpus["text"]).tolist())
    S = story_similarity(corpus, embeddings=X)
    dated_l = link_stories(corpus, similarity=S)
    content_l = link_stories(corpus, similarity=S, use_dates=False)
    # one threshold for both, calibrated without gold stories on the pairs > 3 days apart
    info_d, info_c = dated_l.attrs["story_linking"], content_l.attrs["story_linking"]
    assert info_d["null"] == info_c["null"] == "dates" and info_d["n_null"] >= MIN_NULL_PAIRS
    assert info_d["threshold"] == info_c["threshold"]
    dated = evaluate_linking(dated_l, "triplet_uuid").set_index("metric")["estimate"]
    content = evaluate_linking(content_l, "triplet_uuid").set_index("metric")["estimate"]
    base = linking_baselines(corpus, "triplet_uuid", random_state=0)
    base = base[base["metric"] == "ari"].set_index("baseline")["estimate"]
    # measured (first 256 tokens): threshold 0.275, ARI 0.993 dated, 1.000 content only;
    # dates alone 0.894, dates + one article per outlet about 0.97
    assert dated["ari"] >= 0.98
    assert content["ari"] >= 0.95
    assert base["dates only"] == pytest.approx(0.894, abs=0.01)
    assert 0.93 <= base["dates + one per outlet"] <= 0.99
    assert dated["ari"] > base["dates only"]
