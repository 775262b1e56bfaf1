"""Data collection: one tidy row per year (model), per trust x year, per school x year.

The column dictionaries below are the documentation of every output column; ``matsim run``
writes them next to the tables (``columns.json``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .aggregates import TrustAggregates, trust_aggregates
from .central_team import PRESET_NAMES, multi_academy
from .leader import IMPROVEMENT_LEAD, SLE
from .parameters import GRADES, PHASES
from .parameters.operating import EARNED_AUTONOMY, GOVERNANCE, JOINING_POLICIES, REVIEW_POLICIES
from .school import GOOD, INADEQUATE, NO_GRADE, NO_TRUST, OUTSTANDING, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from .model import MATModel

STATUSES = ("maintained", "single_academy", "multi_academy")

MODEL_COLUMNS = {
    "year": "simulated academic year (0 = starting state)",
    "n_schools": "schools in the world",
    "n_trusts": "open trusts (multi- and single-academy)",
    "n_multi_academy_trusts": "open trusts with a growth strategy or more than one school",
    "n_maintained": "schools maintained by the local authority (in no trust)",
    "share_academies": "share of schools in a trust",
    "pupils": "pupils in all schools",
    "mean_quality": "pupil-weighted mean latent quality (standardised units)",
    "share_good_or_better": "share of inspected schools whose last grade is good or outstanding",
    "pupil_share_good_or_better": "share of pupils in schools graded good or outstanding",
    "share_outstanding": "share of inspected schools graded outstanding",
    "share_good": "share of inspected schools graded good",
    "share_requires_improvement": "share of inspected schools graded requires improvement",
    "share_inadequate": "share of inspected schools graded inadequate",
    "disadvantage_gap": "pupil-weighted quality of non-disadvantaged minus disadvantaged pupils' "
    "schools (quality units; smaller is fairer)",
    "head_vacancies": "schools with no substantive head",
    "sles": "specialist leaders of education in post",
    "improvement_leads": "school-improvement leads employed by trusts",
    "executive_heads": "heads deployed this year as executive heads to a second, vulnerable "
    "school of their trust",
    "central_cost_per_pupil_gbp": "central-team spend per pupil across all trusts (GBP)",
    "mean_commitment": "mean staff commitment to their trust (schools in trusts, 0-1)",
    "joins": "schools joining a trust this year (conversion, approach, merger)",
    "brokered": "schools brokered to a sponsor trust this year",
    "rebrokered": "schools moved from a failing trust or closed trust this year",
    "transfers_voluntary": "academies handed on to another trust this year by their trust's "
    "choice: voluntary transfers and schools of trusts merging",
    "transfers_intervention": "academies moved to another trust this year by the regulator "
    "(re-brokered from a failing or closed trust)",
    "trust_closures": "trusts closed by the regulator this year",
    "trust_mergers": "trusts merged into another this year",
    "heads_left": "heads leaving their post this year",
}

TRUST_COLUMNS = {
    "year": "simulated academic year",
    "trust_id": "trust identifier (stable over the run)",
    "name": "trust name",
    "kind": "multi_academy or single_academy",
    "n_schools": "schools in the trust",
    "pupils": "pupils in the trust's schools",
    "mean_quality": "pupil-weighted mean latent quality of its schools",
    "value_added": "pupil-weighted mean of its schools' quality above their own potential (the "
    "level each would revert to on its own, fixed when the world is built): what the trust, its "
    "heads, support and the room it gives strong schools to innovate add, free of which "
    "schools happened to join",
    "share_good_or_better": "share of its inspected schools graded good or outstanding",
    "share_weak": "share of its schools graded requires improvement or inadequate",
    "spread_km": "mean distance of its schools from the trust's base (km)",
    "max_distance_km": "distance of its furthest school from the base (km)",
    "base_x_km": "x of the trust's base (km)",
    "base_y_km": "y of the trust's base (km)",
    "improvement_leads": "school-improvement leads in post",
    "has_ceo": "1 if the CEO post is filled",
    "sles": "SLEs in the trust's schools",
    "head_vacancies": "its schools with no substantive head",
    "central_income_gbp": "top-slice income this year (GBP)",
    "central_spend_gbp": "central-team spend this year (GBP)",
    "central_cost_per_pupil_gbp": "central spend per pupil (GBP)",
    "reserves_gbp": "central reserves at year end (GBP)",
    "mean_alignment": "mean alignment of its schools with the common model (0-1)",
    "mean_commitment": "mean staff commitment (0-1)",
    "autonomy": "operating-model autonomy lever (0 standardise - 1 autonomy)",
    "failing_years": "consecutive years judged failing by the regulator",
}

SCHOOL_COLUMNS_DOC = {
    "year": "simulated academic year",
    "school_id": "school identifier (stable over the run)",
    "trust_id": "trust identifier, -1 for maintained schools",
    "status": "maintained, single_academy or multi_academy",
    "phase": "primary, secondary, special or all_through",
    "region": "region index",
    "pupils": "expected roll (pupils; fractional because admissions move shares)",
    "disadvantage": "share of pupils eligible for free school meals",
    "quality": "latent quality (standardised units; grades cut it at inspection)",
    "grade": "last inspection grade (outstanding, good, requires_improvement, inadequate)",
    "x_km": "x position (km)",
    "y_km": "y position (km)",
    "head_vacant": "1 if the headship is vacant",
    "head_skill": "skill of the head (0-1), NaN while vacant",
    "support": "trust improvement support received this year (0 none, ~1 full)",
    "peer_support": "support from strong schools of the same trust (0-1)",
    "alignment": "alignment with the trust's common model (0-1; 0 outside trusts)",
    "commitment": "staff commitment to the trust (0-1)",
}

EVENT_COLUMNS = {
    "year": "simulated academic year of the event",
    "kind": "what happened (inspection, join, broker; transfer = voluntary transfer to a "
    "better-placed trust, rebroker = intervention transfer by the regulator; merge, "
    "trust_closed, crossing, recovery, shift, ...)",
    "trust_id": "trust concerned (the receiving trust for moves), -1 if none",
    "school_id": "school concerned, -1 if none",
    "other_trust_id": "for moves: the trust the school left (-1 if maintained)",
    "grade_before": "for inspections: previous grade code (0 outstanding .. 3 inadequate, "
    "-1 none); for moves: grade on joining",
    "grade_after": "for inspections: new grade code",
    "internal": "for head appointments: 1 if promoted from the trust's own SLEs",
    "break_point": "for crossing/recovery/shift: which break point (see the README's table)",
    "driver": "for break points: scale, geography, performance or intelligence",
    "load": "for break points: the load at that moment (units depend on the break point)",
    "capacity": "for break points: the capacity of the trust's approach at that moment",
    "ratio": "for break points: load/capacity (inf where the approach has no capacity at all)",
    "n_schools": "for break points: the trust's schools at that moment",
    "pupils": "for break points: the trust's pupils at that moment",
    "spread_km": "for break points: mean distance of its schools from its base (km)",
    "share_weak": "for break points: share of its schools graded below good",
    "anticipated": "for shifts: 1 if made before the break point was crossed",
    "planned": "for shift_unaffordable: 1 if the shift was planned by the operating model (the "
    "CEO stepping back at a set size) and could not be paid for",
    "shift": "for shifts: the change of approach made",
    "effective_year": "for shifts: the year the shift takes effect (after its lag)",
    "cost_gbp": "for shifts: one-off cost paid from reserves (GBP)",
}

COLUMN_DICTIONARY = {
    "model": MODEL_COLUMNS,
    "trusts": TRUST_COLUMNS,
    "schools": SCHOOL_COLUMNS_DOC,
    "events": EVENT_COLUMNS,
}


def trust_reporters(model: MATModel) -> dict[str, str]:
    """Columns the break points and operating model add to the trusts table, with meanings."""
    docs = {
        f"ratio_{bp.name}": (
            f"load/capacity of the {bp.name} break point ({bp.driver}): {bp.description}; "
            "past 1 the approach loses effectiveness; inf where it has no capacity at all; NaN "
            "for trusts break points do not apply to (single academies) and trusts founded "
            "after the year's assessment"
        )
        for bp in model.break_points
    }
    return {**docs, **LEVER_COLUMNS}


LEVER_COLUMNS = {
    "operating_preset": "operating-model preset the trust started with",
    "review_policy": "strategy-review policy: static, reactive or anticipatory",
    "joining_policy": "policy for joining schools",
    "earned_autonomy": "lowest grade that earns autonomy ('off' if none)",
    "directive": "1 if weak schools are under directive intervention",
    "clusters": "1 if collaboration runs in clusters",
    "regional_operations": "1 if operations run from regional hubs",
    "governance": "board model: representative or skills_based",
    "ceo_hands_on": "1 if the CEO still improves schools personally",
    "executive_deployment": "1 if strong heads are deployed as executive heads to the trust's "
    "vulnerable schools",
    "shifts_made": "shifts that have taken effect since the trust was founded",
    "planned_leads": "improvement leads the staffing plan provides for",
    "growth_paused": "1 while growth is paused to rebuild capacity (golden rule)",
}


def column_dictionary(model: MATModel) -> dict[str, dict[str, str]]:
    """Every output column's meaning, including the columns mechanisms add to ``trusts``."""
    return {**COLUMN_DICTIONARY, "trusts": {**TRUST_COLUMNS, **trust_reporters(model)}}


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    total = weights.sum()
    return float((values * weights).sum() / total) if total > 0 else float("nan")


