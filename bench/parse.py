"""Parser accuracy and latency on the chat corpus: `python -m bench.parse`.

Prints one JSON line: median_ms, p95_ms (over messages; each message's time is
the median of --rounds runs, after the accuracy pass has warmed up), messages,
exact_rate (intent, order and the intent's keys equal to the file).
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


def parse_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return parse_text(row["text"], datetime.fromisoformat(row["now"])).to_contract_dict()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    rows = load(args.corpus)
    prepared = [(row["text"], datetime.fromisoformat(row["now"])) for row in rows]
    exact = sum(comparable(parse_row(row)) == comparable(row) for row in rows)
    samples: list[list[float]] = [[] for _ in prepared]
    for _ in range(args.rounds):
        for i, (text, now) in enumerate(prepared):
            start = time.perf_counter()
            parse_text(text, now)
            samples[i].append((time.perf_counter() - start) * 1000)
    # Each message's latency is its median over the rounds, so a time slice
    # lost to another process on a shared machine does not count as parsing.
    timings = sorted(statistics.median(s) for s in samples)
    print(json.dumps({
        "median_ms": round(statistics.median(timings), 4),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 4),
        "messages": len(rows),
        "exact_rate": round(exact / len(rows), 4),
    }))


if __name__ == "__main__":
    main()
