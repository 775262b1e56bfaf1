"""``python -m simulation.batch BATCH.toml [--workers N] [--scheduler ...] [--out DIR]``."""

from .commands import main

if __name__ == "__main__":
    raise SystemExit(main())
