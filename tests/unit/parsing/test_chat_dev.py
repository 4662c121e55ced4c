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


#: Chat wrappers that must not change what a message means.
WRAPPERS = [("麻烦", "，谢谢"), ("@工单助手 ", " thx"), ("老王：", "🙏"), ("hi ", "谢谢")]


def test_chat_dev_survives_greetings_and_thanks() -> None:
    """Every command line, wrapped in greetings, mentions and thanks, reads the same."""
    failures = []
    for row in ROWS:
        if row["intent"] in ("confirm", "reject", "help", "unknown", "approve", "deny"):
            continue
        for head, tail in WRAPPERS:
            wrapped = {**row, "text": head + row["text"] + tail}
            if comparable(parse_row(wrapped)) != comparable(row):
                failures.append(wrapped["text"])
    assert failures == []
