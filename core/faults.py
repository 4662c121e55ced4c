"""Named crash points for the fault campaign (bench/faults.py).

`GONGDAN_FAULT_POINT=name` makes the process die with `os._exit(137)` (as a
kill -9 would: no cleanup, no flush, no rollback) the `GONGDAN_FAULT_HIT`-th
time (default the first) it reaches the point of that name. Unset, a point
costs one dictionary lookup.

`GONGDAN_FAULT_FILE=path` names a file holding "name [hit]" instead, read at
each point, so that a running process can be armed and disarmed (the fault
campaign arms the process it restarted for the next trial).
"""

from __future__ import annotations

import os
import sys

POINTS = (
    "after_inbox_commit",  # the message is claimed, nothing done yet
    "after_request_commit",  # a change request is stored, the card not yet recorded
    "mid_apply_before_commit",  # order, plan, audit and notices written, not committed
    "after_apply_commit",  # the change is committed, the reply not yet recorded
    "after_report_commit",  # a progress report is committed, the reply not yet recorded
    "after_handled_commit",  # replies recorded and the message handled, not yet answered
    "outbox_after_send_before_mark",  # the platform has the message, the row is not sent
    "nightly_plan_commit",  # the nightly plan is written, not committed
)

_hits: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Die here if the environment (or the fault file) asks for it."""
    point, hit = os.environ.get("GONGDAN_FAULT_POINT"), os.environ.get("GONGDAN_FAULT_HIT", "1")
    armed = os.environ.get("GONGDAN_FAULT_FILE")
    if armed:
        try:
            with open(armed, encoding="utf-8") as f:
                words = f.read().split()
        except OSError:
            words = []
        point, hit = (words + ["", "1"])[:2] if words else (point, hit)
    if point != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(hit or "1"):
        sys.stderr.write(f"GONGDAN_FAULT_POINT {name}: exiting with 137\n")
        sys.stderr.flush()
        os._exit(137)
