"""Struct-of-arrays storage behind array-backed agents.

Thousands of schools and leaders are updated each year with numpy operations on whole
columns; the Mesa agent objects are thin views that read and write one row. This keeps the
yearly step linear in the number of schools with a small constant.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


class ColumnStore:
    """Named numpy columns of equal length that can grow by appending rows.

    Attribute access (``store.quality``) returns a view of the rows in use, so in-place
    numpy updates (``store.quality[mask] += 1``) write through.
    """

    def __init__(self, spec: Mapping[str, tuple[type | str, object]], capacity: int = 16):
        self._spec = dict(spec)
        self._capacity = max(1, capacity)
        self._n = 0
        self._data = {
            name: np.full(self._capacity, fill, dtype=dtype) for name, (dtype, fill) in spec.items()
        }
        self._refresh_views()

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
            for name, (dtype, fill) in self._spec.items():
                grown = np.full(new_cap, fill, dtype=dtype)
                grown[: self._n] = self._data[name][: self._n]
                self._data[name] = grown
            self._capacity = new_cap
        rows = np.arange(self._n, needed)
        self._n = needed
        for name, (_dtype, fill) in self._spec.items():
            self._data[name][rows] = values.get(name, fill)
        self._refresh_views()
        return rows


def column_property(store: str, name: str) -> property:
    """A property of an array-backed agent reading and writing its row of ``model.<store>``."""

    def fget(agent):
        return getattr(agent.model, store)._data[name][agent.row].item()

    def fset(agent, value) -> None:
        getattr(agent.model, store)._data[name][agent.row] = value

    return property(fget, fset, doc=f"This agent's ``{name}`` column.")
