"""`python -m bench.fjsp FILE|--set SPEC --time-limit S`: Brandimarte flexible job shops."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench.instances import FJSP_DIR, main, parse_brandimarte


def run(argv: Sequence[str] | None = None) -> int:
    return main(
        argv,
        description="Minimise the makespan of Brandimarte flexible job shops.",
        directory=FJSP_DIR,
        suffix=".txt",
        parser=parse_brandimarte,
    )


if __name__ == "__main__":
    sys.exit(run())
