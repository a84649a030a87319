"""framing.timeline: trajectories, events, change points and lead-lag, with planted answers."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from framing.timeline import (DocumentValues, EventsError, change_points, document_values, lead_lag, load_events,
                              over_time)


def _share_table(days: int, per_day: int, p_of_day, *, seed: int = 0, groups=("X",), sentences: int = 8,
                 start: str = "2022-09-01") -> pd.DataFrame:
    """Sentence table: per_day documents a day and group, `sentences` sentences each, label "yes"
    with a per-document probability around p_of_day(day)."""
    rng = np.random.default_rng(seed)
    rows = []
    d0 = pd.Timestamp(start)
    for g in groups:
        for day in range(days):
            for i in range(per_day):
                p = np.clip(rng.beta(4, 4) - 0.5 + p_of_day(day, g), 0.01, 0.99)
                n = sentences
                lab = np.where(rng.random(n) < p, "yes", "no")
                doc = f"{g}-{day}-{i}"
                rows += [(doc, f"{doc}:{k}", g, d0 + pd.Timedelta(days=day), lab[k]) for k in range(n)]
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "outlet", "published", "lab"])


# ------------------------------------------------------------------------------ over_time

def test_volume_reports_empty_and_thin_bins_with_a_poisson_interval():
    s = pd.DataFrame({"doc_id": list("abcdefgh"), "outlet": ["X"] * 6 + ["Y"] * 2,
                      "published": ["2022-09-20"] * 6 + ["2022-09-22"] * 2})
    t = over_time(s, "volume", freq="D")
    x = t[t["group"] == "X"].set_index(t.loc[t["group"] == "X", "date"].dt.strftime("%m-%d"))
    assert x["n_docs"].tolist() == [6, 0, 0] and x["estimate"].tolist() == [6, 0, 0]
    assert x.loc["09-21", "thin"] and not x.loc["09-20", "thin"]
    assert x.loc["09-20", "ci_low"] < 6 < x.loc["09-20", "ci_high"]
    assert x.loc["09-21", "ci_low"] == 0 and x.loc["09-21", "ci_high"] == pytest.approx(3.689, abs=1e-3)
    assert len(t) == 6 and t.attrs["measure"] == "volume" and t.attrs["interval"] == "poisson"


def test_shares_keep_thin_estimates_without_interval_and_never_interpolate_empty_bins():
    s = pd.DataFrame({"doc_id": ["a", "a", "b", "c", "d", "e", "f", "g"], "outlet": "X",
                      "published": ["2022-09-01"] * 2 + ["2022-09-03"] * 6,
                      "lab": ["yes", "no", "yes", "no", "yes", "yes", "no", "no"]})
    t = over_time(s, "themes", labels="lab", n_boot=200, random_state=0)
    yes = t[t["theme"] == "yes"].reset_index(drop=True)
    assert yes["n_docs"].tolist() == [1, 0, 6]
    assert yes.loc[0, "estimate"] == 0.5 and yes.loc[0, "thin"] and np.isnan(yes.loc[0, "ci_low"])
    assert np.isnan(yes.loc[1, "estimate"]) and yes.loc[1, "thin"] and np.isnan(yes.loc[1, "ci_high"])
    assert yes.loc[2, "estimate"] == pytest.approx(3 / 6) and not yes.loc[2, "thin"]
    assert yes.loc[2, "ci_low"] <= 0.5 <= yes.loc[2, "ci_high"]


def test_weekly_and_monthly_bins_start_on_monday_and_the_first():
    s = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X", "published": ["2022-09-21", "2022-10-30"]})
    w = over_time(s, "volume", freq="W")
    m = over_time(s, "volume", freq="M")
    assert w["date"].dt.day_of_week.eq(0).all() and len(w) == 6   # 30 Oct 2022 is a Sunday
    assert m["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-01", "2022-10-01"]


def test_rolling_windows_pool_documents_not_bin_averages():
    s = pd.DataFrame({"doc_id": ["a"] * 4 + ["b", "c"], "outlet": "X",
                      "published": ["2022-09-01"] * 4 + ["2022-09-02", "2022-09-03"],
                      "lab": ["yes"] * 4 + ["no", "no"]})
    t = over_time(s, "themes", labels="lab", rolling=3, n_boot=0)
    yes = t[t["theme"] == "yes"].reset_index(drop=True)
    assert yes.loc[1, "estimate"] == pytest.approx(4 / 6)        # bin averages would give 1/3
    assert yes.loc[1, "n_docs"] == 3 and yes.loc[0, "n_docs"] == 2
    v = over_time(s, "volume", rolling=3)
    assert v["estimate"].tolist() == pytest.approx([1.0, 1.0, 1.0])


def test_marker_trajectory_matches_marker_rates_in_each_bin():
    from framing.markers import marker_rates

    lex = {"families": {"status": {"markers": [{"marker": "sham"}, {"marker": "referendum"}]}}}
    c = pd.DataFrame({"doc_id": [f"d{i}" for i in range(8)], "outlet": ["X", "Y"] * 4,
                      "published": ["2022-09-20"] * 4 + ["2022-09-21"] * 4,
                      "text": ["The sham referendum ended.", "A referendum was held today in the east.",
                               "Nothing happened.", "The sham vote, a sham.", "The referendum results came.",
                               "Sham.", "The referendum, said to be a sham, ended.", "Quiet day."]})
    t = over_time(c, "markers", lexicon=lex, voice="all", boilerplate="keep", n_boot=0, min_docs=2)
    for day, part in c.groupby("published"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = marker_rates(part, lexicon=lex, voice="all", boilerplate="keep", interval=None)
        col = "rate" if "rate" in r.columns else "estimate"
        got = t[t["date"] == pd.Timestamp(day)].set_index(["group", "marker"])["estimate"]
        want = r.set_index(["group", "marker"])[col]
        assert np.allclose(got.loc[want.index].to_numpy(), want.to_numpy())
    assert t.attrs["interval"] == "profile"


def test_own_voice_is_the_default_for_markers():
    lex = {"families": {"status": {"markers": [{"marker": "sham"}]}}}
    c = pd.DataFrame({"doc_id": ["a", "b"], "outlet": "X", "published": "2022-09-20",
                      "text": ["Biden called it “a sham.” The vote ended.", "The vote was a sham."]})
    own = document_values(c, "markers", lexicon=lex, boilerplate="keep")
    every = document_values(c, "markers", lexicon=lex, voice="all", boilerplate="keep")
    assert own.num[:, 0].tolist() == [0, 1] and every.num[:, 0].tolist() == [1, 1]


def test_intervals_cover_at_about_the_nominal_rate():
    hits, total = 0, 0
    for rep in range(20):
        s = _share_table(20, 30, lambda d, g: 0.25, seed=100 + rep, sentences=6)
        t = over_time(s, "themes", labels="lab", n_boot=300, random_state=rep)
        yes = t[t["theme"] == "yes"]
        hits += int(((yes["ci_low"] <= 0.25) & (0.25 <= yes["ci_high"])).sum())
        total += len(yes)
    assert 0.90 <= hits / total <= 0.985, hits / total


def test_stance_from_a_coder_and_axes_from_scores():
    from framing.axes import Axis, score_axes
    from framing.coder import Coder
    from framing.testing import HashEncoder

    enc = HashEncoder(dim=64)
    coded = pd.DataFrame({"text": ["a free fair vote"] * 4 + ["a sham staged vote"] * 4,
                          "stance": ["leg"] * 4 + ["del"] * 4})
    coder = Coder(encoder=enc).fit(coded, label="stance")
    s = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "sent_id": ["a:0", "a:1", "b:0", "c:0"], "outlet": "X",
                      "published": ["2022-09-20"] * 2 + ["2022-09-21"] * 2,
                      "text": ["the sham staged vote", "a free fair vote", "a sham vote", "a fair vote"]})
    t = over_time(s, "stance", coder=coder, n_boot=0, min_docs=2)
    assert set(t["class"]) == {"del", "leg"}
    d = t[(t["class"] == "del")]
    assert d["estimate"].iloc[0] == pytest.approx(0.5)
    ax = Axis("calm", ["calm quiet day", "quiet peaceful night", "calm peaceful town"],
              ["violent loud riot", "loud angry clash", "violent angry crowd"]).fit(enc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = score_axes(s, [ax], encoder=enc, group=None, voice="all", boilerplate="keep", n_boot=10, n_null=10,
                        random_state=0)
    a = over_time(s, "axes", scores=sc, freq="M", group=None, n_boot=0, min_docs=2)
    assert a["estimate"].iloc[0] == pytest.approx(float(sc.projections[:, 0].mean()))


def test_unknown_options_are_errors():
    s = pd.DataFrame({"doc_id": ["a"], "outlet": "X", "published": ["2022-09-20"]})
    with pytest.raises(TypeError):
        over_time(s, "volume", bins="D")
    with pytest.raises(ValueError, match="freq"):
        over_time(s, "volume", freq="Q")
    with pytest.raises(ValueError, match="rolling"):
        over_time(s, "volume", rolling=2)
    with pytest.raises(ValueError, match="measure"):
        over_time(s, "tone")


# ------------------------------------------------------------------------------ events

def test_shipped_events_have_dates_and_sources():
    ev = load_events()
    dates = ev["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2022-09-20", "2022-09-23", "2022-09-27", "2022-09-30", "2022-10-12"]
    assert ev["source"].str.len().gt(20).all()
    assert "S/2022/720" in " ".join(ev["source"]) and "A/RES/ES-11/4" in " ".join(ev["source"])
    assert ev.loc[1, "end"] == pd.Timestamp("2022-09-27")


@pytest.mark.parametrize("entry, message", [
    ("- {date: 2022-09-20, event: Announced}", r"entry 0 \('Announced'\): source is missing"),
    ("- {date: 2022-09-20, end: 2022-09-19, event: A, source: S}", "end 2022-09-19 is before"),
    ("- {date: 2022-13-40, event: A, source: S}", "not a date"),
    ("- {date: someday, event: A, source: S}", "'someday' is not a date"),
    ("- {date: 2022-09-20, event: A, source: S, where: Kyiv}", r"unknown key\(s\) \['where'\]"),
])
def test_bad_events_name_the_entry(tmp_path, entry, message):
    p = tmp_path / "ev.yaml"
    p.write_text("events:\n  - {date: 2022-09-01, event: Fine, source: S}\n" + entry.replace("- {", "  - {", 1)
                 .replace("entry 0", "entry 1"), encoding="utf-8")
    with pytest.raises(EventsError, match=message.replace("entry 0", "entry 1")):
        load_events(p)


# ------------------------------------------------------------------------------ change points

@pytest.mark.parametrize("method", ["pelt", "binseg"])
def test_a_planted_step_is_found_at_the_right_date_with_a_covering_interval(method):
    s = _share_table(30, 15, lambda d, g: 0.25 if d < 17 else 0.55, seed=3)
    t = over_time(s, "themes", labels="lab", n_boot=0)
    cp = change_points(t[t["theme"] == "yes"], method=method, n_null=200, n_boot=200, random_state=0)
    assert len(cp) == 1
    step = pd.Timestamp("2022-09-18")
    row = cp.iloc[0]
    assert row["date"] == step
    assert row["ci_low"] <= step <= row["ci_high"] and (row["ci_high"] - row["ci_low"]).days <= 6
    assert row["size"] == pytest.approx(0.30, abs=0.08) and row["before"] < row["after"]
    assert cp.attrs["series"][0]["n_changes"] == 1


def test_flat_series_give_a_change_at_about_the_stated_rate():
    groups = [f"g{i}" for i in range(100)]   # 100 flat series, one per group
    s = _share_table(20, 6, lambda d, g: 0.4, seed=7, groups=groups, sentences=5)
    t = over_time(s, "themes", labels="lab", n_boot=0)
    cp = change_points(t[t["theme"] == "yes"], alpha=0.05, n_null=100, n_boot=0, random_state=1)
    rate = cp["group"].nunique() / 100
    assert rate <= 0.05 + 0.06, rate
    assert len(cp.attrs["series"]) == 100


def test_change_points_need_the_documents_of_the_trajectory():
    t = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=5), "group": "X", "estimate": np.arange(5.0)})
    with pytest.raises(ValueError, match="documents"):
        change_points(t)


# ------------------------------------------------------------------------------ change points weighted by bin size

def _dv_trajectory(sizes, p_of_day, seed, *, outlier=None, sentences=10, n_groups=1):
    """A theme trajectory built from per-document counts: sizes[d] documents on day d of
    `sentences` labelled sentences each, a per-document share around p_of_day(d); outlier =
    (day, sentences, yes) adds one short document on that day."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_groups):
        for d, k in enumerate(sizes):
            for _ in range(k):
                p = np.clip(p_of_day(d) + rng.normal(0, 0.08), 0.01, 0.99)
                rows.append((f"g{g}", d, sentences, rng.binomial(sentences, p)))
            if outlier is not None and d == outlier[0]:
                rows.append((f"g{g}", d, outlier[1], outlier[2]))
    g, day, den, num = map(np.array, zip(*rows))
    dv = DocumentValues(doc_id=np.arange(len(g)), date=(pd.Timestamp("2022-09-01") + pd.to_timedelta(day, "D"))
                        .to_numpy(), group=g.astype(object), num=num[:, None].astype(float),
                        den=den[:, None].astype(float), items=pd.DataFrame({"theme": ["yes"]}), measure="themes")
    return over_time(dv, n_boot=0)


