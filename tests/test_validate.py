"""Agreement between coding passes: Krippendorff's alpha against worked examples."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import framing

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the worked example with
# four coders, twelve units and missing values: nominal alpha 0.743, interval 0.849.
_K = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
      [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]


def _tables(rows):
    return [pd.DataFrame({"doc_id": [f"u{i}" for i in range(len(r))], "sent_id": "s",
                          "code": [None if x is None else str(x) for x in r]}) for r in rows]


def test_alpha_matches_krippendorffs_worked_example():
    r = framing.agreement(*_tables(_K), label="code", n_boot=0)
    assert r.loc[0, "estimate"] == pytest.approx(0.743, abs=5e-4)
    assert r.loc[0, "n"] == 11            # unit 12 has a single code: not pairable
    iv = framing.agreement(*_tables(_K), label="code", level="interval", categories=["1", "2", "3", "4", "5"],
                           n_boot=0)
    assert iv.loc[0, "estimate"] == pytest.approx(0.849, abs=5e-4)


def test_alpha_by_hand_and_interval():
    """Two coders, 6 units, one disagreement: alpha = 1 - (n-1) * 2 / (n^2 - sum n_c^2) with n = 12."""
    a = pd.DataFrame({"doc_id": list("abcdef"), "sent_id": "0",
                      "voice": ["own", "own", "reported", "direct", "own", "reported"]})
    b = a.assign(voice=["own", "own", "reported", "reported", "own", "reported"])
    r = framing.agreement(a, b, label="voice", n_boot=500, random_state=0).iloc[0]
    assert r["estimate"] == pytest.approx(1 - 11 * 2 / (144 - 36 - 25 - 1))
    assert r["percent_agreement"] == pytest.approx(5 / 6)
    assert r["ci_low"] <= r["estimate"] <= r["ci_high"]
    same = framing.agreement(a, a, label="voice", n_boot=0).iloc[0]
    assert same["estimate"] == pytest.approx(1.0)


def test_bad_input_is_named():
    a = pd.DataFrame({"doc_id": ["a", "a"], "sent_id": ["0", "0"], "voice": ["own", "own"]})
    with pytest.raises(ValueError, match="coded table 0, row 1"):
        framing.agreement(a, a, label="voice")
    with pytest.raises(ValueError, match="missing column"):
        framing.agreement(a.drop(columns="voice"), a, label="voice")


DATA = Path(__file__).resolve().parent / "data"


def test_two_coding_passes_of_the_voice_development_set():
    """The two independent passes over tests/data/voice_dev_sample.csv (codes only, no text)."""
    first = pd.read_csv(DATA / "voice_dev.csv", dtype=str)
    second = pd.read_csv(DATA / "voice_dev_pass2.csv", dtype=str)
    assert list(first["sent_id"]) == list(second["sent_id"])
    r = framing.agreement(first, second, label="voice", n_boot=300, random_state=0).iloc[0]
    assert r["n"] == 190 and 0.4 < r["estimate"] < 1       # measured: see README, "Whose words?"
    own = [f.assign(own=np.where(f["voice"] == "own", "own", "attributed")) for f in (first, second)]
    r2 = framing.agreement(*own, label="own", n_boot=0).iloc[0]
    assert r2["estimate"] >= r["estimate"] - 0.05            # the binary own/attributed split is the easier one
