"""The MAT growth model: builds the world, runs the yearly schedule, collects the tables.

One step is one academic year. :meth:`MATModel.step` is the schedule, in the order of the
design brief: inspections, intelligence, break points and review, central teams, school
improvement, leaders, growth, data collection.

All state is declared in :meth:`MATModel.__init__`. Schools, leaders and trusts live in numpy
column stores (``schools_data``, ``leaders_data``, ``trusts_data``) that every yearly rule
updates for all agents at once; ``School``, ``Leader`` and ``CentralTeam`` are Mesa agents over
one row each, created when someone asks for them (``model.school_agents[i]``,
``model.leader_agents[i]``, ``model.trusts[i]``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from mesa import Model

from .aggregates import TrustAggregates
from .breakpoints import registered
from .breakpoints.view import TrustGeometry, TrustView
from .central_team import (
    CentralTeam,
    trust_columns,
    write_growth,
    write_operating_model,
    write_review,
)
from .collect import Recorder
from .columns import AgentViews, ColumnStore, compact
from .events import EventLog
from .leader import CEO, EXECUTIVE_HEAD, HEAD, LEADER_COLUMNS, SLE, Leader
from .mechanisms.growth import grow_trusts
from .mechanisms.improvement import improve_schools
from .mechanisms.inspection import inspect_schools
from .mechanisms.intelligence import gather_intelligence
from .mechanisms.leadership import develop_leaders
from .mechanisms.review import (
    assess_break_points,
    break_points_and_review,
    channel_weights,
    settle_starting_approaches,
)
from .mechanisms.support import run_central_teams
from .parameters import GrowthStrategy, OperatingModel, Params, ReviewParams
from .school import INADEQUATE, NO_TRUST, SCHOOL_COLUMNS, School
from .setup import build_world
from .streams import RandomStreams
from .world import Geography, NeighbourPairs


class MATModel(Model):
    """Schools, leaders and trusts' central teams evolving year by year.

    Args:
        params: the resolved parameters of a scenario.
        rng: integer seed; every random draw in the run flows from it.
        scenario_name: label carried into outputs.
    """

    def __init__(self, params: Params | None = None, rng: int = 1, scenario_name: str = "custom"):
        if not isinstance(rng, (int, np.integer)) or isinstance(rng, bool):
            raise TypeError("MATModel needs an integer seed as rng, so runs can be reproduced")
        super().__init__(rng=int(rng))
        self.params = params if params is not None else Params()
        self.seed = int(rng)
        self.scenario_name = scenario_name
        self.streams = RandomStreams(self.seed)
        self.events = EventLog()
        # the break points this model measures, and each one's own parameters
        self.break_points = registered()
        self.break_point_settings = {
            bp.name: bp.settings(self.params.break_points) for bp in self.break_points
        }
        self.channel_weights = channel_weights(self)  # (channel, break point)
        # agents' state, and the agents as views created on demand
        n = self.params.world.n_schools
        self.schools_data = ColumnStore(SCHOOL_COLUMNS, capacity=n)
        self.leaders_data = ColumnStore(LEADER_COLUMNS, capacity=2 * n)
        self.trusts_data = ColumnStore(
            trust_columns(len(self.break_points)),
            capacity=self.params.trusts.n_multi_academy + self.params.trusts.n_single_academy,
        )
        self.school_agents: AgentViews[School] = AgentViews(self, School, self.schools_data)
        self.leader_agents: AgentViews[Leader] = AgentViews(self, Leader, self.leaders_data)
        self.trusts: AgentViews[CentralTeam] = AgentViews(self, CentralTeam, self.trusts_data)
        # the world (set by build_world)
        self.geography: Geography | None = None
        self.peer_pairs: NeighbourPairs | None = None
        # membership: schools per trust (cached), and a counter per trust bumped when it changes
        self._trust_sizes: np.ndarray | None = None
        self.membership_version = np.zeros(0, dtype=np.int64)
        # this year's measures of trusts (set by the break-point assessment)
        self.aggregates: TrustAggregates | None = None
        self.last_view: TrustView | None = None
        self.office_km: np.ndarray | None = None  # per school: distance to its serving office
        self.break_point_ratios: np.ndarray | None = None  # (break point, trust)
        self.trust_geometry = TrustGeometry.for_schools(n)
        self._deferred: list[tuple[int, np.ndarray, float, str]] | None = None
        # the years run before year 0 to settle the starting state (not reported)
        self.start_year = -self.params.run.burn_in_years
        self.named_trusts = len(self.params.trusts.named)  # ids 0.. are the scenario's own
        self._settling_year: int | None = self.start_year
        build_world(self)
        settle_starting_approaches(self, named=self.named_trusts)
        assess_break_points(self)  # starting ratios, so the first year is not a crossing
        self.settle()
        self.recorder = Recorder(self)
        self.recorder.collect()

    @property
    def year(self) -> int:
        """The academic year: 0 is the starting state reported, negative while settling."""
        return self.steps if self._settling_year is None else self._settling_year

    @property
    def settling(self) -> bool:
        """True during the years run before year 0 (see :meth:`settle`)."""
        return self._settling_year is not None

    def step(self) -> None:
        """One academic year, in the design's order."""
        self.live_a_year()
        grow_trusts(self)  # brokering, conversion, approaches, re-brokering, closures
        self.sync_staff_trusts()
        self.recorder.collect()
        self.forget_former_leaders()

    def live_a_year(self) -> None:
        """The year of every school and trust that stays where it is."""
        inspect_schools(self)  # inspections turn latent quality into public grades
        gather_intelligence(self)  # central teams update what they know of their schools
        break_points_and_review(self)  # loads vs capacities; strategy review and shifts
        run_central_teams(self)  # budgets, staffing, improvement and peer support
        improve_schools(self)  # quality, admissions, alignment and commitment move
        develop_leaders(self)  # development, turnover, recruitment, talent pipeline

    def settle(self) -> None:
        """Run ``run.burn_in_years`` years before year 0 so the starting state is settled.

        Schools stay in their trusts and the scenario's named trusts make no shifts; grades,
        heads, reserves, other trusts' approaches and break-point states move as in any year.
        Nothing is reported: the event log starts empty at year 0 and the regulator's queues
        and counters start empty (no school awaiting a sponsor, no trust counted as failing or
        in deficit for years), since growth — which acts on them — does not run while settling.
        """
        for year in range(self.start_year + 1, 1):
            self._settling_year = year
            self.live_a_year()
            self.sync_staff_trusts()
            self.forget_former_leaders()
        self._settling_year = None
        if self.start_year < 0:
            s = self.schools_data
            s.awaiting_sponsor = False
            s.inadequate_in_trust = np.where((s.trust != NO_TRUST) & (s.grade == INADEQUATE), 1, 0)
            self.trusts_data.deficit_years = np.minimum(self.trusts_data.deficit_years, 1)
        self.events = EventLog()

    def run(self, years: int) -> None:
        for _ in range(years):
            self.step()

    # --- membership --------------------------------------------------------------------
    def trust_sizes(self) -> np.ndarray:
        """Schools per trust id (closed trusts have 0); cached until membership changes."""
        if self._trust_sizes is None:
            t = self.schools_data.trust
            self._trust_sizes = np.bincount(t[t >= 0], minlength=len(self.trusts_data))
        return self._trust_sizes

    def move_schools(self, rows: np.ndarray, trust_ids: np.ndarray | int, kind: str) -> None:
        """Put schools into trusts (one id per school, or one for all; NO_TRUST to leave),
        logging one event per school."""
        moved = self.reassign_schools(rows, trust_ids, kind)
        if moved is not None:
            self.settle_moved_schools(*moved, kind)

    def reassign_schools(
        self, rows: np.ndarray, trust_ids: np.ndarray | int, kind: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The membership half of :meth:`move_schools`: the schools' trust and the event log.
        Returns the rows, their new trusts and their previous ones (None if no rows) for
        :meth:`settle_moved_schools`, which a step moving schools in rounds calls once."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if rows.size == 0:
            return None
        trust_ids = np.asarray(trust_ids, dtype=np.int64)
        if trust_ids.shape != rows.shape:
            trust_ids = np.broadcast_to(trust_ids, rows.shape)
        s = self.schools_data
        previous = s.trust[rows].copy()
        s.trust[rows] = trust_ids
        self._trust_sizes = None
        self.events.add(
            kind,
            self.year,
            school_id=rows,
            trust_id=trust_ids,  # (the log keeps a copy)
            other_trust_id=previous,
            grade_before=s.grade[rows],
        )
        return rows, trust_ids, previous

    def settle_moved_schools(
        self, rows: np.ndarray, trust_ids: np.ndarray, previous: np.ndarray, kind: str
    ) -> None:
        """The rest of :meth:`move_schools` for schools already reassigned: a school may
        appear more than once (moved in turn, in order), each move counting."""
        s = self.schools_data
        s.joined_year[rows] = self.year
        s.joined_grade[rows] = s.grade[rows]
        s.inadequate_in_trust[rows] = 0
        s.awaiting_sponsor[rows] = False
        into = trust_ids != NO_TRUST
        joining = rows[into]
        s.commitment[joining] = 0.4
        np.subtract.at(s.quality, joining, self.params.quality.join_disruption)
        if kind in ("broker", "rebroker"):
            # new or re-brokered academies are inspected about 3 years after opening
            s.next_inspection_year[joining] = self.year + round(
                self.params.inspection.new_academy_interval_years
            )
        np.add.at(self.membership_version, trust_ids[into], 1)
        np.add.at(self.membership_version, previous[previous != NO_TRUST], 1)
        heads = s.head[rows]
        has_head = heads >= 0
        # heads move with schools (of a school moved in turn, the last move stays)
        self.leaders_data.trust[heads[has_head]] = trust_ids[has_head]
        # executive deployments end where either school changes trust
        s.executive[rows] = -1
        leaving = heads[has_head & (self.leaders_data.role[np.maximum(heads, 0)] == EXECUTIVE_HEAD)]
        if leaving.size:
            ends = np.zeros(len(self.leaders_data) + 1, dtype=bool)  # last entry: none (-1)
            ends[leaving] = True
            s.executive[ends[s.executive]] = -1
            self.leaders_data.role[leaving] = HEAD
        # (SLEs follow in sync_staff_trusts, once a year)

    def create_trusts(
        self,
        names: list[str],
        base_rows: np.ndarray,
        growth: GrowthStrategy | None,
        operating_model: OperatingModel | None = None,
        review: ReviewParams | None = None,
    ) -> np.ndarray:
        """Found trusts, one based at each of schools ``base_rows`` (their schools are moved
        in separately), all with the same strategy, operating model and review policy;
        returns their ids."""
        s = self.schools_data
        t = self.trusts_data
        base_rows = np.atleast_1d(base_rows)
        ids = t.add(
            len(base_rows),
            name=np.array(names, dtype=object),
            base_school=base_rows,
            base_x_km=s.x_km[base_rows],
            base_y_km=s.y_km[base_rows],
            region=s.region[base_rows],
            founded_year=self.year,
            core_disadvantage=s.disadvantage[base_rows],
        )
        write_growth(t, ids, growth)
        self.set_operating_model(ids, operating_model or self.params.operating_model)
        write_review(t, ids, review or self.params.review)
        self.membership_version = np.concatenate(
            [self.membership_version, np.zeros(len(ids), dtype=np.int64)]
        )
        self._trust_sizes = None
        return ids

    def set_operating_model(self, ids: np.ndarray, om: OperatingModel) -> None:
        """Trusts ``ids`` take operating model ``om``: its levers, and the approach level each
        break point's ``starting_level`` hook reads from them."""
        t = self.trusts_data
        write_operating_model(t, ids, om)
        levers = om.resolved()
        for j, bp in enumerate(self.break_points):
            if bp.starting_level is not None:
                t.level[ids, j] = bp.starting_level(levers)

    def close_trusts(self, trust_ids: np.ndarray | int) -> None:
        t = self.trusts_data
        t.closed_year[trust_ids] = self.year
        t.is_open[trust_ids] = False
        t.appetite[trust_ids] = 0.0

    # --- leaders -----------------------------------------------------------------------
    def sync_staff_trusts(self) -> None:
        """SLEs work for their school's trust: refresh after schools have moved."""
        leaders = self.leaders_data
        sles = np.flatnonzero(leaders.active & (leaders.role == SLE) & (leaders.school >= 0))
        leaders.trust[sles] = self.schools_data.trust[leaders.school[sles]]

    def appoint_leaders(
        self, role: int, skill: np.ndarray, school: np.ndarray, trust: np.ndarray
    ) -> np.ndarray:
        """Add leaders in post; returns their rows (their agents are made when asked for)."""
        return self.leaders_data.add(
            len(skill),
            role=role,
            skill=skill,
            school=school,
            trust=trust,
            tenure_years=0,
            started_year=self.year,
        )

    CEO_SKILL_SHIFT = 0.1  # CEOs are drawn from stronger leaders than a typical new head

    def appoint_ceos(self, trust_ids: np.ndarray, skill: np.ndarray, founding: bool) -> None:
        """CEOs take up post. The trust's improvement model (its ``capability``) is what its
        leadership builds: a founding CEO's skill sets it; a new CEO changes part of it
        (``quality.capability_kept_on_new_ceo`` of the old model stays)."""
        trust_ids = np.atleast_1d(trust_ids)
        self.appoint_leaders(CEO, skill, np.full(len(trust_ids), -1), trust_ids)
        lp, q = self.params.leaders, self.params.quality
        fresh = (skill - lp.skill_mean - self.CEO_SKILL_SHIFT) / max(lp.skill_sd, 1e-9)
        t = self.trusts_data
        if founding:
            t.capability[trust_ids] = fresh
        else:
            kept = q.capability_kept_on_new_ceo
            t.capability[trust_ids] = (
                kept * t.capability[trust_ids] + np.sqrt(1.0 - kept * kept) * fresh
            )

    def retire_leaders(self, rows: np.ndarray) -> None:
        """Leaders leave their posts: rows go inactive and any agent made for them leaves."""
        rows = np.atleast_1d(rows)
        self.leaders_data.active[rows] = False
        self.leader_agents.forget(rows)

    def forget_former_leaders(self) -> None:
        """Once most leader rows belong to people who have left, drop those rows (in order, so
        every rule sees the same leaders in the same order) and renumber the headships."""
        leaders = self.leaders_data
        active = leaders.active
        if active.sum() * 2 >= len(leaders):
            return
        new_row = compact(leaders, active)
        s = self.schools_data
        for column in (s.head, s.executive):  # the leader rows schools point at
            filled = column >= 0
            column[filled] = new_row[column[filled]]
        self.leader_agents.renumber(new_row)

    def draw_skill(self, n: int, rng: np.random.Generator, shift: float = 0.0) -> np.ndarray:
        lp = self.params.leaders
        return np.clip(rng.normal(lp.skill_mean + shift, lp.skill_sd, n), 0.02, 0.98)

    def recruit(self, role: int, trust_ids: np.ndarray, skill_shift: float, stream: str) -> None:
        """Appoint one central leader in ``role`` for each of ``trust_ids``, skills drawn from
        ``stream``; inside :meth:`deferred_recruitment`, after the block, in trust order."""
        trust_ids = np.atleast_1d(np.asarray(trust_ids, dtype=np.int64))
        if self._deferred is not None:
            self._deferred.append((role, trust_ids, skill_shift, stream))
            return
        skill = self.draw_skill(len(trust_ids), self.streams[stream], skill_shift)
        self.appoint_leaders(role, skill, np.full(len(trust_ids), -1), trust_ids)

    @contextmanager
    def deferred_recruitment(self) -> Iterator[None]:
        """Collect :meth:`recruit` calls and make them at the end, in trust order, so who is
        appointed (and which skill they draw) does not depend on the order shifts apply in."""
        outer, self._deferred = self._deferred, []
        try:
            yield
        finally:
            queued, self._deferred = self._deferred, outer
        if not queued:
            return
        order = np.argsort(np.concatenate([ids for _, ids, _, _ in queued]), kind="stable")
        info = [(role, shift, stream) for role, ids, shift, stream in queued for _ in ids]
        ids = np.concatenate([ids for _, ids, _, _ in queued])[order]
        info = [info[k] for k in order]
        start = 0
        for end in range(1, len(info) + 1):  # one draw per run of the same kind of post
            if end == len(info) or info[end] != info[start]:
                self.recruit(info[start][0], ids[start:end], info[start][1], info[start][2])
                start = end

    # --- views -------------------------------------------------------------------------
    def schools(self) -> list[School]:
        """The School agents in row order."""
        return list(self.school_agents)

    def open_trusts(self) -> list[CentralTeam]:
        return [self.trusts[i] for i in np.flatnonzero(self.trusts_data.is_open)]
