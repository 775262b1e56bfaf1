"""The workshop's levers: what a facilitator can change, in words a room understands.

Pure Python (no solara), so the rules are tested without a browser. Lever defaults are read
from the chosen scenario's parameters, never re-declared here; a lever left at its scenario
value leaves the scenario untouched. Which trusts the levers act on: the scenario's named
trusts (``[[trusts.named]]``, e.g. Oak Trust) when it has any, otherwise the scenario-wide
sections that every trust follows.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..model import MATModel
from ..parameters import ACCEPT_RULES, REVIEW_POLICIES, Params, operating
from ..parameters.operating import LEVERS as OPERATING_LEVERS
from ..scenario import SCENARIO_DIR, Scenario, find_scenario, load_scenario

OPERATING_MODEL_WORDS = MappingProxyType(  # value -> words; the part before ":" is its name
    {
        "autonomous": "Autonomous: schools keep their own ways",
        "aligned": "Aligned: a common model agreed together",
        "standardised": "Standardised: one way for every school",
        "earned_autonomy": "Earned autonomy: strong schools go their own way",
        "hub_and_cluster": "Hub and cluster: regional hubs, local clusters",
    }
)
REVIEW_POLICY_WORDS = MappingProxyType(
    {
        "static": "Static: never changes its way of working",
        "reactive": "Reactive: changes after results fall",
        "anticipatory": "Anticipatory: reviews ahead, shifts early",
    }
)
ACCEPT_RULE_WORDS = MappingProxyType(
    {
        "any": "Any school nearby",
        "good_only": "Only good or outstanding schools",
        "golden_rule": "Keep the golden rule (3 strong per weak)",
    }
)


@dataclass(frozen=True)
class Lever:
    """One control: a choice among named options, or a number on a slider.

    ``decimals`` is how a number is shown and rounded: a slider's float (1.2000000000000002)
    is stored and shown as the step it stands for (1.2).
    """

    name: str
    label: str
    choices: Mapping[str, str] | None = None  # value -> words shown
    unit: str = ""
    lo: float = 0.0
    hi: float = 1.0
    step: float = 1.0
    decimals: int = 0
    note: str = ""

    @property
    def is_choice(self) -> bool:
        return self.choices is not None

    def rounded(self, value: Any) -> Any:
        """The value as stored: a choice as given, a number rounded to its step."""
        if self.is_choice or value is None:
            return value
        return (
            int(round(float(value))) if self.decimals == 0 else round(float(value), self.decimals)
        )

    def words(self, value: Any) -> str:
        """The value as a person reads it: "Aligned", "1.2 schools a year", "never"."""
        if self.is_choice:
            text = (self.choices or {}).get(value, str(value))
            return text.split(":")[0]
        if self.name == "ceo_steps_back_at" and int(value) == 0:
            return "never"
        number = f"{self.rounded(value):,.{self.decimals}f}"
        return f"{number} {self.unit}".strip()


def scenario_choices(initial: str | None = None) -> list[str]:
    """Shipped scenario names, with ``initial`` first if it is a file of its own."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    if initial and initial not in names:
        names.insert(0, initial)
    return names


def load_workshop_scenario(name: str) -> Scenario:
    return load_scenario(find_scenario(name))


def _focus_sections(params: Params):
    """(operating model, review, growth) in force for the trusts the levers act on."""
    named = params.trusts.named
    if named:
        first = named[0]
        return (
            first.operating_model or params.operating_model,
            first.review or params.review,
            first.growth or params.growth,
        )
    return params.operating_model, params.review, params.growth


def focus_names(params: Params) -> str:
    """Who the levers act on, for labels: "Oak Trust", or "every trust"."""
    named = params.trusts.named
    return ", ".join(t.name for t in named) if named else "every trust"


def lever_defaults(params: Params) -> dict[str, Any]:
    """The levers' values in the scenario (the first named trust's, if it has named trusts)."""
    operating, review, growth = _focus_sections(params)
    return {
        "operating_model": operating.preset,
        "review_policy": review.policy,
        "accept_rule": growth.accept,
        "growth_per_year": float(growth.target_schools_per_year),
        "growth_radius_km": float(growth.radius_km),
        "ceo_steps_back_at": int(operating.resolved()["ceo_steps_back_at"]),
        "seed": int(params.run.seed),
    }


def _choices(values, words: Mapping[str, str]) -> dict[str, str]:
    """Every allowed value, in words where the table has them (a new preset still shows)."""
    return {v: words.get(v, v.replace("_", " ").capitalize()) for v in values}


