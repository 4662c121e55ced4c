"""`python -m bench.tabu`: the tabu search alone, with its settings taken from the command line."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("numba")  # the makespan solver is the [bench] extra

from bench.instances import parse_seeds
from bench.tabu import parse_settings, run


def test_runs_once_per_seed_with_the_given_settings(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--set", "ft10", "--seeds", "2-3", "--time-limit", "30"]
    assert run([*argv, "--setting", "max_iterations=50", "--setting", "insertions=0"]) == 0
    row, summary = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert row["instance"] == "ft10" and row["iterations"] == [50, 50]
    assert all(m >= 930 for m in row["makespans"]) and row["optimum_or_best_known"] == 930
    assert summary["runs"] == 2 and summary["seeds"] == [2, 3]
    assert summary["settings"]["max_iterations"] == 50
    assert summary["settings"]["insertions"] is False


@pytest.mark.parametrize("pair", ["tenure", "elite=ten", "elite"])
def test_a_bad_setting_is_refused_by_name(pair: str) -> None:
    with pytest.raises(SystemExit, match="--setting"):
        parse_settings([pair])


def test_seed_ranges() -> None:
    assert parse_seeds("4") == [4] and parse_seeds("0-2") == [0, 1, 2]
    for bad in ("2-1", "a-b"):
        with pytest.raises(SystemExit, match="--seeds"):
            parse_seeds(bad)
