"""Struct-of-arrays storage behind array-backed agents, and the agents as views of it.

Thousands of schools, leaders and trusts are updated each year with numpy operations on whole
columns; the Mesa agent objects are thin views that read and write one row, created only when
someone asks for one (the dashboard, a test, a notebook inspecting a single agent). This keeps
the yearly step linear in the number of schools with a small constant and free of per-agent
object churn.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mesa import Agent, Model

ColumnSpec = tuple[type | str, object] | tuple[type | str, object, int]
"""``(dtype, fill)`` for a column of scalars, ``(dtype, fill, width)`` for one of rows."""


class ColumnStore:
    """Named numpy columns of equal length that can grow by appending rows.

    Attribute access (``store.quality``) returns a view of the rows in use, so in-place
    numpy updates (``store.quality[mask] += 1``) write through. A column declared with a
    width holds a row of ``width`` values per entry (shape ``(n, width)``).
    """

    def __init__(self, spec: Mapping[str, ColumnSpec], capacity: int = 16):
        self._spec = {name: (s[0], s[1], s[2] if len(s) > 2 else 0) for name, s in spec.items()}
        self._capacity = max(1, capacity)
        self._n = 0
        self._data = {name: self._empty(name, self._capacity) for name in self._spec}
        self._refresh_views()

    def _empty(self, name: str, rows: int) -> np.ndarray:
        dtype, fill, width = self._spec[name]
        shape = (rows, width) if width else rows
        return np.full(shape, fill, dtype=dtype)

    def _refresh_views(self) -> None:
        """Keep a view of the rows in use per column in the instance dict.

        Reading ``store.quality`` then is a plain attribute lookup rather than a call to
        :meth:`__getattr__`; the views are rebuilt whenever rows are added.
        """
        n = self._n
        for name, column in self._data.items():
            if not hasattr(type(self), name):  # never shadow a method or property
                self.__dict__[name] = column[:n]

    def __getstate__(self) -> dict[str, object]:
        # the views are rebuilt on unpickling/copying, so they stay views of ``_data``
        return {k: v for k, v in self.__dict__.items() if k.startswith("_")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._refresh_views()

    def __len__(self) -> int:
        return self._n

    def __getattr__(self, name: str) -> np.ndarray:
        data = self.__dict__.get("_data")
        if data is None or name not in data:
            raise AttributeError(name)
        return data[name][: self._n]

    def __setattr__(self, name: str, value: object) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        elif name in self._data:
            self._data[name][: self._n] = value
        else:
            raise AttributeError(f"no column {name!r}")

    @property
    def columns(self) -> list[str]:
        return list(self._spec)

    def add(self, count: int, **values: object) -> np.ndarray:
        """Append ``count`` rows (defaults from the spec, overridden by ``values``)."""
        if count <= 0:
            return np.empty(0, dtype=np.int64)
        for key in values:
            if key not in self._data:
                raise KeyError(f"no column {key!r}")
        needed = self._n + count
        if needed > self._capacity:
            new_cap = max(needed, 2 * self._capacity)
            for name in self._spec:
                grown = self._empty(name, new_cap)
                grown[: self._n] = self._data[name][: self._n]
                self._data[name] = grown
            self._capacity = new_cap
        rows = np.arange(self._n, needed)
        self._n = needed
        start = rows[0]
        for name, (_dtype, fill, _width) in self._spec.items():
            self._data[name][start:needed] = values.get(name, fill)
        self._refresh_views()
        return rows


def compact(store: ColumnStore, keep: np.ndarray) -> np.ndarray:
    """Drop the rows not in ``keep`` (a mask), keeping the others in order; returns the new
    row of every old row (-1 for dropped ones), so references can be renumbered."""
    kept = np.flatnonzero(keep)
    new_row = np.full(len(store), -1, dtype=np.int64)
    new_row[kept] = np.arange(kept.size)
    for name in store._spec:
        column = store._data[name]
        column[: kept.size] = column[kept]
    store._n = kept.size
    store._refresh_views()
    return new_row


def column_property(store: str, name: str) -> property:
    """A property of an array-backed agent reading and writing its row of ``model.<store>``."""

    def fget(agent):
        value = getattr(agent.model, store)._data[name][agent.row]
        return value.item() if isinstance(value, np.generic) else value

    def fset(agent, value) -> None:
        getattr(agent.model, store)._data[name][agent.row] = value

    return property(fget, fset, doc=f"This agent's ``{name}`` column.")


def coded_property(store: str, name: str, choices: Sequence[str]) -> property:
    """A property showing a column of codes as the names in ``choices`` (and taking names)."""
    codes = {choice: code for code, choice in enumerate(choices)}

    def fget(agent) -> str:
        return choices[int(getattr(agent.model, store)._data[name][agent.row])]

    def fset(agent, value: str) -> None:
        getattr(agent.model, store)._data[name][agent.row] = codes[value]

    return property(fget, fset, doc=f"This agent's ``{name}``, one of {tuple(choices)}.")


class AgentViews[A: "Agent"](Sequence[A]):
    """The Mesa agents over a column store's rows, each created the first time it is asked for.

    ``views[i]`` is always the same object for row ``i``; creating it registers it with the
    Mesa model like any agent. Yearly rules never need the objects, so none are created while
    the model runs unless someone looks.
    """

    def __init__(self, model: Model, agent_type: type[A], store: ColumnStore):
        self._model = model
        self._type = agent_type
        self._store = store
        self._made: dict[int, A] = {}

    def __len__(self) -> int:
        return len(self._store)

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"no {self._type.__name__} {row}; there are {len(self)}")
        agent = self._made.get(row)
        if agent is None:
            agent = self._made[row] = self._type(self._model, row)
        return agent

    def __iter__(self) -> Iterator[A]:
        return (self[i] for i in range(len(self)))

    def made(self) -> dict[int, A]:
        """The views created so far, by row."""
        return self._made

    def renumber(self, new_row: np.ndarray) -> None:
        """Follow :func:`compact`: views of kept rows move to their new rows."""
        made = {}
        for row, agent in self._made.items():
            agent.row = int(new_row[row])
            made[agent.row] = agent
        self._made = made

    def forget(self, rows: np.ndarray) -> None:
        """Rows that no longer stand for an agent (a leader who left): their views leave Mesa."""
        if not self._made:
            return
        for row in np.atleast_1d(rows).tolist():
            agent = self._made.pop(row, None)
            if agent is not None:
                agent.remove()