def _pin_fixture():
    s = _share_table(24, 10, lambda d, g: 0.3 if d < 13 else 0.5, seed=11, groups=("A", "B"))
    s = s[~(s["published"].dt.day.isin([5, 6, 20]) & ~s["doc_id"].str.endswith(("-0", "-1")))]   # thin days
    t = over_time(s, "themes", labels="lab", n_boot=0)
    return t[t["theme"] == "yes"]


@pytest.mark.parametrize("method", ["pelt", "binseg"])
def test_unweighted_change_points_keep_the_numbers_of_the_unweighted_implementation(method):
    # pinned with the implementation before weights= existed (same fixture, same random_state)
    cp = change_points(_pin_fixture(), method=method, n_null=60, n_boot=40, weights=None, random_state=0)
    assert cp["date"].dt.strftime("%m-%d").tolist() == ["09-14", "09-14"]
    assert cp["ci_low"].dt.strftime("%m-%d").tolist() == ["09-11", "09-13"]
    assert cp["ci_high"].dt.strftime("%m-%d").tolist() == ["09-16", "09-21"]
    assert cp["before"].tolist() == pytest.approx([0.35288461538461541, 0.28653846153846158], rel=1e-12)
    assert cp["after"].tolist() == pytest.approx([0.51363636363636356, 0.53068181818181814], rel=1e-12)
    assert cp["penalty"].tolist() == pytest.approx([0.11781293402777782, 0.1265680509868421], rel=1e-12)
    assert cp.attrs["weights"] is None and cp.attrs["cost"] == "l2"
    w = change_points(_pin_fixture(), method=method, n_null=60, n_boot=40, random_state=0)
    assert w.attrs["weights"] == "size" and w["penalty"].tolist() != cp["penalty"].tolist()


