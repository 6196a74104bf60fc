"""Sharded runs: a replication split by township across workers gives the same bits."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import scenario

from sim.experiments.metrics import tables_from_records
from sim.experiments.run import run_replications, summarize
from sim.experiments.shards import (
    ShardTask,
    merge_records,
    run_shard,
    run_sharded,
    split_townships,
)

SMALL = ["township.townships=4", "township.villages=8", "township.clusters=2",
         "township.population_per_village=3000", "days=45", "warmup_days=5",
         "disputes.rate_per_1000_year=40", "staff.station_officers=4",
         "staff.community_officers=2", "staff.auxiliaries=6"]
TABLES = ("calls", "disputes", "injuries", "workload", "villages", "visits")


def _digest(results) -> str:
    h = hashlib.sha256(json.dumps(summarize(results), sort_keys=True).encode())
    for r in results:
        for name in TABLES:
            h.update(getattr(r.tables, name).to_csv().encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def scn():
    return scenario(*SMALL, policy="center_office")


@pytest.fixture(scope="module")
def reference(scn):
    return _digest(run_replications(scn, 2))


def test_split_townships_covers_each_once():
    assert split_townships(5, 2) == [(0, 1, 2), (3, 4)]
    assert split_townships(2, 8) == [(0,), (1,)]


def test_merged_shards_equal_the_whole_run(scn, reference):
    # in-process, three uneven shards: the merge alone must restore the whole run
    parts = [run_shard(ShardTask("x", i, k, scn.seed, scn, block))
             for k in range(2) for i, block in enumerate([(0,), (1, 2), (3,)])]
    assert {r["township"] for r in parts[0].workload} == {0}
    whole = run_replications(scn, 2)
    for k in range(2):
        merged = merge_records(parts[3 * k:3 * k + 3])
        want = whole[k].tables
        got = tables_from_records(merged)
        for name in TABLES:
            assert getattr(got, name).equals(getattr(want, name)), name


def test_two_local_workers_give_the_same_bits(scn, reference):
    assert _digest(run_sharded(scn, 2, workers=2)) == reference
    assert _digest(run_sharded(scn, 2, workers=1, shards=3)) == reference


def test_dask_local_cluster_gives_the_same_bits(scn, reference):
    pytest.importorskip("dask.distributed")
    # threads: the same task function, quick to start (processes are covered by the local pool)
    assert _digest(run_sharded(scn, 2, workers=2, backend="dask", shards=2,
                               dask_processes=False)) == reference


def test_run_workers_2_prints_the_same_json_as_one_process():
    from typer.testing import CliRunner

    from sim.cli import app
    pref = str(Path(__file__).resolve().parents[1] / "scenarios" / "prefecture.toml")
    args = ["run", pref, "--json", "--set", "township.townships=2",
            "--set", "days=8", "--set", "warmup_days=1"]
    one = CliRunner().invoke(app, args)
    two = CliRunner().invoke(app, [*args, "--workers", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, two.output
    assert json.loads(one.stdout)["calls"] > 100
    assert two.stdout == one.stdout


MECHANISMS = ["rhythm.enabled=true", "reporting.enabled=true", "households.repeat=true",
              "households.frailty_cv=1.0", "households.failed_mediation_repeats=1.0",
              "acute.age_hazard=true", "acute.quarrel_clocks=true", "acute.fight_duration=true",
              "screening.targeting=risk"]


def test_merged_shards_equal_the_whole_run_with_every_mechanism_on():
    # the issue-15 mechanisms draw per township and by address: a split run is the same run,
    # including the repeats that failed mediations start during the run (numbered after the
    # disputes drawn up front)
    scn = scenario(*SMALL, "days=30", *MECHANISMS, policy="center_office")
    whole = run_replications(scn, 1)[0]
    assert len(whole.tables.reports) and len(whole.tables.cases)  # the mechanisms did act
    parts = [run_shard(ShardTask("x", i, 0, scn.seed, scn, block))
             for i, block in enumerate([(0, 3), (1,), (2,)])]
    merged = merge_records(parts)
    assert any(r.dispute_id >= merged.prepared_disputes for r in merged.disputes)  # late ones
    got = tables_from_records(merged)
    for name in (*TABLES, "cases", "reports"):
        assert getattr(got, name).equals(getattr(whole.tables, name)), name
    assert got.calls["criminal"].equals(whole.tables.calls["criminal"])
