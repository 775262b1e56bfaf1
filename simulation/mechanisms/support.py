"""Central teams' yearly decisions: fund the centre, staff it, and allocate support.

Each open trust's central team is funded by a top-slice of its schools' income and pays for
the CEO, school-improvement leads, business functions and the board. Its improvement capacity
(CEO hands-on time plus leads, each able to oversee ``leaders.executive_span_schools``) is
aimed at the schools it believes weakest; weak schools count ``weak_weight`` times. Support
that reaches a school decays with its distance from the trust's base. Strong schools also
support weak schools of the same trust nearby (peer support), through their staff's commitment
and the SLEs they have grown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..aggregates import StaffCounts, TrustAggregates, staff_counts
from ..central_team import multi_academy
from ..leader import IMPROVEMENT_LEAD, SLE
from ..parameters.operating import GOVERNANCE
from ..school import GOOD, NO_TRUST, OUTSTANDING, REQUIRES_IMPROVEMENT
from ..world import distance_decay

REPRESENTATIVE = GOVERNANCE.index("representative")

if TYPE_CHECKING:
    from ..model import MATModel


def ceo_cost(model: MATModel, pupils: np.ndarray) -> np.ndarray:
    """Yearly cost of a trust's CEO: a share of a full CEO's cost in a small trust (where the
    role is part of an executive headship), the whole of it from ``ceo_full_time_pupils``."""
    ct = model.params.central_team
    share = np.clip(pupils / ct.ceo_full_time_pupils, ct.ceo_min_cost_share, 1.0)
    return ct.ceo_cost_gbp * share


def fund_central_teams(model: MATModel) -> None:
    """Income from the top-slice; costs of staff, business functions and board; reserves.

    A trust ending the year below zero counts a year of deficit (growth stops, shifts cannot be
    bought, a lead is cut; enough years in a row and the regulator steps in: see growth)."""
    ct = model.params.central_team
    t = model.trusts_data
    agg = model.aggregates
    agg.refresh_staff(model)  # shifts may have appointed leads
    pupils, staff = agg.pupils, agg.staff
    i = np.flatnonzero(t.is_open)
    cost = (
        staff.ceos[i] * ceo_cost(model, pupils[i])
        + staff.leads[i] * ct.improvement_lead_cost_gbp
        + pupils[i] * ct.business_cost_per_pupil_gbp
        + ct.board_cost_gbp
        + ct.governance_cost_per_school_gbp * agg.n_schools[i]
        + t.shift_costs_gbp[i]
    )
    income = ct.top_slice_share * ct.funding_per_pupil_gbp * pupils[i] + t.grants_due_gbp[i]
    t.central_income_gbp[i] = income
    t.grants_due_gbp[i] = 0.0
    t.central_spend_gbp[i] = cost
    t.reserves_gbp[i] = np.minimum(t.reserves_gbp[i] + income - cost, ct.reserve_cap_years * income)
    in_deficit = t.reserves_gbp[i] < 0
    t.deficit_years[i] = np.where(in_deficit, t.deficit_years[i] + 1, 0)


def staff_central_teams(model: MATModel) -> StaffCounts | None:
    """Recruit improvement leads up to the trust's staffing plan (``planned_leads``, raised by
    oversight and CEO-role shifts): each vacancy is filled with ``external_fill_probability``
    a year, and only as many as the trust can keep paying — this year's surplus plus a third of
    its reserves (a trust spends reserves down over about three years); a trust in deficit cuts
    its most recent lead instead.

    Returns the central staff after the hires and cuts (what :func:`staff_counts` would count
    now), updated from the counts :func:`fund_central_teams` made rather than counted again."""
    ct = model.params.central_team
    lp = model.params.leaders
    rng = model.streams["central_team"]
    t = model.trusts_data
    if not len(t):
        return None
    leaders = model.leaders_data
    staffed = t.is_open & multi_academy(model)  # a single academy's head is its leader
    staff = model.aggregates.staff  # as counted by fund_central_teams
    have = staff.leads.astype(int)
    leads, lead_skill = staff.leads.copy(), staff.lead_skill.copy()
    reserves = t.reserves_gbp
    cut = np.flatnonzero(staffed & (reserves < 0) & (have > 0))
    vacancies = np.where(staffed & (reserves >= 0), np.maximum(t.planned_leads - have, 0), 0)
    short = np.flatnonzero(vacancies)
    filled = rng.binomial(vacancies[short], lp.external_fill_probability)
    surplus = t.central_income_gbp[short] - t.central_spend_gbp[short]
    budget = np.minimum(surplus + reserves[short] / 3.0, reserves[short])
    affordable = np.floor(budget / max(ct.improvement_lead_cost_gbp, 1.0)).astype(int)
    hires = np.minimum(filled, affordable)
    hired = np.repeat(short, np.maximum(hires, 0))
    if cut.size:
        # each cutting trust loses its most recently appointed lead; saves its cost from next year
        cutting = np.zeros(len(t) + 1, dtype=bool)  # last entry: no trust (-1)
        cutting[cut] = True
        rows = np.flatnonzero(
            leaders.active & (leaders.role == IMPROVEMENT_LEAD) & cutting[leaders.trust]
        )
        last = np.unique(leaders.trust[rows][::-1], return_index=True)[1]
        model.retire_leaders(np.sort(rows[::-1][last]))
        model.events.add("lead_cut", model.year, trust_id=cut)
        # one lead fewer each; their skill summed again over the leads they keep, in order
        kept = rows[leaders.active[rows]]
        leads[cut] -= 1
        lead_skill[cut] = np.bincount(
            leaders.trust[kept], weights=leaders.skill[kept], minlength=len(t)
        )[cut]
    if hired.size:
        skill = model.draw_skill(len(hired), rng, 0.05)
        model.appoint_leaders(IMPROVEMENT_LEAD, skill, np.full(len(hired), -1), hired)
        model.events.add("lead_hired", model.year, trust_id=hired)
        # the new leads come after all others, so each trust's sum goes on in the same order
        leads += np.bincount(hired, minlength=len(t))
        np.add.at(lead_skill, hired, skill)
    return StaffCounts(
        ceos=staff.ceos,
        ceo_skill=staff.ceo_skill,
        leads=leads,
        lead_skill=lead_skill,
        sles=staff.sles,
    )


def office_distance_km(
    model: MATModel, rows: np.ndarray, to_base_km: np.ndarray | None = None
) -> np.ndarray:
    """Distance from each school to the office its support comes from: the trust's base, or
    its nearest regional hub once operations are regionalised (measured this year by the
    break-point view; schools that joined since are measured to the base). ``to_base_km``,
    if given, is each school's distance to its trust's base, already measured."""
    if to_base_km is None:
        s, t = model.schools_data, model.trusts_data
        trust = s.trust[rows]
        dist = np.hypot(s.x_km[rows] - t.base_x_km[trust], s.y_km[rows] - t.base_y_km[trust])
    else:
        dist = to_base_km.copy()
    measured = model.office_km
    if measured is not None:
        known = measured[rows] >= 0
        dist[known] = np.minimum(dist[known], measured[rows][known])
    return dist


def allocate_support(
    model: MATModel, staff: StaffCounts | None = None, measured: TrustAggregates | None = None
) -> None:
    """Each trust's improvement capacity goes to the schools it believes weakest first.

    ``staff``: the central staff after this year's hires and cuts, if known (else counted).
    ``measured``: this year's aggregates, whose distances to the trusts' bases still hold for
    the schools in the trusts they were measured in (schools and bases do not move)."""
    s = model.schools_data
    p = model.params
    t = model.trusts_data
    s.support = 0.0
    member = np.flatnonzero(s.trust != NO_TRUST)
    if member.size == 0:
        return
    if staff is None:
        staff = staff_counts(model)  # after this year's hires and cuts
    ceos, ceo_skill, leads, lead_skill = staff.ceos, staff.ceo_skill, staff.leads, staff.lead_skill
    hands_on = t.ceo_hands_on.astype(float)
    span = p.leaders.executive_span_schools
    units = ceos * hands_on * p.central_team.ceo_hands_on_schools + leads * span
    units *= t.oversight_capacity_factor
    staff_n = ceos * hands_on + leads
    skill = np.divide(
        ceo_skill * hands_on + lead_skill, staff_n, out=np.zeros(len(t)), where=staff_n > 0
    )
    tr = s.trust[member]
    perceived = s.perceived_quality[member]
    weak = perceived < p.inspection.requires_improvement_below
    weight = np.where(weak, p.central_team.weak_weight, 1.0)
    # a representative board puts its founding school further up the queue (seed 000)
    favoured = np.zeros(len(s), dtype=bool)  # founding schools still in their trust
    represented = np.flatnonzero(t.governance == REPRESENTATIVE)
    base = t.base_school[represented]
    favoured[base[(base >= 0) & (s.trust[base] == represented)]] = True
    favoured = favoured[member]
    priority = perceived - p.central_team.founding_school_favour * favoured
    # by trust, most in need (as the board sees it) first: one sort on a combined key (quality
    # is bounded well within +-50, so the trust id dominates)
    order = np.argsort(tr * 100.0 + np.clip(priority, -49.0, 49.0))
    t_sorted, w_sorted = tr[order], weight[order]
    before = np.cumsum(w_sorted) - w_sorted  # weight ahead in the whole queue
    n_member = np.bincount(tr, minlength=len(t))
    first = np.minimum(np.cumsum(n_member) - n_member, len(tr) - 1)  # each trust's first
    used_before = before - before[first][t_sorted]  # ... less that of the trusts before
    coverage = np.clip((units[t_sorted] - used_before) / w_sorted, 0.0, 1.0)
    rows = member[order]
    if (
        measured is not None
        and np.array_equal(measured.member, member)
        and np.array_equal(measured.trust_of_member, tr)
    ):  # no school has changed trust since
        office_km = office_distance_km(model, rows, measured.to_base_km[order])
    else:
        office_km = office_distance_km(model, rows)
    reach = distance_decay(office_km, p.quality.support_halving_km)
    effectiveness = t.support_effectiveness[t_sorted]
    s.support[rows] = coverage * (0.5 + skill[t_sorted]) * reach * effectiveness


def allocate_peer_support(model: MATModel) -> None:
    """Strong schools share staff time (and their SLEs) with weak schools of the same trust."""
    s = model.schools_data
    p = model.params
    leaders = model.leaders_data
    s.peer_support = 0.0
    pairs = model.peer_pairs
    t = s.trust
    strong = s.grade <= GOOD
    strong &= (s.grade == OUTSTANDING) | (
        s.perceived_quality > p.inspection.outstanding_above - 0.5
    )
    needy = (s.grade >= REQUIRES_IMPROVEMENT) | (
        s.perceived_quality < p.inspection.requires_improvement_below
    )
    receivers = np.flatnonzero(needy & (t != NO_TRUST))
    neighbours, decays = pairs.grid  # each school's neighbours in order, padded with n
    # a giver is a strong neighbour in the receiver's trust: compare each neighbour's trust
    # (-2 unless strong; -3 for the padding) with the receiver's
    giver_trust = np.full(len(s) + 1, -3, dtype=t.dtype)
    giver_trust[:-1] = np.where(strong, t, -2)
    near = neighbours[receivers]
    width = near.shape[1]
    # the pairs in order (by receiver, then by neighbour)
    pair = np.flatnonzero(giver_trust[near] == t[receivers][:, None])
    if not pair.size:
        return
    row = pair // width
    src, nbr = receivers[row], near.ravel()[pair]
    decay = decays.ravel()[src * width + (pair - row * width)]
    sle_mask = leaders.active & (leaders.role == SLE) & (leaders.school >= 0)
    sles = np.bincount(leaders.school[sle_mask], minlength=len(s))[nbr]
    # (per pair, the same arithmetic as per giver)
    giving = p.leaders.strong_school_support_share + sles * p.leaders.sle_support_share
    giving = giving * s.commitment[nbr]
    share = np.bincount(nbr, minlength=len(s))  # a giver splits its time between recipients
    flow = giving / np.maximum(share[nbr], 1) * decay
    flow *= model.trusts_data.collaboration_factor[t[src]]
    s.peer_support = np.minimum(1.0, np.bincount(src, weights=flow, minlength=len(s)))


def run_central_teams(model: MATModel) -> None:
    """The central teams' decisions for the year, in order."""
    fund_central_teams(model)
    staff = staff_central_teams(model)
    allocate_support(model, staff, model.aggregates)  # as measured by this year's review
    allocate_peer_support(model)
