"""The seeds' questions, answered by the shipped scenarios under common random numbers.

Each test runs every arm of a question with the same seeds (common random numbers) and checks
the direction the seed articles claim, with a paired statistical test or a stated margin. The
subject of each question is the scenario's named trust, Oak Trust (trust_id 0).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulation import load_scenario, run_simulation

SEEDS = tuple(range(1, 11))
OAK = 0


@cache
def run(scenario: str, seed: int):
    return run_simulation(load_scenario(f"scenarios/{scenario}.toml").params, seed=seed)


def oak(scenario: str, seed: int) -> pd.DataFrame:
    trusts = run(scenario, seed)["trusts"]
    return trusts[trusts.trust_id == OAK].set_index("year")


def oak_events(scenario: str, seed: int, kind: str, break_point: str | None = None) -> pd.DataFrame:
    ev = run(scenario, seed)["events"]
    ev = ev[(ev.trust_id == OAK) & (ev.kind == kind)]
    return ev if break_point is None else ev[ev.break_point == break_point]


def final_quality(scenario: str, seed: int, last: int = 3) -> float:
    """Oak Trust's pupil-weighted quality, averaged over the last ``last`` years."""
    return float(oak(scenario, seed)["mean_quality"].iloc[-last:].mean())


def paired(a: str, b: str, metric=final_quality) -> tuple[np.ndarray, float]:
    """Per-seed differences a - b and the one-sided Wilcoxon p-value that a < b."""
    diff = np.array([metric(a, s) - metric(b, s) for s in SEEDS])
    return diff, float(stats.wilcoxon(diff, alternative="less").pvalue)


def test_q1_a_ceo_who_never_lets_go_crosses_oversight_early_and_ends_worse():
    """Seed 002: 'many MAT CEOs struggle to let go'; an executive leader manages 4-5 schools."""
    at_schools = []
    for seed in SEEDS:
        crossings = oak_events("ceo_never_lets_go", seed, "crossing", "oversight")
        if len(crossings):
            at_schools.append(crossings["n_schools"].iloc[0])
    early = [4 <= n <= 8 for n in at_schools]
    assert sum(early) >= 0.7 * len(SEEDS), at_schools
    diff, p = paired("ceo_never_lets_go", "ceo_steps_back")
    assert diff.mean() < 0 and p < 0.05, (diff, p)
    hands_on = [oak("ceo_never_lets_go", s)["ceo_hands_on"].iloc[-1] for s in SEEDS]
    assert all(hands_on), "a CEO who never lets go must stay hands-on"
