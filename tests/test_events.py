"""The engine's event list (sim/world/events.py) runs what Mesa's own would, in the same order.

Each test runs the same script of events on a plain Mesa ``Model`` (the reference: Mesa's
``schedule_event``, ``Event`` and run loop) and on a :class:`FastEvents` model, and compares
what happened, event by event: the times, which callback ran, what each callback saw as
``model.time`` (and, on the fast side, ``model.now``) and what an observer of ``time`` saw.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mesa import Model
from mesa.experimental.mesa_signals import ObservableSignals
from mesa.time import Priority, Schedule
from mesa.time.events import Event, EventList

from sim.world.events import EventHeap, FastEvents, _Event

_PRIORITIES = (Priority.HIGH, Priority.DEFAULT, Priority.LOW)


class _Actor:
    """Callbacks as bound methods (the engine's events), logging what they see."""

    def __init__(self, model: Model, name: str, log: list, follow_up: dict) -> None:
        self.model, self.name, self.log, self.follow_up = model, name, log, follow_up

    def act(self) -> None:
        m = self.model
        self.log.append((self.name, m.time, getattr(m, "now", m.time)))
        nxt = self.follow_up.get(self.name)
        if nxt is not None:  # an event scheduling another, as the model's do
            after, priority = nxt
            m.schedule_event(self.act_again, after=after, priority=priority)

    def act_again(self) -> None:
        m = self.model
        self.log.append((self.name + "'", m.time, getattr(m, "now", m.time)))

    def tick(self) -> None:
        m = self.model
        self.log.append(("tick", m.time, getattr(m, "now", m.time)))


def _script(model_cls, plan, cancel, follow_up, until, observe=False, recurring=None):
    model = model_cls(rng=1)
    log: list = []
    seen: list = []
    if observe:
        def watch(signal):
            kw = signal.additional_kwargs
            seen.append((kw["old"], kw["new"], getattr(model, "now", kw["new"])))
        model._watch = watch  # observers are held weakly
        model.observe("time", ObservableSignals.CHANGED, watch)
    actors, events = [], []
    for i, (t, prio) in enumerate(plan):
        a = _Actor(model, f"e{i}", log, follow_up)
        actors.append(a)
        events.append(model.schedule_event(a.act, at=t, priority=_PRIORITIES[prio]))
    if recurring is not None:
        ticker = _Actor(model, "tick", log, {})
        actors.append(ticker)
        model.schedule_recurring(ticker.tick, Schedule(interval=recurring, start=recurring),
                                 priority=Priority.HIGH)
    for i in cancel:
        if i < len(events):
            events[i].cancel()
    model.run_until(until / 2)  # in two legs: the first leaves events pending for the second
    log.append(("leg", model.time, getattr(model, "now", model.time)))
    model.run_until(until)
    return log, seen, model.time, getattr(model, "now", model.time), actors, model.steps


_plans = st.lists(st.tuples(st.sampled_from([0.0, 1.0, 2.5, 2.5, 4.0, 7.25, 9.0, 12.0]),
                            st.integers(0, 2)), max_size=25)


@settings(max_examples=60, deadline=None)
@given(plan=_plans, cancel=st.sets(st.integers(0, 24), max_size=5),
       follow=st.dictionaries(st.sampled_from([f"e{i}" for i in range(25)]),
                              st.tuples(st.sampled_from([0.0, 0.5, 3.0]),
                                        st.sampled_from(_PRIORITIES)), max_size=8),
       until=st.sampled_from([5.0, 10.0, 20.0]), recurring=st.sampled_from([None, 2.5, 4.0]))
def test_same_events_in_the_same_order_as_mesa(plan, cancel, follow, until, recurring):
    want = _script(Model, plan, cancel, follow, until, recurring=recurring)
    got = _script(FastEvents, plan, cancel, follow, until, recurring=recurring)
    # Mesa's model has no ``now``: its entries repeat ``time`` there, so equal logs also
    # say that ``now`` equalled ``time`` in every callback of the fast model
    assert got[0] == want[0]
    assert got[2] == want[2] == until and got[3] == until
    assert got[5] == want[5]  # Mesa's own step schedule ran as often


@settings(max_examples=25, deadline=None)
@given(plan=_plans, until=st.sampled_from([5.0, 10.0]))
def test_an_observer_of_time_sees_what_it_sees_under_mesa(plan, until):
    want = _script(Model, plan, (), {}, until, observe=True)
    got = _script(FastEvents, plan, (), {}, until, observe=True)
    assert got[0] == want[0]
    assert got[1] == want[1]  # every change of time, old and new value (and ``now``: new)
    assert len(want[1]) >= 1  # the observer was called (at least for the run's end)


def test_runs_resume_and_keep_now_with_time():
    log: list = []
    model = FastEvents(rng=1)
    model._default_schedule.stop()  # as PolicingModel does: only these events
    actors = [_Actor(model, n, log, {}) for n in "abc"]
    for a, t in zip(actors, (1.0, 3.0, 3.0), strict=True):
        model.schedule_event(a.act, at=t)
    model.run_until(2.0)
    assert (model.time, model.now) == (2.0, 2.0)
    assert log == [("a", 1.0, 1.0)]
    model.run_for(3.0)
    assert (model.time, model.now) == (5.0, 5.0)
    assert log[1:] == [("b", 3.0, 3.0), ("c", 3.0, 3.0)]  # equal times: scheduling order


def test_schedule_event_checks_as_mesa_does():
    model = FastEvents(rng=1)
    a = _Actor(model, "a", [], {})
    model.run_until(5.0)
    for kwargs in ({}, {"at": 6.0, "after": 1.0}):
        with pytest.raises(ValueError, match="exactly one"):
            model.schedule_event(a.act, **kwargs)
    with pytest.raises(ValueError, match="in the past"):
        model.schedule_event(a.act, at=4.0)
    assert model.schedule_event(a.act, after=1.0).time == 6.0


def test_plain_functions_keep_mesa_weak_references():
    # only bound methods take the fast path; anything else is Mesa's own event
    model = FastEvents(rng=1)
    ran = []

    def f():
        ran.append(model.time)

    ev = model.schedule_event(f, at=1.0)
    assert type(ev) is not _Event
    bound = model.schedule_event(_Actor(model, "a", ran, {}).act, at=2.0)
    assert type(bound) is _Event
    model.run_until(3.0)
    assert ran == [1.0, ("a", 2.0, 2.0)]


class _Counter:
    """A picklable callback owner."""

    def __init__(self) -> None:
        self.count = 0

    def bump(self) -> None:
        self.count += 1


def test_a_cancelled_event_does_not_run_and_events_pickle():
    model = FastEvents(rng=1)
    a, b = _Counter(), _Counter()
    ea = model.schedule_event(a.bump, at=1.0)
    eb = model.schedule_event(b.bump, at=2.0)
    ea.cancel()
    ea.execute()
    model.run_until(3.0)
    assert (a.count, b.count) == (0, 1)
    copy = pickle.loads(pickle.dumps(eb))
    assert (copy.time, copy.priority, copy.unique_id) == (eb.time, eb.priority, eb.unique_id)
    copy.execute()  # runs the copied owner's method (a strong reference, not a weak one)
    assert (copy.fn.__self__.count, b.count) == (2, 1)


@settings(max_examples=40, deadline=None)
@given(plan=_plans, cancel=st.sets(st.integers(0, 24), max_size=6), n=st.integers(1, 6))
def test_the_event_heap_answers_as_mesas_event_list(plan, cancel, n):
    mesa_list, heap = EventList(), EventHeap()
    owner = _Counter()
    events = [Event(t, owner.bump, priority=_PRIORITIES[p]) for t, p in plan]
    for e in events:
        mesa_list.add_event(e)
        heap.add_event(e)
    for i in cancel:
        if i < len(events):
            events[i].cancel()
    assert len(heap) == len(mesa_list)
    assert heap.is_empty() == mesa_list.is_empty()
    assert repr(heap) == repr(mesa_list)
    assert all((e in heap) == (e in mesa_list) for e in events)
    if not mesa_list.is_empty():
        assert heap.peek_ahead(n) == mesa_list.peek_ahead(n)
    heap.compact()
    assert len(heap._events) == len(mesa_list)  # the cancelled ones are gone
    popped = []
    while not mesa_list.is_empty():
        popped.append((mesa_list.pop_event(), heap.pop_event()))
    assert all(a is b for a, b in popped)
    for empty in (mesa_list, heap):
        with pytest.raises(IndexError):
            empty.pop_event()


def test_an_empty_heap_raises_as_mesas_event_list_does():
    # Mesa's EventList.pop_event raises IndexError("Event list is empty"); the same message,
    # so code catching Mesa's error reads ours alike
    with pytest.raises(IndexError, match=r"^Event list is empty$"):
        EventList().pop_event()
    with pytest.raises(IndexError, match=r"^Event list is empty$"):
        EventHeap().pop_event()
