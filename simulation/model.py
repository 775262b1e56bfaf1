"""The MAT growth model: builds the world, runs the yearly schedule, collects the tables.

One step is one academic year. :meth:`MATModel.step` is the schedule, in the order of the
design brief: inspections, intelligence, central-team decisions and support, school
improvement, leaders, growth, data collection.
"""

from __future__ import annotations

import numpy as np
from mesa import Model

from .central_team import CentralTeam
from .collect import Recorder
from .columns import ColumnStore
from .events import EventLog
from .leader import LEADER_COLUMNS, SLE, Leader
from .mechanisms.growth import grow_trusts
from .mechanisms.improvement import improve_schools
from .mechanisms.inspection import inspect_schools
from .mechanisms.intelligence import gather_intelligence
from .mechanisms.leadership import develop_leaders
from .mechanisms.review import (
    assess_break_points,
    break_points_and_review,
    settle_starting_approaches,
    trust_reporters,
)
from .mechanisms.support import run_central_teams
from .operating_model import apply_operating_model
from .parameters import GrowthStrategy, OperatingModel, Params, ReviewParams
from .school import NO_TRUST, SCHOOL_COLUMNS, School
from .setup import build_world
from .streams import RandomStreams


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
        self.schools_data = ColumnStore(SCHOOL_COLUMNS, capacity=self.params.world.n_schools)
        self.leaders_data = ColumnStore(LEADER_COLUMNS, capacity=2 * self.params.world.n_schools)
        self.trusts: list[CentralTeam] = []
        self.leader_agents: dict[int, Leader] = {}
        self._trust_sizes: np.ndarray | None = None
        self.trust_reporters = trust_reporters()
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
        self.sync_staff_trusts()
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
            self._trust_sizes = np.bincount(t[t >= 0], minlength=len(self.trusts))
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
    ) -> CentralTeam:
        """Found a trust based at school ``base_row`` (its schools are moved in separately)."""
        s = self.schools_data
        team = CentralTeam(
            self,
            trust_id=len(self.trusts),
            name=name,
            base_xy_km=np.array([s.x_km[base_row], s.y_km[base_row]]),
            region=int(s.region[base_row]),
            growth=growth,
            founded_year=self.year,
        )
        apply_operating_model(
            team, operating_model or self.params.operating_model, review or self.params.review
        )
        team.core_disadvantage = float(s.disadvantage[base_row])
        self.trusts.append(team)
        self._trust_sizes = None
        return team

    # --- leaders -----------------------------------------------------------------------
    def sync_staff_trusts(self) -> None:
        """SLEs work for their school's trust: refresh after schools have moved."""
        leaders = self.leaders_data
        sles = np.flatnonzero(leaders.active & (leaders.role == SLE) & (leaders.school >= 0))
        leaders.trust[sles] = self.schools_data.trust[leaders.school[sles]]

    def appoint_leaders(
        self, role: int, skill: np.ndarray, school: np.ndarray, trust: np.ndarray
    ) -> np.ndarray:
        """Create leader rows and their Mesa agents; returns the new rows."""
        rows = self.leaders_data.add(
            len(skill),
            role=role,
            skill=skill,
            school=school,
            trust=trust,
            tenure_years=0,
            started_year=self.year,
        )
        for row in rows.tolist():
            self.leader_agents[row] = Leader(self, row)
        return rows

    def retire_leaders(self, rows: np.ndarray) -> None:
        """Leaders leave their posts: rows go inactive and their agents leave the model."""
        rows = np.atleast_1d(rows)
        self.leaders_data.active[rows] = False
        for row in rows.tolist():
            agent = self.leader_agents.pop(row, None)
            if agent is not None:
                agent.remove()

    def draw_skill(self, n: int, rng: np.random.Generator, shift: float = 0.0) -> np.ndarray:
        lp = self.params.leaders
        return np.clip(rng.normal(lp.skill_mean + shift, lp.skill_sd, n), 0.02, 0.98)

    def schools(self) -> list[School]:
        """The School agents in row order."""
        return sorted(self.agents_by_type[School], key=lambda a: a.row)

    def open_trusts(self) -> list[CentralTeam]:
        return [t for t in self.trusts if t.is_open]