def test_a_thin_outlier_bin_neither_hides_a_step_nor_makes_a_change_when_bins_are_weighted():
    sizes = [12] * 30
    sizes[8] = 0                                    # day 8: one document of two sentences, both "yes"
    t = _dv_trajectory(sizes, lambda d: 0.3 if d < 18 else 0.5, 0, outlier=(8, 2, 2))
    assert t.loc[t["date"] == "2022-09-09", "estimate"].item() == 1.0
    step = pd.Timestamp("2022-09-19")
    cp = change_points(t, n_null=200, n_boot=100, random_state=0)
    assert cp["date"].tolist() == [step]            # the step, and nothing at the outlier
    assert cp.loc[0, "ci_low"] <= step <= cp.loc[0, "ci_high"]
    assert cp.loc[0, "before"] == pytest.approx(0.3, abs=0.05) and cp.loc[0, "after"] == pytest.approx(0.5, abs=0.05)
    flat = change_points(t, n_null=200, n_boot=100, weights=None, random_state=0)
    assert flat.empty                               # unweighted: the outlier inflates the penalty, the step is missed
    assert flat.attrs["series"][0]["penalty"] > 2 * cp.attrs["series"][0]["penalty"]


def test_weighted_change_points_keep_their_size_with_unequal_bins():
    sizes = [10] * 20
    sizes[3] = sizes[11] = 1
    sizes[15], sizes[7] = 2, 25
    t = _dv_trajectory(sizes, lambda d: 0.3, 7, sentences=6, n_groups=200)
    cp = change_points(t, alpha=0.1, n_null=50, n_boot=0, random_state=1)
    rate = cp["group"].nunique() / 200
    assert 0.1 - 0.064 <= rate <= 0.1 + 0.064, rate      # alpha +- 3 binomial standard errors
    assert len(cp.attrs["series"]) == 200


