"""Where the team's shared data lives: benchmark instances and chat corpora.

CI clones the repository with `shared/` beside it; a developer's checkout has
it in the same place. `GONGDAN_SHARED` overrides both.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    override = os.environ.get("GONGDAN_SHARED")
    if override:
        return Path(override)
    beside = REPO.parent / "shared"
    return beside if beside.is_dir() else Path("/work/shared")


SHARED = shared_dir()
CORPUS = SHARED / "corpus"
BENCH = SHARED / "bench"
