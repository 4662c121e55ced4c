"""The parsers read the shipped benchmark files as their documentation describes."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("numba")  # the makespan solver is the [bench] extra

from bench.instances import (
    FJSP_DIR,
    JSP_DIR,
    expand_set,
    known_bounds,
    paired_summary,
    parse_brandimarte,
    parse_jsplib,
    spread_summary,
)
from bench.jsp import run as main_jsp


def test_jsplib_ft06_shape_and_first_operation() -> None:
    instance = parse_jsplib(JSP_DIR / "ft06")
    assert instance.name == "ft06"
    assert (len(instance.jobs), instance.num_machines) == (6, 6)
    assert all(len(job) == 6 for job in instance.jobs)
    first = instance.jobs[0][0].alternatives
    assert [(a.machine, a.duration) for a in first] == [(2, 1)]
    assert not instance.is_flexible


@pytest.mark.parametrize("name", ["ta51", "ta71", "la40", "abz5"])
def test_jsplib_sizes_match_the_index(name: str) -> None:
    instance = parse_jsplib(JSP_DIR / name)
    index = {e["name"]: e for e in json.loads((JSP_DIR / "instances.json").read_text())}
    assert len(instance.jobs) == index[name]["jobs"]
    assert instance.num_machines == index[name]["machines"]
    assert all(len(job) == instance.num_machines for job in instance.jobs)


@pytest.mark.parametrize("k", range(1, 11))
def test_brandimarte_text_matches_its_json_twin(k: int) -> None:
    instance = parse_brandimarte(FJSP_DIR / f"mk{k:02d}.txt")
    twin = json.loads((FJSP_DIR / f"mk{k:02d}.json").read_text())
    assert instance.num_machines == twin["machines"]
    expected = [
        [[(a["machine"], a["processing"]) for a in op] for op in job] for job in twin["jobs"]
    ]
    got = [
        [[(a.machine, a.duration) for a in op.alternatives] for op in job] for job in instance.jobs
    ]
    assert got == expected


def test_known_bounds_prefer_the_merged_table() -> None:
    ft10 = known_bounds("ft10")
    assert ft10 is not None and ft10.upper == 930
    ta41 = known_bounds("ta41")
    assert ta41 is not None and ta41.lower < ta41.upper
    assert known_bounds("no-such") is None


def test_set_ranges_expand_with_their_width() -> None:
    assert expand_set("la36-la38,ta01-ta02,ft10", []) == [
        "la36",
        "la37",
        "la38",
        "ta01",
        "ta02",
        "ft10",
    ]
    assert expand_set("all", ["a", "b"]) == ["a", "b"]


def test_paired_summary_lists_only_instances_where_plain_ended_lower() -> None:
    rows: list[dict[str, object]] = [
        {"instance": "a", "makespan": 1224, "plain_makespan": 1222, "plain_gap_pct": 0.0},
        {"instance": "b", "makespan": 1196, "plain_makespan": 1207, "plain_gap_pct": 0.92},
        {"instance": "c", "makespan": 930, "plain_makespan": 930, "plain_gap_pct": 0.0},
        {"instance": "d", "makespan": 1300},  # the plain run found nothing to compare
    ]
    summary = paired_summary(rows)
    assert summary["worse_than_plain"] == [{"instance": "a", "makespan": 1224, "plain": 1222}]
    assert summary["plain_mean_gap_pct"] == round((0.0 + 0.92 + 0.0) / 3, 3)
    assert summary["plain_optimal_or_best_known_reached"] == 2


def test_spread_summary_compares_the_models_per_instance_over_seeds() -> None:
    rows: list[dict[str, object]] = [
        {"instance": "a", "seed": 0, "makespan": 1224, "plain_makespan": 1222},
        {"instance": "a", "seed": 1, "makespan": 1224, "plain_makespan": 1229},
        {"instance": "a", "seed": 2, "makespan": 1222, "plain_makespan": 1231},
        {"instance": "b", "seed": 0, "makespan": 1199, "plain_makespan": 1196},
        {"instance": "b", "seed": 1, "makespan": 1196, "plain_makespan": 1196},
        {"instance": "b", "seed": 2, "makespan": 1210},  # the plain run found nothing
    ]
    summary = spread_summary(rows)
    a, b = summary["per_instance"]  # type: ignore[misc]
    assert a == {
        "instance": "a",
        "makespans": [1224, 1224, 1222],
        "plain_makespans": [1222, 1229, 1231],
        "mean": 1223.33,
        "plain_mean": 1227.33,
        "median": 1224,
        "plain_median": 1229,
        "worst": 1224,
        "plain_worst": 1231,
    }
    assert b["makespans"] == [1199, 1196] and b["median"] == 1197.5
    assert summary["worse_than_plain_on"] == {"mean": ["b"], "median": ["b"], "worst": ["b"]}
    # one paired run of "a" is lost, which the per-run list still shows, with its seed
    assert paired_summary(rows)["worse_than_plain"] == [
        {"instance": "a", "seed": 0, "makespan": 1224, "plain": 1222},
        {"instance": "b", "seed": 0, "makespan": 1199, "plain": 1196},
    ]


def test_a_run_over_seeds_prints_one_row_per_seed_and_the_spread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["ft06", "--seeds", "3-4", "--time-limit", "1", "--workers", "1", "--paired"]
    assert main_jsp(argv) == 0
    *rows, summary = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert [(r["instance"], r["seed"], r["makespan"]) for r in rows] == [
        ("ft06", 3, 55),
        ("ft06", 4, 55),
    ]
    assert summary["instances"] == 1 and summary["runs"] == 2 and summary["seeds"] == [3, 4]
    [entry] = summary["per_instance"]
    assert entry["makespans"] == [55, 55] and entry["plain_makespans"] == [55, 55]
    assert summary["worse_than_plain_on"] == {"mean": [], "median": [], "worst": []}


def test_a_bad_seed_range_is_refused_before_any_solve() -> None:
    with pytest.raises(SystemExit, match="empty range"):
        main_jsp(["ft06", "--seeds", "4-2"])


def test_paired_run_prints_both_models_per_instance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main_jsp(["--set", "ft06", "--time-limit", "1", "--workers", "1", "--paired"]) == 0
    row, summary = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert row["instance"] == "ft06" and row["plain_makespan"] == 55
    assert summary["worse_than_plain"] == [] and summary["plain_mean_gap_pct"] == 0.0


def test_paired_and_plain_together_are_refused_before_any_solve() -> None:
    with pytest.raises(SystemExit, match="drop --plain"):
        main_jsp(["ft06", "--paired", "--plain"])
