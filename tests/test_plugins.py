"""Break points are plug-ins: a new one is one module (here, one object) the model picks up.

The toy break point below has everything a real one has — its own parameter section, labels,
explanation, load and capacity for all trusts at once, a shift with a hook — and, once
registered, is measured, reported, explained and shifted by the same code as the shipped
twelve, none of which names it.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, replace

import numpy as np

from simulation import MATModel
from simulation.breakpoints import (
    CHANNELS,
    NAMES,
    BreakPoint,
    Explanation,
    Shift,
    registered_break_point,
)
from simulation.breakpoints.base import no_change
from simulation.labels import break_point_label, shift_label
from simulation.mechanisms import review
from simulation.parameters import ReviewParams
from simulation.report import explain_break_point
from simulation.sections import Section, param

from .conftest import tiny_params


@dataclass(frozen=True)
class SiteVisitParams(Section):
    section_name = "break_points"

    visits_per_leader: float = param(
        1.5, "schools visited per overseeing person per week", "assumption (a toy)", lo=0.1, hi=50
    )


def visits_load(v, p: SiteVisitParams) -> np.ndarray:
    return v.n_schools.astype(float)


def visits_capacity(v, p: SiteVisitParams) -> np.ndarray:
    return p.visits_per_leader * (v.has_ceo + v.leads) * (1 + v.level["site_visits"])


TOY = BreakPoint(
    name="site_visits",
    driver="scale",
    label="Site visits",
    description="too many schools to visit every week",
    explanation=Explanation(
        load="the schools to visit", capacity="the visits its people can make", harm="visits lapse"
    ),
    load=visits_load,
    capacity=visits_capacity,
    shift=Shift("visit_rota", "Start a visiting rota", "a rota of visits", no_change),
    channels={"oversight": 0.3},
    parameters=SiteVisitParams,
    order=50,
)


def test_a_registered_break_point_is_measured_reported_explained_and_shifted():
    params = tiny_params(review=ReviewParams(policy="anticipatory", interval_years=1))
    with registered_break_point(TOY):
        model = MATModel(params, rng=7)
        assert [bp.name for bp in model.break_points][-1] == "site_visits"
        assert model.break_point_settings["site_visits"].visits_per_leader == 1.5
        model.run(4)
        tables = model.recorder.tables()
        trusts, events = tables["trusts"], tables["events"]
        assert "ratio_site_visits" in trusts
        mats = trusts[trusts.kind == "multi_academy"]
        assert (mats["ratio_site_visits"] > 0).any()
        shifted = events[(events.kind == "shift") & (events.break_point == "site_visits")]
        assert len(shifted), "an anticipatory board shifts the toy like any other"
        assert set(shifted["shift"]) == {"visit_rota"}
        assert break_point_label("site_visits") == "Site visits"
        assert shift_label("visit_rota") == "Start a visiting rota"
        assert "the visits its people can make" in explain_break_point(shifted.iloc[0])
    # unregistered again: a new model has only the shipped twelve
    assert [bp.name for bp in MATModel(params, rng=7).break_points] == list(NAMES)


def test_a_break_point_reads_its_own_parameters_from_the_scenario_when_shipped():
    """A shipped plug-in's section joins [break_points]: scenario values reach it."""
    params = tiny_params()
    params = replace(
        params, break_points=replace(params.break_points, monitoring_gain_per_shift=0.5)
    )
    model = MATModel(params, rng=1)
    assert model.break_point_settings["oversight"].monitoring_gain_per_shift == 0.5


def test_the_strategy_review_names_no_break_point():
    """(``oversight`` is also the name of a channel, which the review does name.)"""
    source = inspect.getsource(review)
    assert [name for name in NAMES if name not in CHANNELS and f'"{name}"' in source] == []
