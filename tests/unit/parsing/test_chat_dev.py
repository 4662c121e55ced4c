"""Every line of the shared chat corpora must parse to its expected command.

`chat_dev.jsonl` must read in full; `chat_realistic_dev.jsonl` (phone-style
messages) at 98% or better, and none of its must_not_guess rows may emit a
number or a date in `changes`.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.parse import REALISTIC, agrees, guessed, load, parse_row

ROWS = load()
REAL_ROWS = load(REALISTIC)


@pytest.mark.parametrize("row", ROWS, ids=[r["text"][:40] or "<empty>" for r in ROWS])
def test_chat_dev_line(row: dict[str, Any]) -> None:
    assert agrees(parse_row(row), row), parse_row(row)


def test_chat_dev_exact_rate_at_least_98_percent() -> None:
    failures = [r["text"] for r in ROWS if not agrees(parse_row(r), r)]
    assert 1 - len(failures) / len(ROWS) >= 0.98, failures


def test_chat_realistic_exact_rate_at_least_98_percent() -> None:
    failures = [(r["text"], parse_row(r)) for r in REAL_ROWS if not agrees(parse_row(r), r)]
    rate = 1 - len(failures) / len(REAL_ROWS)
    print(f"chat_realistic_dev exact rate: {rate:.2%} of {len(REAL_ROWS)}")
    assert rate >= 0.98, failures


@pytest.mark.parametrize("row", [r for r in REAL_ROWS if r.get("must_not_guess")],
                         ids=lambda r: r["text"][:40])
def test_must_not_guess_rows_emit_no_number_or_date(row: dict[str, Any]) -> None:
    parsed = parse_row(row)
    assert guessed(parsed) == [], parsed
    assert parsed["intent"] == row["intent"] and parsed["order"] == row["order"]


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
            if not agrees(parse_row(wrapped), row):
                failures.append(wrapped["text"])
    assert failures == []