def test_the_weighted_segment_cost_matches_a_direct_computation():
    from framing.timeline.changes import _seg_costs, _weighted_l2

    rng = np.random.default_rng(0)
    x, w = rng.normal(size=40) * 3 + 10, rng.gamma(0.7, size=40) + 1e-3
    w = w / w.mean()
    cost = _seg_costs(x, 2, w)
    rupt = _weighted_l2(w, 2).fit(x.reshape(-1, 1))
    for _ in range(50):
        i, j = sorted(rng.choice(41, size=2, replace=False))
        m = np.sum(w[i:j] * x[i:j]) / np.sum(w[i:j])
        want = np.sum(w[i:j] * (x[i:j] - m) ** 2)
        if j - i < 2:
            assert cost[i, j] == np.inf
            continue
        assert cost[i, j] == pytest.approx(want, rel=1e-9, abs=1e-9)
        assert rupt.error(i, j) == pytest.approx(want, rel=1e-9, abs=1e-9)
    ones = _seg_costs(x, 2, np.ones(40))
    assert np.allclose(ones[np.isfinite(ones)], _seg_costs(x, 2)[np.isfinite(ones)])
    with pytest.raises(ValueError, match="weights"):
        change_points(_pin_fixture(), weights="words")


# ------------------------------------------------------------------------------ lead-lag

