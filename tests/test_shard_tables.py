"""Shards send tables, and the driver merges columns: the same tables as one plain run.

The reference is independent of the column path: one in-process model of every township with
the arrival rows kept, its row records turned into tables by ``tables_from_records`` as before
(no shards, no renumbering, no column merge).
"""

from __future__ import annotations

import pandas as pd
from conftest import scenario
from test_shards import MECHANISMS, SMALL

from sim.experiments.layouts import layouts_for
from sim.experiments.metrics import Tables, tables_from_records
from sim.experiments.shards import ShardTask, _concat, merge_tables, run_shard_tables
from sim.world.model import PolicingModel

FRAMES = ("calls", "disputes", "injuries", "workload", "villages", "visits", "staff", "cases",
          "reports")


def _plain(scn) -> Tables:
    model = PolicingModel(scn, 0, layouts=layouts_for(scn))  # keep_arrivals: as before
    return tables_from_records(model.simulate())


def test_merged_shard_tables_equal_a_plain_run_with_every_mechanism_on():
    scn = scenario(*SMALL, "days=30", *MECHANISMS, policy="center_office")
    want = _plain(scn)
    assert len(want.reports) and len(want.cases) and len(want.injuries)  # all tables used
    parts = [run_shard_tables(ShardTask("x", i, 0, scn.seed, scn, block))
             for i, block in enumerate([(0, 3), (1,), (2,)])]
    assert any(p.tables.disputes["dispute_id"].max() >= p.prepared_disputes for p in parts)
    got = merge_tables(parts)
    assert parts == []  # consumed
    for name in FRAMES:
        a, b = getattr(got, name), getattr(want, name)
        assert list(a.columns) == list(b.columns), name
        assert list(a.dtypes) == list(b.dtypes), name
        assert a.equals(b), name
        assert isinstance(a.index, pd.RangeIndex), name
    for name in ("horizon_min", "warmup_min", "residents", "missed_visits", "period_end_min"):
        assert getattr(got, name) == getattr(want, name), name
    # one shard of every township is the whole run already
    (whole,) = [run_shard_tables(ShardTask("y", 0, 0, scn.seed, scn, (0, 1, 2, 3)))]
    alone = merge_tables([whole])
    assert all(getattr(alone, n).equals(getattr(want, n)) for n in FRAMES)


def test_arrival_rows_are_dropped_as_they_arrive_only_when_asked():
    scn = scenario(*SMALL, "days=10")
    kept = PolicingModel(scn, 0, layouts=layouts_for(scn))
    dropped = PolicingModel(scn, 0, layouts=layouts_for(scn), keep_arrivals=False)
    a, b = tables_from_records(kept.simulate()), tables_from_records(dropped.simulate())
    assert all(getattr(a, n).equals(getattr(b, n)) for n in FRAMES)
    assert kept._dispute_rows[0] is not None and kept._call_rows[0] is not None
    arrived = dropped._dispute_rows[:dropped._next_dispute]
    assert arrived and all(r is None for r in arrived)
    assert all(r is None for r in dropped._call_rows[:dropped._next_call])


def test_concat_infers_column_types_over_all_rows_as_one_frame_would():
    # the oracle is pandas' own inference on every row at once (as the whole run builds it)
    rows_a = [{"t": 1.0, "x": None, "n": 1, "b": True}, {"t": 2.0, "x": None, "n": 2, "b": True}]
    rows_b = [{"t": 3.0, "x": 4.5, "n": 2.5, "b": 1}]
    whole = pd.DataFrame(rows_a + rows_b)
    got = _concat([pd.DataFrame(rows_a), pd.DataFrame([], columns=["t"]),
                   pd.DataFrame(rows_b)])
    assert list(got.dtypes) == list(whole.dtypes)
    assert str(whole["x"].dtype) == "float64" and str(whole["b"].dtype) == "object"
    assert got.equals(whole)
    empty = pd.DataFrame([], columns=["t", "township"])
    assert _concat([empty, pd.DataFrame([], columns=["t"])]) is empty
