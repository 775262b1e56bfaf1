"""Named random streams derived from one seed.

Each mechanism draws from its own generator (``streams["inspection"]``), spawned from the run's
seed and the stream's name, so adding draws to one mechanism never reshuffles another's and two
scenarios run with the same seed differ by mechanism, not by noise (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np

STREAM_NAMES = (
    "world",
    "setup",
    "inspection",
    "intelligence",
    "quality",
    "leaders",
    "growth",
    "central_team",
    "review",
)


class RandomStreams:
    """A mapping from stream name to :class:`numpy.random.Generator`, all from one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams = {
            name: np.random.default_rng(
                np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),))
            )
            for name in STREAM_NAMES
        }

    def __getitem__(self, name: str) -> np.random.Generator:
        try:
            return self._streams[name]
        except KeyError:
            raise KeyError(
                f"no random stream {name!r}; streams: {', '.join(STREAM_NAMES)}"
            ) from None
