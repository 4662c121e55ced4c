"""Parser accuracy and latency on the chat corpora: `python -m bench.parse`.

Prints one JSON object: per corpus file its messages and exact_rate (intent,
order and the intent's keys equal to the file) and, for the realistic file,
`guessed` (must_not_guess rows whose `changes` carry a number or date); then
median_ms and p95_ms over every message (each message's time is the median of
--rounds runs, after the accuracy pass has warmed up).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.shared import CORPUS as CORPUS_DIR
from bot.parsing import parse_text

CORPUS = CORPUS_DIR / "chat_dev.jsonl"
REALISTIC = CORPUS_DIR / "chat_realistic_dev.jsonl"
#: Keys compared besides intent and order, per the corpus README.
COMPARED = ("changes", "operation", "quantity", "scrap", "ref")
#: Change-item keys that belong to the contract (extras such as `canonical` are ignored).
CHANGE_KEYS = ("field", "key", "value", "delta", "delta_days", "unit")


def load(path: Path = CORPUS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def comparable(row: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a command the corpus pins down."""
    out: dict[str, Any] = {"intent": row.get("intent"), "order": row.get("order")}
    for key in COMPARED:
        if key in row:
            out[key] = row[key]
    if "changes" in out and isinstance(out["changes"], list):
        out["changes"] = [{k: c[k] for k in CHANGE_KEYS if k in c} for c in out["changes"]]
    return out


def agrees(parsed: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    """`parsed` says what `row` expects.

    The contract makes a quantity's `unit` optional, and the realistic corpus
    leaves it out where the message has one ("减掉15套"); an expected item
    without `unit` therefore does not pin the unit down. Everything else must
    be equal.
    """
    got, want = comparable(parsed), comparable(row)
    if isinstance(got.get("changes"), list) and isinstance(want.get("changes"), list):
        got["changes"] = [
            {k: v for k, v in g.items() if k != "unit" or "unit" in w}
            for g, w in zip(got["changes"], want["changes"], strict=False)
        ] + got["changes"][len(want["changes"]):]
    return got == want


def guessed(parsed: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Change items carrying a number or a date: wrong on a must_not_guess row."""
    return [c for c in parsed.get("changes") or []
            if c.get("field") in ("quantity", "due_date")]


def parse_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return parse_text(row["text"], datetime.fromisoformat(row["now"])).to_contract_dict()


def _accuracy(rows: list[dict[str, Any]]) -> dict[str, Any]:
    exact = sum(agrees(parse_row(row), row) for row in rows)
    out: dict[str, Any] = {"messages": len(rows), "exact_rate": round(exact / len(rows), 4)}
    strict = [row for row in rows if row.get("must_not_guess")]
    if strict:
        out["must_not_guess"] = len(strict)
        out["guessed"] = sum(bool(guessed(parse_row(row))) for row in strict)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, action="append",
                        help=f"a corpus file (repeatable); default {CORPUS.name} and "
                             f"{REALISTIC.name}")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    paths: list[Path] = args.corpus or [CORPUS, REALISTIC]
    corpora = {path.name: load(path) for path in paths}
    report: dict[str, Any] = {name: _accuracy(rows) for name, rows in corpora.items()}
    prepared = [(row["text"], datetime.fromisoformat(row["now"]))
                for rows in corpora.values() for row in rows]
    samples: list[list[float]] = [[] for _ in prepared]
    for _ in range(args.rounds):
        for i, (text, now) in enumerate(prepared):
            start = time.perf_counter()
            parse_text(text, now)
            samples[i].append((time.perf_counter() - start) * 1000)
    # Each message's latency is its median over the rounds, so a time slice
    # lost to another process on a shared machine does not count as parsing.
    timings = sorted(statistics.median(s) for s in samples)
    report.update({
        "median_ms": round(statistics.median(timings), 4),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 4),
        "messages": len(prepared),
    })
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
