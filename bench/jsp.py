"""`python -m bench.jsp FILE|--set SPEC --time-limit S`: job shops in JSPLIB format."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench.instances import JSP_DIR, main, parse_jsplib


def run(argv: Sequence[str] | None = None) -> int:
    return main(
        argv,
        description="Minimise the makespan of JSPLIB job shops.",
        directory=JSP_DIR,
        suffix="",
        parser=parse_jsplib,
    )


if __name__ == "__main__":
    sys.exit(run())