def lever_specs(params: Params) -> dict[str, Lever]:
    """The controls, their ranges wide enough for the scenario's own values."""
    d = lever_defaults(params)
    growth_decimals = 1 if _same(round(d["growth_per_year"], 1), d["growth_per_year"]) else 2
    return {
        "operating_model": Lever(
            "operating_model", "Operating model", _choices(operating.PRESETS, OPERATING_MODEL_WORDS)
        ),
        "review_policy": Lever(
            "review_policy", "Strategy review", _choices(REVIEW_POLICIES, REVIEW_POLICY_WORDS)
        ),
        "accept_rule": Lever(
            "accept_rule", "Schools it takes on", _choices(ACCEPT_RULES, ACCEPT_RULE_WORDS)
        ),
        "growth_per_year": Lever(
            "growth_per_year",
            "Growth target",
            unit="schools a year",
            hi=float(max(6.0, math.ceil(2 * d["growth_per_year"]))),
            step=0.1,
            decimals=growth_decimals,
        ),
        "growth_radius_km": Lever(
            "growth_radius_km",
            "Growth radius",
            unit="km from its base",
            lo=5.0,
            hi=float(max(100.0, math.ceil(2 * d["growth_radius_km"]))),
            step=5.0,
        ),
        "ceo_steps_back_at": Lever(
            "ceo_steps_back_at",
            "CEO steps back at",
            unit="schools",
            hi=float(max(30, 2 * d["ceo_steps_back_at"])),
            note="0: the CEO never lets go",
        ),
        "seed": Lever("seed", "Random seed", hi=2**31 - 1, note="same seed, same story"),
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def changed_levers(params: Params, **levers: Any) -> dict[str, Any]:
    """The levers given (not None) whose value differs from the scenario's."""
    defaults = lever_defaults(params)
    unknown = set(levers) - set(defaults)
    if unknown:
        raise ValueError(f"unknown lever(s) {sorted(unknown)}; known: {sorted(defaults)}")
    return {k: v for k, v in levers.items() if v is not None and not _same(v, defaults[k])}


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The levers whose value in ``after`` differs from ``before``."""
    return {k: v for k, v in after.items() if k in before and not _same(v, before[k])}


def describe_changes(
    params: Params, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """One phrase per changed lever: "Growth target: 1.2 → 3.0 schools a year"."""
    specs = lever_specs(params)
    phrases = []
    for name, value in differences(before, after).items():
        lever = specs[name]
        phrases.append(f"{lever.label}: {lever.words(before[name])} → {lever.words(value)}")
    return phrases


def preset_ceo_default(params: Params, preset: str) -> int:
    """When the CEO steps back under ``preset`` for the focus trusts, other levers as set."""
    operating, _, _ = _focus_sections(params)
    cleared = dataclasses.replace(
        operating, preset=preset, **{name: None for name in OPERATING_LEVERS}
    )
    return int(cleared.resolved()["ceo_steps_back_at"])


def with_lever(params: Params, pending: Mapping[str, Any], name: str, value: Any) -> dict[str, Any]:
    """``pending`` with one lever set. Choosing an operating model moves the CEO lever to that
    model's own value, unless the CEO lever was already changed: what the sidebar shows is then
    what Reset will apply."""
    specs = lever_specs(params)
    out = {**pending, name: specs[name].rounded(value)}
    if name == "operating_model" and value in operating.PRESETS:
        before = preset_ceo_default(params, pending["operating_model"])
        if _same(pending["ceo_steps_back_at"], before):
            out["ceo_steps_back_at"] = preset_ceo_default(params, value)
    return out


def apply_levers(params: Params, **levers: Any) -> Params:
    """``params`` with the changed levers applied to the focus trusts' sections.

    A new operating-model preset clears the scenario's single-lever overrides (the preset fills
    every lever), except ``ceo_steps_back_at`` when that lever is set too. The seed lever is not
    a parameter (it is the model's ``rng``) and is ignored here.
    """
    changed = changed_levers(params, **levers)
    om: dict[str, Any] = {}
    if "operating_model" in changed:
        om = {name: None for name in OPERATING_LEVERS}
        om["preset"] = changed["operating_model"]
    if "ceo_steps_back_at" in changed:
        om["ceo_steps_back_at"] = int(changed["ceo_steps_back_at"])
    review = {"policy": changed["review_policy"]} if "review_policy" in changed else {}
    growth_keys = {
        "accept_rule": "accept",
        "growth_per_year": "target_schools_per_year",
        "growth_radius_km": "radius_km",
    }
    growth = {field: changed[k] for k, field in growth_keys.items() if k in changed}
    if not (om or review or growth):
        return params

    def update(section, changes):
        return dataclasses.replace(section, **changes) if changes else section

    named = params.trusts.named
    if not named:
        return dataclasses.replace(
            params,
            operating_model=update(params.operating_model, om),
            review=update(params.review, review),
            growth=update(params.growth, growth),
        )
    new_named = tuple(
        dataclasses.replace(
            trust,
            operating_model=update(trust.operating_model or params.operating_model, om),
            review=update(trust.review or params.review, review),
            growth=update(trust.growth or params.growth, growth),
        )
        for trust in named
    )
    return dataclasses.replace(params, trusts=dataclasses.replace(params.trusts, named=new_named))


class WorkshopModel(MATModel):
    """:class:`MATModel` built from a scenario name and the dashboard's levers.

    Reset re-creates the model with the sidebar's values; a lever left as None (or at its
    scenario value) keeps the scenario's setting. ``levers`` holds every lever's value in
    this run, ``changed_levers`` those that differ from the scenario.
    """

    def __init__(
        self,
        scenario_name: str,
        operating_model: str | None = None,
        review_policy: str | None = None,
        accept_rule: str | None = None,
        growth_per_year: float | None = None,
        growth_radius_km: float | None = None,
        ceo_steps_back_at: int | None = None,
        seed: int | None = None,
    ):
        scenario = load_workshop_scenario(scenario_name)
        given = {
            "operating_model": operating_model,
            "review_policy": review_policy,
            "accept_rule": accept_rule,
            "growth_per_year": growth_per_year,
            "growth_radius_km": growth_radius_km,
            "ceo_steps_back_at": ceo_steps_back_at,
        }
        params = apply_levers(scenario.params, **given)
        rng = scenario.params.run.seed if seed is None else int(seed)
        super().__init__(params, rng=rng, scenario_name=scenario.name)
        self.scenario_description = scenario.description
        self.scenario_params = scenario.params
        self.horizon = int(scenario.params.run.years)
        defaults = lever_defaults(scenario.params)
        self.levers = {
            **defaults,
            **{k: v for k, v in given.items() if v is not None},
            "seed": rng,
        }
        self.changed_levers = changed_levers(scenario.params, **given)
