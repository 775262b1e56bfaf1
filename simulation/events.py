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
    "transfer",
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
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)
PYTHON, SCALAR, ARRAY = 0, 1, 2  # how a column's value was given for a chunk


class _Column:
    """The values one event column was given, by chunk, until the table is built.

    Values are kept as given, in three groups with the chunks they belong to: Python scalars
    (converted together at the end), numpy scalars and 0-d arrays (one value for the whole
    chunk), and arrays (one value per event). A value's dtype is what ``np.asarray`` gives
    it, and a column's dtype the promotion of its values' dtypes (and of the fill value's,
    where some chunks lack the column).
    """

    def __init__(self) -> None:
        self.chunks: tuple[list[int], list[int], list[int]] = ([], [], [])
        self.given: tuple[list[object], list[np.ndarray | np.generic], list[np.ndarray]] = (
            [],
            [],
            [],
        )

    def values(self, is_int: bool, sizes: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """The column over all events: -1 (id and grade columns) or NaN where not given."""
        python, scalars, arrays = self.given
        python_values = np.array(python) if python else None  # one conversion for them all
        dtypes = {v.dtype for v in scalars} | {v.dtype for v in arrays}
        if python_values is not None:
            dtypes.add(python_values.dtype)
        total = int(sizes.sum())
        if sum(len(c) for c in self.chunks) == len(sizes):
            dtype = np.result_type(*dtypes)
            col = np.empty(total, dtype=dtype)
        else:
            fill = np.full(1, -1, dtype=np.int64) if is_int else np.full(1, np.nan)
            if any(d.kind in "UO" for d in dtypes):
                # text: missing values are NaN (not the text 'nan' numpy would make of them)
                dtype = np.dtype(object)
            else:
                dtype = np.result_type(fill, *dtypes)
            col = np.full(total, fill[0], dtype=dtype)
        for group, chunks in enumerate(self.chunks):
            if not chunks:
                continue
            picked = np.array(chunks, dtype=np.int64)
            lens = sizes[picked]
            if group == ARRAY:
                vals = np.concatenate(arrays)
            elif group == SCALAR:  # one value per chunk, for each of its events
                vals = np.repeat(np.array(scalars, dtype=dtype), lens)
            else:
                vals = np.repeat(python_values.astype(dtype, copy=False), lens)
            offsets = np.repeat(starts[picked] - (np.cumsum(lens) - lens), lens)
            col[offsets + np.arange(int(lens.sum()))] = vals
        return col


class EventLog:
    """Collects events by chunks and builds one tidy table at the end.

    Each :meth:`add` is one chunk of ``n`` events of one kind in one year. The log keeps, per
    column, the chunks that gave it and their values (a scalar for the whole chunk, or one
    value per event), so logging costs a few list appends and the table is assembled with
    one array per column in :meth:`to_frame`.
    """

    def __init__(self) -> None:
        self.kinds = list(EVENT_KINDS)
        self._codes = {kind: code for code, kind in enumerate(self.kinds)}
        self._counts: dict[tuple[str, int], int] = {}
        self._sizes: list[int] = []  # events per chunk
        self._years: list[int] = []
        self._kind_codes: list[int] = []
        # column -> _Column: which chunks gave it, and their values
        self._columns: dict[str, _Column] = {}

    def add(self, kind: str, year: int, **columns: object) -> None:
        """Log events of one kind; array-valued columns give one event per element."""
        n = None
        staged = []
        for name, value in columns.items():
            t = type(value)
            if (
                t is float
                or t is str
                or t is bool
                or (t is int and _INT64_MIN <= value <= _INT64_MAX)
            ):
                staged.append((name, PYTHON, value))
            elif t is np.ndarray:
                if value.ndim > 0:
                    if n is not None and value.size != n:
                        sizes = {np.size(v) for v in columns.values() if np.ndim(v) > 0}
                        raise ValueError(f"event columns for {kind!r} differ in length: {sizes}")
                    n = value.size
                    staged.append((name, ARRAY, value.copy()))  # the caller may change it
                else:
                    staged.append((name, SCALAR, value.copy()))
            elif isinstance(value, np.generic):  # a numpy scalar keeps its dtype
                staged.append((name, SCALAR, value))
            elif np.ndim(value) > 0:  # a list or other sequence: as arrays, then as above
                self.add(kind, year, **{k: np.asarray(v) for k, v in columns.items()})
                return
            else:
                staged.append((name, SCALAR, np.array(value)))
        n = 1 if n is None else n
        if n == 0:
            return
        code = self._codes.get(kind)
        if code is None:
            code = self._codes[kind] = len(self.kinds)
            self.kinds.append(kind)
        key = (kind, year)
        self._counts[key] = self._counts.get(key, 0) + n
        chunk = len(self._sizes)
        self._sizes.append(n)
        self._years.append(year)
        self._kind_codes.append(code)
        all_columns = self._columns
        for name, group, value in staged:
            column = all_columns.get(name)
            if column is None:
                column = all_columns[name] = _Column()
            column.chunks[group].append(chunk)
            column.given[group].append(value)

    def count(self, kind: str, year: int | None = None) -> int:
        """Events of ``kind`` logged in ``year`` (or in all years)."""
        if year is not None:
            return self._counts.get((kind, year), 0)
        return sum(n for (k, _y), n in self._counts.items() if k == kind)

    def to_frame(self) -> pd.DataFrame:
        """All events as a DataFrame sorted by year (stable: within-year order is kept)."""
        names = ["year", "kind", *self._columns]
        for col in _INT_COLUMNS:
            if col not in names:
                names.append(col)
        if not self._sizes:
            frame = pd.DataFrame({n: pd.Series(dtype="float64") for n in names})
            frame["year"] = frame["year"].astype("int32")
            frame["kind"] = pd.Categorical([], categories=self.kinds)
            return frame
        sizes = np.array(self._sizes, dtype=np.int64)
        starts = np.cumsum(sizes) - sizes
        data = {
            "year": np.repeat(np.array(self._years, dtype=np.int32), sizes),
            "kind": np.repeat(np.array(self._kind_codes, dtype=np.int16), sizes),
        }
        for name in names[2:]:
            column = self._columns.get(name, _Column())
            data[name] = column.values(name in _INT_COLUMNS, sizes, starts)
        frame = pd.DataFrame(data)
        frame["kind"] = pd.Categorical.from_codes(frame["kind"].to_numpy(), categories=self.kinds)
        for col in _INT_COLUMNS:
            frame[col] = frame[col].astype("int64")
        if not frame["year"].is_monotonic_increasing:
            frame = frame.sort_values("year", kind="stable")
        return frame.reset_index(drop=True)
