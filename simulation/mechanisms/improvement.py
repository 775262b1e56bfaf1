"""School improvement: how latent quality, rolls, practice and commitment move in a year.

Quality reverts toward the school's potential (plus any ceiling it has raised by innovating),
is pushed by its head's skill relative to the typical head in post, held back by a vacant
headship, and lifted towards securely good by trust and peer support, with a yearly shock.
Pupils follow quality within their town and phase (admissions as an intelligence signal) while
the total follows demographic change only.

The quality equation, per school and year (parameters in ``[quality]``)::

    change = mean_reversion * (potential + ceiling_lift - quality)
           + head_skill_effect * (head skill - mean skill of heads in post)   [if a head]
           - vacancy_penalty * (1 - trust's vacancy cover)                    [if vacant]
           + (support_effect * support + peer_support_effect * peer) * gap to securely good
           + trust_model_effect * (trust effectiveness - trust_neutral_effectiveness)  [in a trust]
           + Normal(0, shock_sd)

Calibration note (``benchmarks/calibrate.py``): a school's potential is set so that the
baseline's grades match Ofsted's, and those grades already reflect the heads schools actually
have. The head's push is therefore measured against the mean skill of heads in post, not a fixed
0.5: heads learn on the job (``leaders.skill_growth_per_year``), so the mean skill of heads in
post rises from the starting draw towards a higher steady level, and a fixed reference turned
that learning into a year-on-year lift of every school. A better-than-typical head still raises
a school, and a trust that grows and keeps better heads still gains from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..central_team import for_schools, multi_academy
from ..operating_model import school_autonomy
from ..parameters.operating import JOINING_POLICIES
from ..school import GOOD, NO_TRUST, OUTSTANDING

if TYPE_CHECKING:
    from ..model import MATModel


def typical_head_skill(model: MATModel, heads_skill: np.ndarray | None = None) -> float:
    """Mean skill of the heads in post (``leaders.skill_mean`` when every headship is vacant);
    ``heads_skill``, if given, is their skills in school order."""
    if heads_skill is None:
        s = model.schools_data
        heads_skill = model.leaders_data.skill[s.head[s.head >= 0]]
    if heads_skill.size == 0:
        return model.params.leaders.skill_mean
    return float(heads_skill.mean())


def trust_model_push(model: MATModel) -> np.ndarray:
    """The trust's school-improvement model acting on all its schools (seed 001: coherence).

    A trust whose approach works (effectiveness near 1: no break point past capacity) lifts its
    schools; one whose approach is overwhelmed holds them back. ``trust_neutral_effectiveness``
    is where a trust does neither, so academisation alone does not move the system. On top, the
    trust's persistent ``capability`` (the improvement model its leadership has built) lifts or
    holds back its schools year after year, so a trust's approach shows through time.
    """
    q = model.params.quality
    t = model.trusts_data
    # worked out per trust (and for no trust, last), then looked up for each school: a school
    # in no trust gets neither push, with neutral effectiveness and no capability
    effectiveness = np.append(t.effectiveness, q.trust_neutral_effectiveness)
    capability = np.append(t.capability, 0.0)
    multi = np.append(multi_academy(model), False)
    push = (
        q.trust_model_effect * (effectiveness - q.trust_neutral_effectiveness)
        + q.capability_effect * capability * multi
    )
    return push[model.schools_data.trust]


def update_quality(model: MATModel, autonomy: np.ndarray) -> None:
    """One year of latent quality change for every school (see the module docstring)."""
    s = model.schools_data
    q = model.params.quality
    rng = model.streams["quality"]
    leaders, ct = model.leaders_data, model.params.central_team
    has_head = s.head >= 0
    skill_in_post = leaders.skill[np.maximum(s.head, 0)]
    head_skill = np.where(has_head, skill_in_post, 0.0)
    typical = typical_head_skill(model, skill_in_post[has_head])
    in_trust = s.trust != NO_TRUST
    # an executive head deployed here (seed 003) covers a vacancy in full and gives part of
    # their effect; otherwise a trust covers part of a vacancy with interim leadership
    executive = (s.executive >= 0) & leaders.active[np.maximum(s.executive, 0)]
    cover = np.where(executive, 1.0, np.where(in_trust, ct.vacancy_cover, 0.0))
    vacancy = np.where(has_head, 0.0, q.vacancy_penalty_per_year * (1.0 - cover))
    # few schools have an executive head: the others' push is the factor times 0.0
    factor = q.head_skill_effect * ct.executive_share
    executive_push = np.full(len(s), factor * 0.0)
    deployed = np.flatnonzero(executive)
    executive_push[deployed] = factor * (leaders.skill[s.executive[deployed]] - typical)
    target = model.params.inspection.requires_improvement_below + 0.6  # securely good
    gap = np.clip(target - s.quality, 0.0, None)
    lift = q.support_effect * np.minimum(s.support, 1.5) + q.peer_support_effect * s.peer_support
    # the terms added in this order, in place (no new array per sum)
    change = q.mean_reversion_per_year * (s.potential + s.ceiling_lift - s.quality)
    change += q.head_skill_effect * (head_skill - typical) * has_head
    change += executive_push
    change -= vacancy
    change += lift * gap
    change += trust_model_push(model)
    change += rng.normal(0.0, q.shock_sd_per_year, len(s))
    change += s.quality
    np.clip(change, q.quality_floor, q.quality_ceiling, out=s.quality)
    strong = s.grade == OUTSTANDING
    s.ceiling_lift = (1.0 - q.ceiling_decay_per_year) * s.ceiling_lift + (
        q.innovation_per_year * autonomy * strong * _ceiling_factor(model)
    )


def _ceiling_factor(model: MATModel) -> np.ndarray:
    """Break-point hook: how far strong schools may innovate beyond the common model."""
    return for_schools(model, model.trusts_data.innovation_factor, 1.0)


def admit_pupils(model: MATModel) -> None:
    """Rolls follow quality within each town and phase; totals follow demography only."""
    s = model.schools_data
    w = model.params.world
    group = model.geography.admission_area  # schools of one phase in one town (or rural region)
    before = np.bincount(group, weights=s.pupils)
    mean_q = np.bincount(group, weights=s.pupils * s.quality) / before
    factor = np.clip(1.0 + w.admissions_elasticity * (s.quality - mean_q[group]), 0.5, 1.5)
    proposed = s.pupils * factor
    scale = before * (1.0 + w.demographic_change_per_year) / np.bincount(group, weights=proposed)
    s.pupils = proposed * scale[group]


JOINING_PULL = {"reopen_debate": 1.0, "leave_as_is": 0.0, "require_alignment": 2.0}
"""How fast a school that joined during the run is pulled to the common model, per policy."""
JOINING_COMMITMENT = {"reopen_debate": 0.05, "leave_as_is": 0.0, "require_alignment": -0.1}
"""Commitment bonus (or cost) for a school not yet aligned, per policy (seed 000: risks)."""
_PULL = np.array([JOINING_PULL[p] for p in JOINING_POLICIES])
REQUIRE_ALIGNMENT = JOINING_POLICIES.index("require_alignment")
_MOOD = np.array([JOINING_COMMITMENT[p] for p in JOINING_POLICIES])


def update_culture(model: MATModel, autonomy: np.ndarray) -> None:
    """Practice drifts toward the trust's common model at a pace set by autonomy and the
    joining policy; commitment moves toward what the trust earns (alignment, help received),
    scaled by what the trust can sustain (the communications and glass-ceiling channels)."""
    s = model.schools_data
    ct = model.params.central_team
    member = np.flatnonzero(s.trust != NO_TRUST)  # rows, gathered once for each column
    s.alignment = 0.0
    if member.size == 0:
        return
    t = s.trust[member]
    trusts = model.trusts_data
    common = trusts.common_practice[t]
    policy = trusts.joining_policy[t]
    pull_by_policy = _PULL[policy]
    joined_in_run = s.joined_year[member] > model.start_year
    pull = ct.alignment_rate_per_year * (1.0 - autonomy[member])
    pull = np.where(joined_in_run, pull * pull_by_policy, pull)
    practice = s.practice[member]
    practice += np.minimum(pull, 1.0) * (common - practice)
    s.practice[member] = practice
    alignment = 1.0 - np.abs(practice - common)
    s.alignment[member] = alignment
    unaligned = alignment < model.params.break_points.unaligned_below
    policy_mood = _MOOD[policy] * unaligned
    # the high-performing joiner's dilemma (seed 000): made to align without input, a strong
    # school that joined resents it
    grade = s.grade[member]
    strong_joiner = joined_in_run & (grade >= 0) & (grade <= GOOD)
    policy_mood -= ct.strong_joiner_resentment * (
        strong_joiner & unaligned & (policy == REQUIRE_ALIGNMENT)
    )
    helped = np.minimum(1.0, s.support[member] + s.peer_support[member])
    target = 0.35 + 0.35 * alignment + 0.3 * helped + policy_mood
    target *= trusts.commitment_factor[t]
    target = np.clip(target, 0.0, 1.0)
    commitment = s.commitment[member]
    s.commitment[member] = commitment + ct.commitment_adjust_per_year * (target - commitment)


def improve_schools(model: MATModel) -> None:
    autonomy = school_autonomy(model)
    update_quality(model, autonomy)
    admit_pupils(model)
    update_culture(model, autonomy)
