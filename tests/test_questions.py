"""The seeds' questions, answered by the shipped scenarios under common random numbers.

Each test runs every arm of a question with the same 48 seeds (common random numbers: the same
world, intakes and draws in every arm) and checks the direction the seed articles claim with a
one-sided paired Wilcoxon test at 5 %, or a stated share of seeds. The subject of every
question is the scenario's named trust, Oak Trust (trust_id 0).

The main outcome is Oak Trust's **value added** (pupil-weighted quality of its schools above
their own potential) averaged over the 15 simulated years: what its pupils experienced, free of
which schools happened to join. Each test's docstring quotes the claim it checks.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy import stats

from simulation import load_scenario, run_simulation
from simulation.school import REQUIRES_IMPROVEMENT

SEEDS = tuple(range(1, 49))
OAK = 0
ALPHA = 0.05
JOIN_KINDS = ("join", "broker", "rebroker", "merge")


@cache
def run(scenario: str, seed: int):
    return run_simulation(load_scenario(f"scenarios/{scenario}.toml").params, seed=seed)


def oak(scenario: str, seed: int) -> pd.DataFrame:
    trusts = run(scenario, seed)["trusts"]
    return trusts[trusts.trust_id == OAK].set_index("year")


def oak_events(scenario: str, seed: int, kind: str, break_point: str) -> pd.DataFrame:
    ev = run(scenario, seed)["events"]
    return ev[(ev.trust_id == OAK) & (ev.kind == kind) & (ev.break_point == break_point)]


def value_added(scenario: str, seed: int) -> float:
    """Oak Trust's value added, averaged over the simulated years 1-15."""
    return float(oak(scenario, seed)["value_added"].iloc[1:].mean())


def start_outstanding_final_quality(scenario: str, seed: int) -> float:
    """Final quality of the schools that were outstanding in Oak Trust at the start."""
    schools = run(scenario, seed)["schools"]
    start = schools[(schools.year == 0) & (schools.trust_id == OAK)]
    ids = start.loc[start.grade == "outstanding", "school_id"]
    end = schools[(schools.year == schools.year.max()) & schools.school_id.isin(ids)]
    return float(end["quality"].mean())


def better(a: str, b: str, metric=value_added, seeds=SEEDS) -> tuple[float, float]:
    """Mean paired difference a - b over the seeds and the one-sided p-value that a > b."""
    diff = np.array([metric(a, s) - metric(b, s) for s in seeds])
    diff = diff[~np.isnan(diff)]
    return float(diff.mean()), float(stats.wilcoxon(diff, alternative="greater").pvalue)


def assert_better(a: str, b: str, metric=value_added, seeds=SEEDS) -> None:
    mean, p = better(a, b, metric, seeds)
    assert mean > 0 and p < ALPHA, f"{a} vs {b}: mean difference {mean:+.3f}, p = {p:.3f}"


def test_q1_a_ceo_who_never_lets_go_crosses_oversight_early_and_does_worse():
    """Seed 002: 'many MAT CEOs struggle to let go'; an executive leader manages 'four or perhaps
    five schools'. The CEO who never lets go crosses the oversight break point between 4 and 8
    schools in most seeds, and the trust adds less than under a CEO who steps back at 5."""
    at_schools = []
    for seed in SEEDS:
        crossings = oak_events("ceo_never_lets_go", seed, "crossing", "oversight")
        at_schools.append(crossings["n_schools"].iloc[0] if len(crossings) else np.inf)
    assert np.mean([4 <= n <= 8 for n in at_schools]) >= 0.7, at_schools
    assert all(oak("ceo_never_lets_go", s)["ceo_hands_on"].iloc[-1] for s in SEEDS)
    assert_better("ceo_steps_back", "ceo_never_lets_go")


def test_q2_regional_hubs_and_clusters_help_a_trust_in_a_second_region():
    """Seed 000: moving into new geographies strains collaboration and central operations; trusts
    regionalise operations and use cluster-based models. Central operations cross their break
    point and cost more per pupil; hubs and clusters each raise value added."""
    central, regional = "second_region_central_no_clusters", "second_region_regional_no_clusters"
    clustered = "second_region_central_clusters"
    last = {arm: [oak(arm, s).iloc[-1] for s in SEEDS] for arm in (central, regional, clustered)}
    assert np.mean([row["ratio_central_operations"] > 1 for row in last[central]]) >= 0.8
    assert np.mean([row["ratio_central_operations"] < 1 for row in last[regional]]) >= 0.8
    assert np.mean([row["ratio_collaboration"] < 1 for row in last[clustered]]) >= 0.8
    cost = np.array(
        [
            a["central_cost_per_pupil_gbp"] - b["central_cost_per_pupil_gbp"]
            for a, b in zip(last[central], last[regional], strict=True)
        ]
    )
    assert cost.mean() > 0 and stats.wilcoxon(cost, alternative="greater").pvalue < ALPHA
    assert_better(regional, central)
    assert_better(clustered, central)
    assert_better("second_region_regional_clusters", central)


