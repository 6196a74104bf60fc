"""Mesa's event list, at less cost per event: the same events, in the same order.

Mesa 3.5's ``Model.schedule_event`` builds two weak references per event (one to check the
callback, one inside ``Event``), and its run loop sets ``Model.time`` through an observable
descriptor on every event. This model's events are bound methods whose owners cancel every
pending event before they are dropped (disputes, ``Dispute._end``; responders live for the
whole run), so nothing depends on the references being weak. :class:`FastEvents` keeps Mesa's
``Event`` objects, ordering (time, priority, a global counter) and ``EventList`` interface, and
only trims the bookkeeping: one strong reference per event, called directly by the run loop;
while nobody observes ``time``, time is advanced by writing the observable's storage; and the
heap holds ``(time, priority, unique_id, event)`` tuples (:class:`EventHeap`), which it
compares in C, instead of events, which it compared with ``Event.__lt__``, a Python method
called a dozen times per event in a heap of a few hundred. Anything else (recurring
schedules, observers, another Mesa whose internals differ) goes through Mesa's own code, with
the same results.

The engine also keeps the clock in a plain attribute, :attr:`FastEvents.now`: reading
``model.time`` calls the observable's Python ``__get__`` (about 5% of a run when the model read
it on every decision); ``now`` is the same number, written by the run loop before each event.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heapify, heappop, heappush, nsmallest
from types import MappingProxyType
from typing import Any

from mesa import Model
from mesa.experimental.mesa_signals import ObservableSignals
from mesa.time.events import Event, EventList, Priority

_DEFAULT = Priority.DEFAULT
_CHANGED = ObservableSignals.CHANGED
#: Whether this Mesa keeps ``time`` in ``_time`` and events in ``_event_list._events``, as
#: 3.5 does; if not, every call falls back to Mesa's own methods.
_KNOWN = (getattr(Model.__dict__.get("time"), "private_name", None) == "_time"
          and hasattr(Event, "_ids"))
_NO_KWARGS: MappingProxyType = MappingProxyType({})
_new_event = object.__new__
_ids = getattr(Event, "_ids", None)  # Mesa's event counter (the order of equal-time events)


class _Event(Event):
    """A Mesa event holding its callback by a strong reference (see the module notes).

    Made by :meth:`FastEvents.schedule_event` without ``__init__``; ``fn`` is the callback
    itself (Mesa's ``Event.fn`` is a weak reference to it).
    """

    def __init__(self, time: float, function: Callable[[], None], priority: int) -> None:
        # Event.__init__ without the weak reference (schedule_event sets the same fields)
        self.time = time
        self.priority = priority
        self._canceled = False
        self.fn = function
        self.unique_id = next(_ids)  # Mesa's counter: the same order as Mesa's events
        self.function_args = ()
        self.function_kwargs = _NO_KWARGS

    def execute(self) -> None:
        """Execute this event (Mesa's ``Event.execute``: nothing if cancelled)."""
        if not self._canceled:
            self.fn()

    def __getstate__(self) -> dict[str, Any]:
        """The event's fields (the callback is already a strong reference)."""
        state = self.__dict__.copy()
        state["function_kwargs"] = dict(state["function_kwargs"])  # a mappingproxy: no pickle
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore the fields (no weak reference to rebuild)."""
        self.__dict__.update(state)


class EventHeap(EventList):
    """Mesa's ``EventList`` whose heap holds ``(time, priority, unique_id, event)`` entries.

    ``Event.__lt__`` orders events by exactly these three (the counter breaks every tie), so
    the order is Mesa's; the heap compares the tuples in C and never reaches the events.
    Every method of ``EventList`` is kept, with the same results.
    """

    def __init__(self, events: list[Event] | None = None) -> None:
        """A heap of ``events`` (default: none)."""
        super().__init__()
        self._events: list[tuple[float, int, int, Event]] = [
            (e.time, e.priority, e.unique_id, e) for e in events or ()]
        heapify(self._events)

    def add_event(self, event: Event) -> None:
        """Add the event to the event list."""
        heappush(self._events, (event.time, event.priority, event.unique_id, event))

    def peek_ahead(self, n: int = 1) -> list[Event]:
        """The first ``n`` events that are not cancelled, in order."""
        if self.is_empty():
            raise IndexError("event list is empty")
        return [x[3] for x in nsmallest(n, (x for x in self._events if not x[3].CANCELED))]

    def pop_event(self) -> Event:
        """Pop the first event that is not cancelled."""
        while self._events:
            event = heappop(self._events)[3]
            if not event.CANCELED:
                return event
        raise IndexError("Event list is empty")

    def compact(self) -> None:
        """Drop the cancelled events (in place: a run loop holding the heap keeps it)."""
        self._events[:] = [x for x in self._events if not x[3].CANCELED]
        heapify(self._events)

    def __contains__(self, event: Event) -> bool:
        """Whether ``event`` is on the list and not cancelled."""
        return not event.CANCELED and any(x[3] is event for x in self._events)

    def __len__(self) -> int:
        """The number of events that are not cancelled."""
        return sum(1 for x in self._events if not x[3].CANCELED)

    def __repr__(self) -> str:
        """The events that are not cancelled, as Mesa's ``EventList`` shows them."""
        events_str = ", ".join(
            f"Event(time={e.time}, priority={e.priority}, id={e.unique_id})"
            for _, _, _, e in self._events if not e.CANCELED)
        return f"EventList([{events_str}])"


class FastEvents(Model):
    """A Mesa model whose one-off events cost less to schedule and to run.

    Attributes:
        now: The simulation time, equal to ``time`` whenever model code runs (set before each
            event by the run loop); a plain attribute, read at no cost. Time must advance by
            Mesa's run methods (``run_until``, ``run_for``, ``step``), not by assigning
            ``time``.

    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Mesa's ``Model.__init__``, then the event list as an :class:`EventHeap`."""
        super().__init__(*args, **kwargs)
        self.now: float = self.time
        if _KNOWN:  # the events Mesa scheduled already (its default step schedule) move too
            self._event_list = EventHeap(self._event_list._events)

    def schedule_event(self, function: Callable, *, at: float | None = None,
                       after: float | None = None, priority: Priority = _DEFAULT) -> Event:
        """Mesa's ``schedule_event``, with the same checks and the same event order."""
        if not _KNOWN or not hasattr(function, "__self__"):
            return super().schedule_event(function, at=at, after=after, priority=priority)
        now = self._time
        if at is None:
            if after is None:
                raise ValueError("Specify exactly one of 'at' or 'after'")
            at = now + after
        elif after is not None:
            raise ValueError("Specify exactly one of 'at' or 'after'")
        if at < now:
            raise ValueError(f"Cannot schedule event in the past. Scheduled time is {at}, "
                             f"but current time is {now}")
        # _Event.__init__ inlined: one Python call fewer on the hottest path of a run
        event = _new_event(_Event)
        event.time = at
        event.priority = priority._value_  # .value is a slow enum property
        event._canceled = False
        event.fn = function
        event.unique_id = next(_ids)  # Mesa's counter: the same order as Mesa's own events
        event.function_args = ()
        event.function_kwargs = _NO_KWARGS
        heappush(self._event_list._events, (at, event.priority, event.unique_id, event))
        return event

    def _advance_time(self, until: float) -> None:
        """Mesa's run loop; while nobody observes ``time``, without the observable's cost."""
        if (not _KNOWN or until <= self._time
                or self._has_subscribers("time", _CHANGED)):
            self._advance_observed(until)
            return
        events = self._event_list._events
        fast = _Event
        while events:
            entry = heappop(events)
            event = entry[3]
            if event._canceled:
                continue
            t = entry[0]
            if t > until:
                heappush(events, entry)
                break
            self._time = self.now = t
            if type(event) is fast:
                event.fn()
            else:
                event.execute()
        self.now = until
        self.time = until

    def _advance_observed(self, until: float) -> None:
        """Mesa's own run loop (time set through the observable), keeping ``now`` with it."""
        if until <= self.time:
            super()._advance_time(until)  # Mesa's warning, nothing run
            return
        event_list = self._event_list
        while True:
            try:
                event = event_list.pop_event()
            except IndexError:
                break
            if event.time <= until:
                self.now = event.time
                self.time = event.time
                event.execute()
            else:
                event_list.add_event(event)
                break
        self.now = until
        self.time = until

