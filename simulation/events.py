"""The event log: one row per join, leave, inspection, brokering, closure, break point, shift.

Events are appended in column chunks (one numpy array per column per call), so logging
thousands of inspections a year costs a few array copies, not a Python dict per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EVENT_KINDS = (
    "inspection",
    "join",
    "convert_standalone",
    "broker",
    "rebroker",
    "leave",
    "trust_closed",
    "trust_merged",
    "merge",
    "becomes_mat",
    "broker_unmatched",
    "head_left",
    "head_appointed",
    "lead_hired",
    "lead_cut",
    "ceo_left",
    "ceo_appointed",
)

_INT_COLUMNS = ("trust_id", "school_id", "grade_before", "grade_after", "other_trust_id")


class EventLog:
    """Collects events by chunks and builds one tidy table at the end."""

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []
        self.kinds = list(EVENT_KINDS)
        self._counts: dict[tuple[str, int], int] = {}

    def add(self, kind: str, year: int, **columns: object) -> None:
        """Log events of one kind; array-valued columns give one event per element."""
        sizes = {np.size(v) for v in columns.values() if np.ndim(v) > 0}
        if len(sizes) > 1:
            raise ValueError(f"event columns for {kind!r} differ in length: {sizes}")
        n = sizes.pop() if sizes else 1
        if n == 0:
            return
        if kind not in self.kinds:
            self.kinds.append(kind)
        self._counts[kind, year] = self._counts.get((kind, year), 0) + n
        chunk = {
            "year": np.full(n, year, dtype=np.int32),
            "kind": np.full(n, self.kinds.index(kind), dtype=np.int16),
        }
        for name, value in columns.items():
            arr = np.asarray(value)
            chunk[name] = np.broadcast_to(arr, (n,)).copy() if arr.ndim == 0 else arr.copy()
        self._chunks.append(chunk)

    def count(self, kind: str, year: int | None = None) -> int:
        """Events of ``kind`` logged in ``year`` (or in all years)."""
        if year is not None:
            return self._counts.get((kind, year), 0)
        return sum(n for (k, _y), n in self._counts.items() if k == kind)

    def to_frame(self) -> pd.DataFrame:
        """All events as a DataFrame sorted by year (stable: within-year order is kept)."""
        names: list[str] = []
        for chunk in self._chunks:
            names.extend(k for k in chunk if k not in names)
        for col in _INT_COLUMNS:
            if col not in names:
                names.append(col)
        if not self._chunks:
            frame = pd.DataFrame({n: pd.Series(dtype="float64") for n in names})
            frame["year"] = frame["year"].astype("int32")
            frame["kind"] = pd.Categorical([], categories=self.kinds)
            return frame
        data = {}
        total = sum(len(c["year"]) for c in self._chunks)
        for name in names:
            parts = []
            for chunk in self._chunks:
                n = len(chunk["year"])
                if name in chunk:
                    parts.append(chunk[name])
                elif name in _INT_COLUMNS:
                    parts.append(np.full(n, -1, dtype=np.int64))
                else:
                    parts.append(np.full(n, np.nan))
            col = np.concatenate(parts) if parts else np.empty(total)
            data[name] = col
        frame = pd.DataFrame(data)
        frame["kind"] = pd.Categorical.from_codes(frame["kind"].to_numpy(), categories=self.kinds)
        for col in _INT_COLUMNS:
            frame[col] = frame[col].astype("int64")
        return frame.sort_values("year", kind="stable").reset_index(drop=True)