def test_q3_an_autonomous_model_leaves_weak_schools_behind():
    """Seed 000: 'MATs operating a highly-autonomous model can find schools with low performance
    face a glass floor where a more directive approach is needed'. With four weak schools, the
    autonomous trust crosses the glass floor and adds less than the aligned one."""
    crossed = [
        len(oak_events("weak_schools_autonomous", s, "crossing", "glass_floor")) > 0 for s in SEEDS
    ]
    aligned = [
        len(oak_events("weak_schools_aligned", s, "crossing", "glass_floor")) > 0 for s in SEEDS
    ]
    assert np.mean(crossed) >= 0.8 and np.mean(aligned) <= 0.2
    assert_better("weak_schools_aligned", "weak_schools_autonomous")


def test_q3_earned_autonomy_lifts_the_glass_ceiling_for_strong_schools():
    """Seed 000: in highly-aligned trusts 'high-performing schools face a glass ceiling'; earned
    autonomy lets them innovate. Outstanding schools held to the aligned model cross the glass
    ceiling; under earned autonomy they end higher."""
    crossed = [
        len(oak_events("strong_schools_aligned", s, "crossing", "glass_ceiling")) > 0 for s in SEEDS
    ]
    assert np.mean(crossed) >= 0.8
    assert_better(
        "strong_schools_earned_autonomy", "strong_schools_aligned", start_outstanding_final_quality
    )


def test_q4_breaking_the_golden_rule_takes_on_more_weak_schools_and_adds_less():
    """Seed 002: the 'golden rule' of three good or outstanding schools for every weak one. A
    trust that sponsors weak schools regardless takes on more of them, runs its golden-rule
    ratio higher, and adds less over the 15 years than one that keeps the rule."""
    seeds = SEEDS

    def weak_joiners(arm: str, seed: int) -> int:
        ev = run(arm, seed)["events"]
        joined = ev[(ev.trust_id == OAK) & ev.kind.isin(JOIN_KINDS)]
        return int((joined.grade_before >= REQUIRES_IMPROVEMENT).sum())

    more = [
        weak_joiners("golden_rule_broken", s) - weak_joiners("golden_rule_kept", s) for s in seeds
    ]
    assert np.mean(more) > 2
    ratio = [
        oak("golden_rule_broken", s)["ratio_golden_rule"].mean()
        - oak("golden_rule_kept", s)["ratio_golden_rule"].mean()
        for s in seeds
    ]
    assert np.mean(ratio) > 0
    assert_better("golden_rule_kept", "golden_rule_broken", seeds=seeds)


def test_q5_anticipatory_review_beats_reactive_which_beats_static():
    """Seed 000: trusts must 'continually pause to review strategy and operating model and adapt
    or face potential break points', adapting 'in advance'. Anticipatory review makes shifts
    before crossings and adds most; reactive review adds more than never shifting."""

    def share_anticipated(arm: str) -> float:
        shifts = [run(arm, s)["events"].query("trust_id == 0 and kind == 'shift'") for s in SEEDS]
        return float(pd.concat(shifts)["anticipated"].mean())

    assert share_anticipated("review_anticipatory") >= 0.3
    assert share_anticipated("review_anticipatory") > share_anticipated("review_reactive") + 0.2
    assert_better("review_anticipatory", "review_reactive")
    assert_better("review_reactive", "review_static")


def test_q6_fast_far_growth_costs_more_than_slow_clustered_growth_to_the_same_size():
    """Seeds 000/002: growing into new geographies strains collaboration; keep schools close.
    Both arms reach about 20 schools; growing fast and far adds less over the 15 years."""
    for arm in ("growth_fast_far", "growth_slow_clustered"):
        sizes = [oak(arm, s)["n_schools"].iloc[-1] for s in SEEDS]
        assert np.mean(sizes) >= 17, (arm, sizes)
    spread = np.array(
        [
            oak("growth_fast_far", s)["spread_km"].iloc[-1]
            - oak("growth_slow_clustered", s)["spread_km"].iloc[-1]
            for s in SEEDS
        ]
    )
    assert np.mean(spread > 0) >= 0.8
    assert_better("growth_slow_clustered", "growth_fast_far")
