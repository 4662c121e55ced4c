"""The multi-process callback bench, once at a low rate: two demo processes behind its
round-robin proxy answer every WeCom callback exactly once (bench/callback_procs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.callback_procs import campaign

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


async def test_two_processes_answer_every_callback_once(tmp_path: Path) -> None:
    result = await campaign([2], [5.0], 2.0, tmp_path, target=5.0)
    [step] = result["steps"]
    assert step["procs"] == 2 and step["errors"] == 0 and step["quiet"]
    assert step["handled"] == step["messages"]
    assert step["lost"] == 0 and step["duplicates"] == 0