_KINDS = np.array(["single_academy", "multi_academy"], dtype=object)  # by is-a-MAT


def _names(choices: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
    return np.array(choices, dtype=object)[codes]


class Recorder:
    """Collects the model's state once a year; builds DataFrames at the end of a run."""

    def __init__(self, model: MATModel):
        self.model = model
        self.model_rows: list[dict[str, float]] = []
        self.trust_chunks: list[dict[str, np.ndarray]] = []
        self.school_chunks: list[dict[str, np.ndarray]] = []

    def collect(self) -> None:
        """Record the end of the year: one model row, the open trusts, every school."""
        m = self.model
        agg = trust_aggregates(m)  # the year's final state, after growth
        is_mat = multi_academy(m, agg.n_schools.astype(np.int64))
        s = m.schools_data
        kinds = np.zeros(len(s), dtype=np.int8)
        member = agg.member
        kinds[member] = np.where(is_mat[agg.trust_of_member], 2, 1)
        open_ids = np.flatnonzero(m.trusts_data.is_open).astype(np.int64)
        self.model_rows.append(self._model_row(is_mat, member))
        self.trust_chunks.append(self._trust_chunk(open_ids, agg, is_mat))
        self.school_chunks.append(self._school_chunk(kinds))

    def _model_row(self, is_mat: np.ndarray, member: np.ndarray) -> dict[str, float]:
        """The model row; ``member`` are the rows of the schools in a trust."""
        m = self.model
        s, leaders, t = m.schools_data, m.leaders_data, m.trusts_data
        grade = s.grade
        count = np.count_nonzero  # (faster than summing a mask)
        outstanding, good = count(grade == OUTSTANDING), count(grade == GOOD)
        n_graded = max(1, len(s) - count(grade == NO_GRADE))
        pupils = s.pupils
        d = s.disadvantage
        gap = weighted_mean(s.quality, pupils * (1 - d)) - weighted_mean(s.quality, pupils * d)
        is_open = t.is_open
        spend = sum(t.central_spend_gbp[is_open].tolist())  # (compensated, in Python 3.12)
        in_leader_post = leaders.active
        y = m.year
        ev = m.events
        return {
            "year": y,
            "n_schools": len(s),
            "n_trusts": count(is_open),
            "n_multi_academy_trusts": count(is_open & is_mat),
            "n_maintained": len(s) - len(member),
            "share_academies": float((s.trust != NO_TRUST).mean()),
            "pupils": float(pupils.sum()),
            "mean_quality": weighted_mean(s.quality, pupils),
            "share_good_or_better": float((outstanding + good) / n_graded),
            "pupil_share_good_or_better": weighted_mean((grade <= GOOD) & (grade >= 0), pupils),
            "share_outstanding": float(outstanding / n_graded),
            "share_good": float(good / n_graded),
            "share_requires_improvement": float(count(grade == REQUIRES_IMPROVEMENT) / n_graded),
            "share_inadequate": float(count(grade == INADEQUATE) / n_graded),
            "disadvantage_gap": gap,
            "head_vacancies": count(s.head < 0),
            "sles": count(in_leader_post & (leaders.role == SLE)),
            "improvement_leads": count(in_leader_post & (leaders.role == IMPROVEMENT_LEAD)),
            "executive_heads": count(s.executive >= 0),
            "central_cost_per_pupil_gbp": spend / max(1.0, float(pupils[member].sum())),
            "mean_commitment": float(s.commitment[member].mean()) if len(member) else 0.0,
            "joins": ev.count("join", y) + ev.count("merge", y),
            "brokered": ev.count("broker", y),
            "rebrokered": ev.count("rebroker", y),
            "transfers_voluntary": ev.count("transfer", y) + ev.count("merge", y),
            "transfers_intervention": ev.count("rebroker", y),
            "trust_closures": ev.count("trust_closed", y),
            "trust_mergers": ev.count("trust_merged", y),
            "heads_left": ev.count("head_left", y),
        }

    def _trust_chunk(
        self, ids: np.ndarray, agg: TrustAggregates, is_mat: np.ndarray
    ) -> dict[str, np.ndarray]:
        m = self.model
        s, t = m.schools_data, m.trusts_data
        n = len(t)
        total = agg.total
        member = agg.member
        size = agg.n_schools
        safe = np.maximum(size, 1)
        pupils = agg.pupils
        max_dist = np.zeros(n)
        np.maximum.at(max_dist, agg.trust_of_member, agg.to_base_km)
        spend = t.central_spend_gbp
        staff = agg.staff
        chunk = {
            "year": np.full(len(ids), m.year, dtype=np.int32),
            "trust_id": ids,
            "name": t.name[ids].copy(),
            "kind": _KINDS[is_mat[ids].astype(np.intp)],
            "n_schools": size[ids].astype(np.int32),
            "pupils": pupils[ids],
            "mean_quality": (total(s.quality * s.pupils) / np.maximum(pupils, 1e-9))[ids],
            "value_added": (total((s.quality - s.potential) * s.pupils) / np.maximum(pupils, 1e-9))[
                ids
            ],
            "share_good_or_better": (agg.n_strong / np.maximum(agg.n_graded, 1))[ids],
            "share_weak": (agg.n_weak / safe)[ids],
            "spread_km": agg.spread_km[ids],
            "max_distance_km": max_dist[ids],
            "base_x_km": t.base_x_km[ids],
            "base_y_km": t.base_y_km[ids],
            "improvement_leads": staff.leads[ids].astype(np.int64),
            "has_ceo": (staff.ceos > 0)[ids].astype(np.int8),
            "sles": staff.sles[ids].astype(np.int64),
            "head_vacancies": np.bincount(agg.trust_of_member[s.head[member] < 0], minlength=n)[
                ids
            ].astype(np.int32),
            "central_income_gbp": t.central_income_gbp[ids],
            "central_spend_gbp": spend[ids],
            "central_cost_per_pupil_gbp": (spend / np.maximum(pupils, 1.0))[ids],
            "reserves_gbp": t.reserves_gbp[ids],
            "mean_alignment": (total(s.alignment) / safe)[ids],
            "mean_commitment": (total(s.commitment) / safe)[ids],
            "autonomy": t.autonomy[ids],
            "failing_years": t.failing_years[ids].astype(np.int32),
        }
        ratios = t.ratio[ids].T.copy()  # one row per break point
        for bp, ratio in zip(m.break_points, ratios, strict=True):
            chunk[f"ratio_{bp.name}"] = ratio
        chunk.update(
            {
                "operating_preset": _names(PRESET_NAMES, t.operating_preset[ids]),
                "review_policy": _names(REVIEW_POLICIES, t.review_policy[ids]),
                "joining_policy": _names(JOINING_POLICIES, t.joining_policy[ids]),
                "earned_autonomy": _names(EARNED_AUTONOMY, t.earned_autonomy[ids]),
                "directive": t.directive[ids].astype(np.int8),
                "clusters": t.clusters[ids].astype(np.int8),
                "regional_operations": t.regional_operations[ids].astype(np.int8),
                "governance": _names(GOVERNANCE, t.governance[ids]),
                "ceo_hands_on": t.ceo_hands_on[ids].astype(np.int8),
                "executive_deployment": t.executive_deployment[ids].astype(np.int8),
                "shifts_made": t.level[ids].sum(axis=1).astype(np.int64),
                "planned_leads": t.planned_leads[ids].astype(np.int32),
                "growth_paused": (t.paused_until[ids] >= m.year).astype(np.int8),
            }
        )
        return chunk

    def _school_chunk(self, kinds: np.ndarray) -> dict[str, np.ndarray]:
        m = self.model
        s, leaders = m.schools_data, m.leaders_data
        vacant = s.head < 0
        skill = np.where(vacant, np.nan, leaders.skill[np.maximum(s.head, 0)])
        f32 = np.float32
        return {
            "year": np.full(len(s), m.year, dtype=np.int16),
            "school_id": np.arange(len(s), dtype=np.int32),
            "trust_id": s.trust.copy(),
            "status": kinds,
            "phase": s.phase.copy(),
            "region": s.region.astype(np.int16),
            "pupils": s.pupils.astype(f32),
            "disadvantage": s.disadvantage.astype(f32),
            "quality": s.quality.astype(f32),
            "grade": s.grade.copy(),
            "x_km": s.x_km.astype(f32),
            "y_km": s.y_km.astype(f32),
            "head_vacant": vacant.astype(np.int8),
            "head_skill": skill.astype(f32),
            "support": s.support.astype(f32),
            "peer_support": s.peer_support.astype(f32),
            "alignment": s.alignment.astype(f32),
            "commitment": s.commitment.astype(f32),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tidy tables of the run."""
        schools = {
            k: np.concatenate([c[k] for c in self.school_chunks]) for k in self.school_chunks[0]
        }
        schools_df = pd.DataFrame(schools)
        schools_df["status"] = pd.Categorical.from_codes(schools_df["status"], STATUSES)
        schools_df["phase"] = pd.Categorical.from_codes(schools_df["phase"], PHASES)
        grade = schools_df["grade"].to_numpy()
        schools_df["grade"] = pd.Categorical.from_codes(grade, GRADES)  # -1 -> NaN (never graded)
        trusts = pd.DataFrame(
            {k: np.concatenate([c[k] for c in self.trust_chunks]) for k in self.trust_chunks[0]}
        )
        for col in ("name", "kind"):
            trusts[col] = trusts[col].astype(str)
        return {
            "model": pd.DataFrame(self.model_rows),
            "trusts": trusts,
            "schools": schools_df,
            "events": self.model.events.to_frame(),
        }