def _lead_pair(n: int, lead: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z = np.convolve(rng.normal(size=n + 20), np.ones(3) / 3, mode="same")
    a = z[10:10 + n]
    b = z[10 - lead:10 - lead + n] + 0.3 * rng.normal(size=n) * z.std()
    d = pd.date_range("2022-01-01", periods=n)
    return pd.DataFrame({"date": np.tile(d, 2), "group": ["RT"] * n + ["CNN"] * n, "estimate": np.r_[a, b]})


def test_a_planted_two_day_lead_is_recovered_with_its_sign():
    t = _lead_pair(150, 2, seed=4)
    r = lead_lag(t, "RT", "CNN", max_lag=7, random_state=0)
    assert r.best_lag == 2 and r.leader == "RT" and r.correlation > 0.5 and r.p_value < 0.01
    back = lead_lag(t, "CNN", "RT", max_lag=7, random_state=0)
    assert back.best_lag == -2 and back.leader == "RT"
    assert list(r.to_frame().columns) == ["lag", "correlation", "n_bins"]
    assert r.summary().loc[0, "best_lag"] == 2 and "LeadLag" in r._repr_html_()


def test_lead_lag_null_keeps_its_size_for_independent_autocorrelated_series():
    rejections = 0
    for seed in range(60):
        rng = np.random.default_rng(seed)
        x, y = np.zeros(100), np.zeros(100)
        for i in range(1, 100):
            x[i] = 0.7 * x[i - 1] + rng.normal()
            y[i] = 0.7 * y[i - 1] + rng.normal()
        d = pd.date_range("2022-01-01", periods=100)
        t = pd.DataFrame({"date": np.tile(d, 2), "group": ["a"] * 100 + ["b"] * 100, "estimate": np.r_[x, y]})
        rejections += lead_lag(t, "a", "b", max_lag=5, n_perm=200, random_state=seed).p_value <= 0.05
    assert rejections / 60 <= 0.05 + 0.08


def test_document_values_survive_copies_and_filters():
    s = _share_table(3, 6, lambda d, g: 0.3, seed=1)
    t = over_time(s, "themes", labels="lab", n_boot=0)
    dv = t.attrs["documents"]
    assert isinstance(dv, DocumentValues) and t[t["theme"] == "yes"].attrs["documents"] is dv
    assert pd.concat([t, t]).attrs.get("documents") in (dv, None)
    f = dv.to_frame()
    assert {"doc_id", "date", "group", "theme", "numerator", "denominator", "value"} <= set(f.columns)


# ------------------------------------------------------------------------------ plots

def test_plots_mark_thin_and_empty_bins_draw_events_and_never_save(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from framing.plot.timeline import plot_change_points, plot_lead_lag, plot_over_time

    monkeypatch.setattr(Figure, "savefig", lambda *a, **k: pytest.fail("a plot saved a figure"))
    s = _share_table(12, 6, lambda d, g: 0.2 if d < 6 else 0.6, seed=2, groups=("RT", "CNN"))
    s = s[~((s["outlet"] == "CNN") & (s["published"] == "2022-09-04"))]           # one empty bin
    s = s[~((s["outlet"] == "RT") & (s["published"] == "2022-09-05") & ~s["doc_id"].str.endswith("-0"))]  # thin
    t = over_time(s, "themes", labels="lab", n_boot=50, random_state=0)
    t = t[t["theme"] == "yes"]
    ev = load_events().assign(date=pd.to_datetime(["2022-09-03", "2022-09-05", "2022-09-08", "2022-09-09",
                                                   "2022-12-01"]),
                              end=pd.to_datetime([None, "2022-09-06", None, None, None]))
    ax = plot_over_time(t, events=ev)
    texts = [x.get_text() for x in ax.texts]
    assert "Referendums announced" in texts and "UNGA adopts ES-11/4" not in texts      # outside the range
    hollow = [ln for ln in ax.get_lines() if ln.get_markerfacecolor() == "white"]
    crosses = [ln for ln in ax.get_lines() if ln.get_marker() == "x"]
    assert len(hollow) == 1 and len(hollow[0].get_xdata()) == 1
    assert len(crosses) == 1 and len(crosses[0].get_xdata()) == 1
    cp = change_points(t, n_null=50, n_boot=20, random_state=0)
    assert plot_change_points(t, cp) is not None
    assert plot_lead_lag(lead_lag(t, "RT", "CNN", max_lag=2, random_state=0)) is not None
    plt.close("all")


def test_start_and_end_limit_the_bins_and_change_points_use_the_same_documents():
    s = _share_table(20, 10, lambda d, g: 0.2 if d < 12 else 0.6, seed=5)
    t = over_time(s, "themes", labels="lab", n_boot=0, start="2022-09-03", end="2022-09-18")
    assert t["date"].min() == pd.Timestamp("2022-09-03") and t["date"].max() == pd.Timestamp("2022-09-18")
    assert t.attrs["start"] == "2022-09-03" and t.attrs["end"] == "2022-09-18"
    cp = change_points(t[t["theme"] == "yes"], n_null=100, n_boot=50, random_state=0)
    assert cp["date"].tolist() == [pd.Timestamp("2022-09-13")]
    assert cp.attrs["series"][0]["n_bins"] == 16


def test_a_table_with_repeated_doc_ids_needs_sentence_ids_for_markers():
    s = pd.DataFrame({"doc_id": ["a", "a"], "outlet": "X", "published": "2022-09-20", "text": ["sham.", "sham."]})
    with pytest.raises(ValueError, match="sent_id"):
        document_values(s, "markers")


@pytest.mark.integration
def test_the_ukraine_media_corpus_weekly_volume_and_daily_markers_in_the_referendum_weeks():
    import time

    from framing.corpora import load_corpus

    c = load_corpus("ukraine-media")
    t0 = time.perf_counter()
    v = over_time(c, "volume", freq="W")
    assert time.perf_counter() - t0 < 30
    assert v.groupby("group")["n_docs"].sum().to_dict() == c.groupby("outlet")["doc_id"].nunique().to_dict()
    assert v["date"].dt.day_of_week.eq(0).all()
    window = c[(c["published"] >= "2022-09-16") & (c["published"] < "2022-10-15")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = over_time(window, "markers", freq="D", random_state=0)
    sham = m[m["marker"] == "sham"]
    assert set(sham["group"]) == set(window["outlet"]) and sham["thin"].any()
    assert (sham.loc[~sham["thin"], "ci_low"] <= sham.loc[~sham["thin"], "estimate"]).all()
    cp = change_points(sham, n_null=100, n_boot=50, random_state=0)
    assert len(cp.attrs["series"]) == window["outlet"].nunique()
    assert cp["ci_low"].le(cp["date"]).all() and cp["date"].le(cp["ci_high"]).all()


def test_yearly_bins_count_documents_per_calendar_year():
    s = pd.DataFrame({"doc_id": ["a", "b", "c"], "outlet": "X",
                      "published": pd.to_datetime(["2021-09-21", "2022-09-20", "2022-12-31"])})
    t = over_time(s, "volume", freq="Y")
    assert t["date"].dt.year.tolist() == [2021, 2022] and t["n_docs"].tolist() == [1, 2]


def test_an_interval_between_empty_bins_is_drawn_as_a_bar():
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.collections import LineCollection

    from framing.plot.timeline import plot_over_time

    # an interval on one day only: the days around it are thin (no interval)
    t = pd.DataFrame({"date": pd.date_range("2022-09-20", periods=3), "group": "X",
                      "estimate": [1.0, 2.0, 1.0], "ci_low": [np.nan, 1.5, np.nan],
                      "ci_high": [np.nan, 2.5, np.nan], "n_docs": [2, 9, 2], "thin": [True, False, True]})
    t.attrs.update(measure="markers", freq="D", min_docs=5)
    ax = plot_over_time(t)
    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert bars and len(bars[0].get_segments()) >= 1


def _open_trajectory(ci_high):
    t = pd.DataFrame({"date": pd.date_range("2022-09-20", periods=5), "group": "X",
                      "estimate": [1.0, 2.0, 1.0, 0.5, 0.8], "ci_low": [0.5, 1.0, 0.4, 0.1, 0.3],
                      "ci_high": ci_high, "n_docs": 9, "thin": False})
    t.attrs.update(measure="markers", freq="D", min_docs=5)
    return t


def test_open_intervals_are_cut_at_the_top_of_the_axis_and_marked_by_a_caret():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from framing.plot.timeline import plot_change_points, plot_over_time

    t = _open_trajectory([1.6, np.inf, 1e9, 0.9, 1.2])
    ax = plot_over_time(t)
    lo, hi = ax.get_ylim()
    assert np.isfinite(lo) and hi == pytest.approx(1.3 * 2.0) and lo < 0.1
    carets = [ln for ln in ax.get_lines() if ln.get_marker() == "^"]
    assert len(carets) == 1 and len(carets[0].get_xdata()) == 2          # one caret per open interval
    assert np.allclose(carets[0].get_ydata(), 2.6) and not carets[0].get_clip_on()
    assert "open above" in ax.get_title()
    auto = plot_over_time(t, clip=None)                                      # autoscaled: 1e9 sets the top
    assert auto.get_ylim()[1] > 1e8 and not [ln for ln in auto.get_lines() if ln.get_marker() == "^"]
    closed = _open_trajectory([1.6, 2.4, 1.5, 0.9, 1.2])                     # every interval fits: no cut
    a, b = plot_over_time(closed), plot_over_time(closed, clip=None)
    assert a.get_ylim() == b.get_ylim() and a.get_ylim()[1] > 2.4
    s = _share_table(12, 6, lambda d, g: 0.2 if d < 6 else 0.6, seed=2)
    tr = over_time(s, "themes", labels="lab", n_boot=0)
    tr = tr[tr["theme"] == "yes"].assign(ci_low=lambda d: d["estimate"] * 0.8,
                                         ci_high=lambda d: np.where(d["date"] == "2022-09-03", np.inf, d["estimate"]))
    cp = change_points(tr, n_null=50, n_boot=0, random_state=0)
    ax = plot_change_points(tr, cp)
    assert ax.get_ylim()[1] == pytest.approx(1.3 * tr["estimate"].max())
    assert sum(len(ln.get_xdata()) for ln in ax.get_lines() if ln.get_marker() == "^") == 1
    plt.close("all")
