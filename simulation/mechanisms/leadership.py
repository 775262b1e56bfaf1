"""Leaders over a year: they learn, some leave, vacancies are filled or stay open, talent grows.

Heads leave at ``head_turnover_per_year`` (more often in weak schools). A trust fills a vacant
headship first from its own SLEs ready for headship (the talent pipeline), otherwise the post
is advertised and filled with ``external_fill_probability`` a year: recruitment is scarce and
vacancies can stay open for years. Strong schools in trusts grow SLEs. A departing CEO is
replaced from outside with the same scarcity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..central_team import multi_academy
from ..leader import CEO, EXECUTIVE_HEAD, HEAD, SLE
from ..school import GOOD, INADEQUATE, NO_TRUST, REQUIRES_IMPROVEMENT

if TYPE_CHECKING:
    from ..model import MATModel


def develop(model: MATModel) -> None:
    leaders = model.leaders_data
    active = np.flatnonzero(leaders.active)
    skill = leaders.skill[active]
    leaders.skill[active] = skill + model.params.leaders.skill_growth_per_year * (1.0 - skill)
    leaders.tenure_years[active] += 1


def turnover(model: MATModel, rng: np.random.Generator) -> None:
    """Some leaders leave their posts; heads' schools become vacant."""
    leaders, s, lp = model.leaders_data, model.schools_data, model.params.leaders
    rows = np.flatnonzero(leaders.active)
    role = leaders.role[rows]
    leads_school = (role == HEAD) | (role == EXECUTIVE_HEAD)
    school = leaders.school[rows]
    weak = leads_school & (s.grade[np.maximum(school, 0)] >= REQUIRES_IMPROVEMENT)
    # the chance of leaving by kind of post: central, a school's head, a weak school's head
    head = lp.head_turnover_per_year
    chance = np.array(
        [
            lp.executive_turnover_per_year,
            head,
            np.minimum(1.0, head * lp.weak_school_turnover_multiplier),
        ]
    )
    p_leave = chance[leads_school.astype(np.intp) + weak]
    leaves = rng.random(len(rows)) < p_leave
    leaving = rows[leaves]
    heads = rows[leaves & leads_school]
    s.head[leaders.school[heads]] = -1
    model.events.add(
        "head_left", model.year, school_id=leaders.school[heads], trust_id=leaders.trust[heads]
    )
    ceos = leaving[leaders.role[leaving] == CEO]
    model.events.add("ceo_left", model.year, trust_id=leaders.trust[ceos])
    model.retire_leaders(leaving)


