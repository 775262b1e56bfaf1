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
from .columns import AgentViews, ColumnStore
from .events import EventLog
from .leader import LEADER_COLUMNS, Leader
from .mechanisms.growth import grow_trusts
from .mechanisms.improvement import improve_schools
from .mechanisms.inspection import inspect_schools
from .mechanisms.intelligence import gather_intelligence
from .mechanisms.leadership import develop_leaders
from .mechanisms.review import (
    assess_break_points,
    break_points_and_review,
    settle_starting_approaches,
)
from .mechanisms.support import run_central_teams
from .parameters import GrowthStrategy, OperatingModel, Params, ReviewParams
from .school import NO_TRUST, SCHOOL_COLUMNS, School
from .setup import build_world
from .streams import RandomStreams
from .world import Geography


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
        self.peer_pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
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
        build_world(self)
        settle_starting_approaches(self, named=len(self.params.trusts.named))
        assess_break_points(self)  # starting ratios, so year 0 is reported and not a crossing
        self.recorder = Recorder(self)
        self.recorder.collect()

    @property
    def year(self) -> int:
        """Years simulated so far (0 is the starting state)."""
        return self.steps

    def step(self) -> None:
        """One academic year, in the design's order."""
        inspect_schools(self)  # inspections turn latent quality into public grades
        gather_intelligence(self)  # central teams update what they know of their schools
        break_points_and_review(self)  # loads vs capacities; strategy review and shifts
        run_central_teams(self)  # budgets, staffing, improvement and peer support
        improve_schools(self)  # quality, admissions, alignment and commitment move
        develop_leaders(self)  # development, turnover, recruitment, talent pipeline
        grow_trusts(self)  # brokering, conversion, approaches, re-brokering, closures
        self.sync_staff_trusts()
        self.recorder.collect()

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

    def move_schools(self, rows: np.ndarray, trust_id: int, kind: str) -> None:
        """Put schools into ``trust_id`` (or NO_TRUST), logging one event per school."""
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        if rows.size == 0:
            return
        s = self.schools_data
        previous = s.trust[rows].copy()
        s.trust[rows] = trust_id
        s.joined_year[rows] = self.year
        s.joined_grade[rows] = s.grade[rows]
        s.inadequate_in_trust[rows] = 0
        s.awaiting_sponsor[rows] = False
        if trust_id != NO_TRUST:
            s.commitment[rows] = 0.4
            s.quality[rows] -= self.params.quality.join_disruption
            if kind in ("broker", "rebroker"):
                # new or re-brokered academies are inspected about 3 years after opening
                s.next_inspection_year[rows] = self.year + round(
                    self.params.inspection.new_academy_interval_years
                )
            self.membership_version[trust_id] += 1
        left = previous[previous != NO_TRUST]
        if left.size:
            np.add.at(self.membership_version, left, 1)
        heads = s.head[rows]
        self.leaders_data.trust[heads[heads >= 0]] = trust_id  # the head moves with the school
        self._trust_sizes = None  # (SLEs follow in sync_staff_trusts, once a year)
        self.events.add(
            kind,
            self.year,
            school_id=rows,
            trust_id=np.full(rows.size, trust_id),
            other_trust_id=previous,
            grade_before=s.grade[rows],
        )

    def create_trust(
        self,
        name: str,
        base_row: int,
        growth: GrowthStrategy | None,
        operating_model: OperatingModel | None = None,
        review: ReviewParams | None = None,
    ) -> int:
        """Found a trust based at school ``base_row`` (its schools are moved in separately);
        returns its id."""
        s = self.schools_data
        t = self.trusts_data
        (row,) = t.add(
            1,
            name=name,
            base_x_km=s.x_km[base_row],
            base_y_km=s.y_km[base_row],
            region=s.region[base_row],
            founded_year=self.year,
            core_disadvantage=s.disadvantage[base_row],
        )
        ids = np.array([row])
        write_growth(t, ids, growth)
        om = operating_model or self.params.operating_model
        write_operating_model(t, ids, om)
        write_review(t, ids, review or self.params.review)
        levers = om.resolved()
        for j, bp in enumerate(self.break_points):
            if bp.starting_level is not None:
                t.level[row, j] = bp.starting_level(levers)
        self.membership_version = np.append(self.membership_version, 0)
        self._trust_sizes = None
        return int(row)

    def close_trust(self, trust_id: int) -> None:
        t = self.trusts_data
        t.closed_year[trust_id] = self.year
        t.is_open[trust_id] = False
        t.appetite[trust_id] = 0.0

    # --- leaders -----------------------------------------------------------------------
    def sync_staff_trusts(self) -> None:
        """SLEs work for their school's trust: refresh after schools have moved."""
        from .leader import SLE

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

    def retire_leaders(self, rows: np.ndarray) -> None:
        """Leaders leave their posts: rows go inactive and any agent made for them leaves."""
        rows = np.atleast_1d(rows)
        self.leaders_data.active[rows] = False
        self.leader_agents.forget(rows)

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
        entries = sorted(
            ((int(i), role, shift, stream) for role, ids, shift, stream in queued for i in ids),
            key=lambda e: e[0],
        )
        for i, role, shift, stream in entries:
            self.recruit(role, np.array([i]), shift, stream)

    # --- views -------------------------------------------------------------------------
    def schools(self) -> list[School]:
        """The School agents in row order."""
        return list(self.school_agents)

    def open_trusts(self) -> list[CentralTeam]:
        return [self.trusts[i] for i in np.flatnonzero(self.trusts_data.is_open)]
