"""What a discovery writes and says: files beside the batch, a console table, findings text.

Outputs go to ``<batch dir>/discover/<name>/`` through :func:`simulation.output.atomic_directory`
(a temporary sibling renamed into place when complete): ``boxes.csv``, ``limits.csv``,
``trajectory.csv``, ``runs.csv``, ``discover.png`` and ``metadata.json`` (written last).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from ..output import METADATA_FILE, _write_json, atomic_directory, check_out_dir
from .boxes import LEVEL_SEPARATOR
from .study import DiscoveryResult

OUT_DIR = "discover"
FILES = ("boxes.csv", "limits.csv", "trajectory.csv", "runs.csv", "discover.png", METADATA_FILE)
# The notebook's and the README's reading rule (stated with every findings text).
MAX_QUASI_P = 0.05
MIN_LIFT = 2.0
NOT_SHOWN = (
    "What this does not show: causes in real trusts (a box is where the model's cases "
    "cluster among the parameter values this batch sampled, an association in simulated "
    "data); anything about parameters the batch held fixed; or how likely any combination "
    "is in practice. Box edges move with more runs or other seeds."
)


def default_name(expression: str, method: str, trust_id: int = 0) -> str:
    """``<method>-<expression made safe>-<short hash>``: readable, and distinct for
    expressions that differ only in characters the slug drops."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", expression).strip("_").lower()[:48] or "expression"
    digest = hashlib.sha1(f"{expression}|{trust_id}".encode()).hexdigest()[:6]
    trust = f"-trust{trust_id}" if trust_id else ""
    return f"{method}-{slug}{trust}-{digest}"


def default_out(result: DiscoveryResult) -> Path:
    name = default_name(result.expression.text, result.discovery.settings.method, result.trust_id)
    return result.batch.batch_dir / OUT_DIR / name


def write_discovery(result: DiscoveryResult, out_dir: str | Path | None = None) -> Path:
    """Write the tables, figure and metadata into ``out_dir`` atomically; return it."""
    from ..plotting import DPI, discovery_figure  # matplotlib only when drawing

    out = Path(out_dir) if out_dir is not None else default_out(result)
    found = result.discovery
    with atomic_directory(out) as tmp:
        found.boxes.to_csv(tmp / "boxes.csv", index=False)
        found.limits.to_csv(tmp / "limits.csv", index=False)
        found.trajectory.to_csv(tmp / "trajectory.csv", index=False)
        result.runs.to_csv(tmp / "runs.csv", index=False)
        fig = discovery_figure(
            found.trajectory,
            found.boxes,
            found.limits,
            found.base_rate,
            result.caption(),
            f"Where do runs with {result.expression.text} concentrate?",
        )
        fig.savefig(tmp / "discover.png", dpi=DPI)
        meta = {**result.metadata(), "output": {"files": list(FILES)}}
        _write_json(tmp / METADATA_FILE, meta)  # last: its presence marks a complete output
    return check_out_dir(out).resolve()


def _restriction_text(row) -> str:
    from ..plotting import short_parameter

    name = short_parameter(row["parameter"])
    if row["kind"] == "choice":
        kept = str(row["levels"]).split(LEVEL_SEPARATOR)
        return f"{name} is {' or '.join(kept)}"
    return (
        f"{name} is {row['lower']:.3g} to {row['upper']:.3g} "
        f"(sampled {row['full_lower']:.3g} to {row['full_upper']:.3g})"
    )


def format_result(result: DiscoveryResult) -> str:
    """The console summary: cases, then each box with its restrictions."""
    found = result.discovery
    lines = [
        f"{result.batch.name}: {result.n_runs} runs, {result.n_cases} cases "
        f"({result.base_rate:.1%}) where {result.expression.text}  "
        f"[trust {result.trust_id}: {result.trust_name}; {found.settings.method.upper()}]"
    ]
    if found.boxes.empty:
        lines.append("no box restricts any parameter")
    for _, box in found.boxes.iterrows():
        lines.append(
            f"box {int(box['box'])}: coverage {box['coverage']:.2f}, density "
            f"{box['density']:.2f} ({box['lift']:.1f}x the base rate), {int(box['runs'])} runs, "
            f"{int(box['cases'])} cases"
        )
        rows = found.limits[found.limits["box"] == box["box"]]
        for _, row in rows.iterrows():
            qp = row["quasi_p"]
            shown = f"quasi-p {qp:.2g}" if np.isfinite(qp) else "quasi-p -"
            lines.append(f"  {_restriction_text(row)}   {shown}")
    return "\n".join(lines)