def match_within_trusts(
    needs: np.ndarray, need_trust: np.ndarray, offers: np.ndarray, offer_trust: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pair the k-th need of each trust with its k-th offer (both given in priority order
    within their trust); returns the matched needs and offers, by trust then rank."""
    if needs.size == 0 or offers.size == 0:
        return needs[:0], offers[:0]
    lowest = min(int(need_trust.min()), int(offer_trust.min()))
    need_trust = need_trust.astype(np.int64) - lowest
    offer_trust = offer_trust.astype(np.int64) - lowest
    bins = int(max(need_trust.max(), offer_trust.max())) + 1
    n_needs = np.bincount(need_trust, minlength=bins)
    n_offers = np.bincount(offer_trust, minlength=bins)
    pairs = np.minimum(n_needs, n_offers)  # matched per trust: the first of each side
    return (
        _first_of_each(needs, need_trust, n_needs, pairs),
        _first_of_each(offers, offer_trust, n_offers, pairs),
    )


def _first_of_each(
    items: np.ndarray, trust: np.ndarray, count: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """The first ``first[t]`` items of each trust t (given in order within their trust, and
    ``count[t]`` of them), grouped by trust."""
    order = np.argsort(trust, kind="stable")
    trust = trust[order]
    rank = np.arange(len(trust)) - (np.cumsum(count) - count)[trust]  # within its trust
    return items[order[rank < first[trust]]]


def fill_headships(model: MATModel, rng: np.random.Generator) -> None:
    """Promote ready SLEs within the trust first; advertise the rest (scarce supply)."""
    leaders, s, lp = model.leaders_data, model.schools_data, model.params.leaders
    vacant = np.flatnonzero(s.head < 0)
    if vacant.size == 0:
        return
    # internal: the k-th vacancy of a trust goes to its k-th most skilled ready SLE
    in_trust = vacant[s.trust[vacant] != NO_TRUST]
    hiring = np.zeros(len(model.trusts_data) + 1, dtype=bool)  # last entry: no trust (-1)
    hiring[s.trust[in_trust]] = True
    ready = np.flatnonzero(  # (only in trusts with a vacancy: the others' are not matched)
        leaders.active
        & (leaders.role == SLE)
        & hiring[leaders.trust]
        & (leaders.skill >= lp.sle_promotion_min_skill)
    )
    ready = ready[np.argsort(-leaders.skill[ready], kind="stable")]
    schools, promoted = match_within_trusts(
        in_trust, s.trust[in_trust], ready, leaders.trust[ready]
    )
    if schools.size:
        leaders.role[promoted] = HEAD
        leaders.school[promoted] = schools
        leaders.skill[promoted] = np.minimum(
            0.98, leaders.skill[promoted] + lp.internal_skill_bonus
        )
        leaders.tenure_years[promoted] = 0
        s.head[schools] = promoted
        model.events.add(
            "head_appointed", model.year, school_id=schools, trust_id=s.trust[schools], internal=1
        )
    still = vacant[s.head[vacant] < 0]  # (in order) not filled from within
    hired = still[rng.random(len(still)) < lp.head_fill_probability]
    if hired.size:
        rows = model.appoint_leaders(HEAD, model.draw_skill(len(hired), rng), hired, s.trust[hired])
        s.head[hired] = rows
        model.events.add(
            "head_appointed", model.year, school_id=hired, trust_id=s.trust[hired], internal=0
        )
    s.vacancy_years = np.where(s.head >= 0, 0, s.vacancy_years + 1)


def deploy_executive_heads(model: MATModel) -> None:
    """Trusts that deploy executive leaders (``operating_model.executive_deployment``, seed 003)
    send their strongest heads of good schools to their vulnerable schools for the coming
    year: first those without a head, then the inadequate, weakest first. The head leads both
    schools (role executive head), giving the second ``executive_share`` of their effect and
    covering a vacancy in full."""
    leaders, s, t = model.leaders_data, model.schools_data, model.trusts_data
    ct = model.params.central_team
    heads = np.flatnonzero(leaders.active & (leaders.role == EXECUTIVE_HEAD))
    leaders.role[heads] = HEAD  # last year's deployments end
    s.executive = -1
    trust = s.trust
    deploying = np.zeros(len(t) + 1, dtype=bool)  # last entry: no trust (-1)
    deploying[: len(t)] = t.executive_deployment & t.is_open
    vacant = s.head < 0
    deploying = deploying[trust]  # by school
    vulnerable = np.flatnonzero(deploying & (vacant | (s.grade == INADEQUATE)))
    if vulnerable.size == 0:
        return
    vulnerable = vulnerable[np.lexsort((s.quality[vulnerable], ~vacant[vulnerable]))]
    strong = np.flatnonzero(deploying & ~vacant & (s.grade >= 0) & (s.grade <= GOOD))
    donors = s.head[strong]
    needing = np.zeros(len(t) + 1, dtype=bool)  # donors elsewhere would not be matched
    needing[trust[vulnerable]] = True
    donors = donors[
        (leaders.skill[donors] >= ct.executive_min_skill) & needing[leaders.trust[donors]]
    ]
    donors = donors[np.argsort(-leaders.skill[donors], kind="stable")]
    schools, executives = match_within_trusts(
        vulnerable, trust[vulnerable], donors, leaders.trust[donors]
    )
    s.executive[schools] = executives
    leaders.role[executives] = EXECUTIVE_HEAD


def replace_ceos(model: MATModel, rng: np.random.Generator) -> None:
    """A MAT without a CEO recruits one from outside (scarce)."""
    leaders = model.leaders_data
    t = model.trusts_data
    has_ceo = np.zeros(len(t), dtype=bool)
    has_ceo[leaders.trust[leaders.active & (leaders.role == CEO)]] = True
    wanting = np.flatnonzero(~has_ceo & t.is_open & multi_academy(model))
    hired = wanting[rng.random(len(wanting)) < model.params.leaders.external_fill_probability]
    if hired.size:
        skill = model.draw_skill(len(hired), rng, model.CEO_SKILL_SHIFT)
        model.appoint_ceos(hired, skill, founding=False)
        model.events.add("ceo_appointed", model.year, trust_id=hired)


def grow_talent(model: MATModel, rng: np.random.Generator) -> None:
    """Strong schools in trusts develop SLEs (teachers -> middle leaders -> SLEs), faster in
    a trust rebuilding its improvement capacity (the golden-rule shift)."""
    leaders, s, lp = model.leaders_data, model.schools_data, model.params.leaders
    t = model.trusts_data
    sle_mask = leaders.active & (leaders.role == SLE)
    sles = np.bincount(leaders.school[sle_mask & (leaders.school >= 0)], minlength=len(s))
    eligible = np.flatnonzero(
        (s.trust != NO_TRUST) & (s.grade <= GOOD) & (sles < lp.sle_per_school_max)
    )
    trust = s.trust[eligible]
    boost = np.where(t.sle_boost_until[trust] >= model.year, t.sle_growth_factor[trust], 1.0)
    chance = lp.sle_growth_per_year * boost * s.commitment[eligible]
    grows = eligible[rng.random(len(eligible)) < chance]
    if grows.size:
        model.appoint_leaders(SLE, model.draw_skill(len(grows), rng, -0.1), grows, s.trust[grows])


def develop_leaders(model: MATModel) -> None:
    rng = model.streams["leaders"]
    develop(model)
    turnover(model, rng)
    fill_headships(model, rng)
    replace_ceos(model, rng)
    grow_talent(model, rng)
    deploy_executive_heads(model)
