"""Every line of the shared chat corpus must parse to its expected command."""

from __future__ import annotations

from typing import Any

import pytest

from bench.parse import comparable, load, parse_row

ROWS = load()


@pytest.mark.parametrize("row", ROWS, ids=[r["text"][:40] or "<empty>" for r in ROWS])
def test_chat_dev_line(row: dict[str, Any]) -> None:
    assert comparable(parse_row(row)) == comparable(row)


def test_chat_dev_exact_rate_at_least_98_percent() -> None:
    failures = [r["text"] for r in ROWS if comparable(parse_row(r)) != comparable(r)]
    assert 1 - len(failures) / len(ROWS) >= 0.98, failures