def reading_rule(max_quasi_p: float = MAX_QUASI_P, min_lift: float = MIN_LIFT) -> str:
    return (
        f"Reading rule: a box is reported when its density of cases is at least {min_lift:g}x "
        f"the base rate and every restriction defining it has a quasi-p-value below "
        f"{max_quasi_p:g}; otherwise it is named as not meeting the rule."
    )


def meets_rule(
    result: DiscoveryResult, max_quasi_p: float = MAX_QUASI_P, min_lift: float = MIN_LIFT
) -> list[int]:
    """The boxes (numbers) that meet :func:`reading_rule`."""
    found = result.discovery
    kept = []
    for _, box in found.boxes.iterrows():
        rows = found.limits[found.limits["box"] == box["box"]]
        if len(rows) and box["lift"] >= min_lift and (rows["quasi_p"] < max_quasi_p).all():
            kept.append(int(box["box"]))
    return kept


def box_findings(
    result: DiscoveryResult, max_quasi_p: float = MAX_QUASI_P, min_lift: float = MIN_LIFT
) -> list[str]:
    """One paragraph on the cases, then one per box: reported or why not."""
    from ..plotting import short_parameter

    found = result.discovery
    parts = [
        f"Cases: runs where {result.expression.text} for {result.trust_name} "
        f"({result.n_cases} of {result.n_runs} runs, a base rate of {result.base_rate:.0%}); "
        f"boxes by {found.settings.method.upper()}."
    ]
    reported = meets_rule(result, max_quasi_p, min_lift)
    for _, box in found.boxes.iterrows():
        rows = found.limits[found.limits["box"] == box["box"]]
        where = "; ".join(_restriction_text(row) for _, row in rows.iterrows())
        stats = (
            f"{box['density']:.0%} of its {int(box['runs'])} runs are cases "
            f"({box['lift']:.1f}x the base rate), holding {box['coverage']:.0%} of all cases"
        )
        if int(box["box"]) in reported:
            parts.append(f"Box {int(box['box'])} is reported: where {where}, {stats}.")
            continue
        reasons = []
        if box["lift"] < min_lift:
            reasons.append(f"its lift is {box['lift']:.1f}, below {min_lift:g}")
        weak = rows[~(rows["quasi_p"] < max_quasi_p)]
        if not weak.empty:
            names = ", ".join(short_parameter(name) for name in weak["parameter"])
            reasons.append(f"the restriction on {names} is not clearly beyond chance")
        parts.append(
            f"Box {int(box['box'])} does not meet the rule ({'; '.join(reasons)}): "
            f"where {where}, {stats}."
        )
    if not reported:
        parts.append(
            "No box meets the rule: in this batch these cases are not concentrated in a region "
            "of the varied parameters clearly enough to report (or there are too few runs to "
            "tell)."
        )
    return parts


FIGURE_TEXT = (
    "The figures show, left, every candidate box by coverage (share of all cases inside) and "
    "density (share of runs inside that are cases), the chosen ones ringed; right, the part of "
    "each parameter's sampled range (or of its levels) the chosen boxes keep."
)


def findings(
    result: DiscoveryResult, max_quasi_p: float = MAX_QUASI_P, min_lift: float = MIN_LIFT
) -> str:
    """Findings text computed from the result under :func:`reading_rule`: nothing in it is
    typed by hand, so it stays true when the model's mechanisms change."""
    parts = [
        reading_rule(max_quasi_p, min_lift),
        *box_findings(result, max_quasi_p, min_lift),
        FIGURE_TEXT,
        NOT_SHOWN,
    ]
    return "\n\n".join(parts)
