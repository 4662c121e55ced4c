"""A short run of the fault campaign (bench/faults.py): every crash point once, per database.

A real `gongdan demo` process is killed at each named point (and once at
random), restarted on the same database, and WeCom's retries are played; no
message may go unanswered or be answered twice, no change applied twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.faults import POINTS, campaign

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_every_crash_point_once_loses_and_doubles_nothing(db: str, tmp_path: Path) -> None:
    result = await campaign(db, len(POINTS), seed=7, workdir=tmp_path)
    log = (tmp_path / "server.log").read_text(errors="replace")[-3000:]
    assert result["violations"] == {}, (result, log)
    assert result["lost"] == result["doubled"] == 0
    assert result["deaths"] >= len(POINTS) - 2, result  # a point a request may not reach
