"""Window definitions as Kafka Streams defines them (``org.apache.kafka.streams.kstream``).

* :class:`TimeWindows` — tumbling (advance = size) and hopping windows ``[N * advance, N * advance +
  size)``, start inclusive, end exclusive. ``windows_for(t)`` is Kafka's own formula:
  the first start is ``max(0, t - size + advance) // advance * advance``, then every ``advance`` up
  to ``t``. A 5-minute window advancing by 1 minute puts each record in 5 windows.
* :class:`SlidingWindows` — windows of a fixed *time difference*, both ends inclusive, created
  where records are (each record's own window ``[t - d, t]``, and the window just after it).
* :class:`SessionWindows` — per-key sessions closed by an inactivity gap; both ends inclusive.
* :class:`JoinWindows` — for stream-stream joins: records within ``before`` / ``after`` ms.

**Grace.** A window accepts records until *stream time* (the largest timestamp the operator has
seen) reaches ``window end + grace``; later records are dropped and counted by the task's
``dropped-records`` sensor. Kafka 3.0 (KIP-633) made the grace explicit:
``of_size_with_no_grace`` / ``of_size_and_grace``. The old ``TimeWindows.of(size)`` — still in the
study guide — gave a grace of ``max(24 h - size, 0)`` (``Windows.DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD``)
and was removed in Kafka 4.0 (KAFKA-16332); kafkalab keeps it, with a warning, so the guide's code
runs and shows what it did.

>>> w = TimeWindows.of_size_with_no_grace(300_000).advance_by(60_000)
>>> [s // 60_000 for s in w.windows_for(12 * 60_000)]
[8, 9, 10, 11, 12]

Sources: ``TimeWindows.java``, ``SlidingWindows.java``, ``SessionWindows.java``, ``JoinWindows.java``,
``Windows.java`` (grace defaults) in apache/kafka ``streams/src/main/java/org/apache/kafka/streams/kstream``.
"""
from __future__ import annotations

import warnings
from datetime import timedelta

from .errors import IllegalArgumentException, IllegalStateException

DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD = 24 * 60 * 60 * 1000
NO_GRACE_PERIOD = 0


def to_ms(d, name: str = "duration") -> int:
    """Milliseconds from a ``timedelta``, an int (ms) or a :class:`Duration` value."""
    if isinstance(d, timedelta):
        return int(d / timedelta(milliseconds=1))
    if isinstance(d, bool) or not isinstance(d, int):
        raise IllegalArgumentException(f"Invalid value for parameter \"{name}\" (value was: {d!r}). "
                                       "It must be a datetime.timedelta or an int number of milliseconds.")
    return d


class Duration:
    """``java.time.Duration`` factories returning ``timedelta``s: ``Duration.of_minutes(5)``."""

    @staticmethod
    def of_millis(ms: int) -> timedelta:
        return timedelta(milliseconds=ms)

    @staticmethod
    def of_seconds(s: int) -> timedelta:
        return timedelta(seconds=s)

    @staticmethod
    def of_minutes(m: int) -> timedelta:
        return timedelta(minutes=m)

    @staticmethod
    def of_hours(h: int) -> timedelta:
        return timedelta(hours=h)

    @staticmethod
    def of_days(d: int) -> timedelta:
        return timedelta(days=d)

    ZERO = timedelta(0)


# ------------------------------------------------------------------------------------------------
# Windows of data: Window, TimeWindow, SessionWindow, Windowed


class Window:
    """``org.apache.kafka.streams.kstream.Window``: ``[start, end]`` in ms."""

    __slots__ = ("end", "start")

    def __init__(self, start_ms: int, end_ms: int):
        if start_ms < 0:
            raise IllegalArgumentException("Window startMs time cannot be negative.")
        if end_ms < start_ms:
            raise IllegalArgumentException("Window endMs time cannot be smaller than window startMs time.")
        self.start = start_ms
        self.end = end_ms

    def overlap(self, other: Window) -> bool:
        raise NotImplementedError

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.start == self.start and other.end == self.end

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    def __repr__(self) -> str:
        return f"Window{{startMs={self.start}, endMs={self.end}}}"


class TimeWindow(Window):
    """A time window ``[start, end)``: start inclusive, end exclusive."""

    __slots__ = ()

    def __init__(self, start_ms: int, end_ms: int):
        super().__init__(start_ms, end_ms)
        if start_ms == end_ms:
            raise IllegalArgumentException("Window endMs must be greater than window startMs.")

    def overlap(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end


class SessionWindow(Window):
    """A session window ``[start, end]``, both inclusive (a single record is ``[t, t]``)."""

    __slots__ = ()

    def overlap(self, other: Window) -> bool:
        return not (other.end < self.start or self.end < other.start)


class Windowed:
    """``Windowed<K>``: a key and its window; prints as Kafka does, ``[key@start/end]``."""

    __slots__ = ("key", "window")

    def __init__(self, key, window: Window):
        self.key = key
        self.window = window

    def __eq__(self, other) -> bool:
        return isinstance(other, Windowed) and other.key == self.key and other.window == self.window

    def __hash__(self) -> int:
        return hash((self.key, self.window))

    def __lt__(self, other: Windowed) -> bool:
        return (self.window.start, self.window.end, str(self.key)) < (other.window.start, other.window.end,
                                                                      str(other.key))

    def __repr__(self) -> str:
        return f"[{self.key}@{self.window.start}/{self.window.end}]"


# ------------------------------------------------------------------------------------------------
# Window specifications


class TimeWindows:
    """Fixed-size windows, tumbling or hopping (``TimeWindows`` in Kafka)."""

    def __init__(self, size_ms: int, advance_ms: int, grace_ms: int, has_set_grace: bool):
        if size_ms <= 0:
            raise IllegalArgumentException("Window size (sizeMs) must be larger than zero.")
        if advance_ms <= 0 or advance_ms > size_ms:
            raise IllegalArgumentException(
                "Window advancement interval should be more than zero and less than window duration which is "
                f"{size_ms} ms, but given advancement interval is: {advance_ms} ms")
        if grace_ms < 0:
            raise IllegalArgumentException("Grace period must not be negative.")
        self.size_ms = size_ms
        self.advance_ms = advance_ms
        self._grace_ms = grace_ms
        self._has_set_grace = has_set_grace

    @classmethod
    def of_size_with_no_grace(cls, size) -> TimeWindows:
        """Tumbling windows of ``size``, grace 0: a record after its window's end is dropped."""
        return cls.of_size_and_grace(size, NO_GRACE_PERIOD)

    @classmethod
    def of_size_and_grace(cls, size, after_window_end) -> TimeWindows:
        """Tumbling windows of ``size`` that accept records until ``window end + after_window_end``."""
        s = to_ms(size, "size")
        return cls(s, s, to_ms(after_window_end, "afterWindowEnd"), True)

    @classmethod
    def of(cls, size) -> TimeWindows:
        """Deprecated in Kafka 3.0, removed in 4.0: grace = ``max(24 h - size, 0)``."""
        warnings.warn("TimeWindows.of() was deprecated in Kafka 3.0 (KIP-633) and removed in 4.0: its grace period "
                      "is 24 h minus the window size. Use of_size_with_no_grace() or of_size_and_grace().",
                      DeprecationWarning, stacklevel=2)
        s = to_ms(size, "size")
        return cls(s, s, max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - s, 0), False)

    def advance_by(self, advance) -> TimeWindows:
        """Hopping windows: the same size, a new window every ``advance``."""
        return TimeWindows(self.size_ms, to_ms(advance, "advance"), self._grace_ms, self._has_set_grace)

    def grace(self, after_window_end) -> TimeWindows:
        """Deprecated (with ``of``); not allowed after ``of_size_and_grace``/``of_size_with_no_grace``."""
        if self._has_set_grace:
            raise IllegalStateException(
                "Cannot call grace() after setting grace value via ofSizeAndGrace or ofSizeWithNoGrace.")
        return TimeWindows(self.size_ms, self.advance_ms, to_ms(after_window_end, "afterWindowEnd"), False)

    def grace_period_ms(self) -> int:
        return self._grace_ms

    def size(self) -> int:
        return self.size_ms

    def windows_for(self, timestamp: int) -> dict[int, TimeWindow]:
        """``{window start: TimeWindow}`` of every window that contains ``timestamp``, oldest first."""
        size, adv = self.size_ms, self.advance_ms
        start = (max(0, timestamp - size + adv) // adv) * adv
        out = {}
        while start <= timestamp:
            out[start] = TimeWindow(start, start + size)
            start += adv
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, TimeWindows) and (other.size_ms, other.advance_ms, other._grace_ms) == (
            self.size_ms, self.advance_ms, self._grace_ms)

    def __hash__(self) -> int:
        return hash((self.size_ms, self.advance_ms, self._grace_ms))

    def __repr__(self) -> str:
        return f"TimeWindows{{, sizeMs={self.size_ms}, advanceMs={self.advance_ms}, graceMs={self._grace_ms}}}"


class SlidingWindows:
    """Sliding windows of a time difference ``d``: ``[t - d, t]`` windows that exist where records are."""

    def __init__(self, time_difference_ms: int, grace_ms: int):
        if time_difference_ms < 0:
            raise IllegalArgumentException("Window time difference must not be negative.")
        if grace_ms < 0:
            raise IllegalArgumentException("Window grace period must not be negative.")
        self._time_difference_ms = time_difference_ms
        self._grace_ms = grace_ms

    @classmethod
    def of_time_difference_with_no_grace(cls, time_difference) -> SlidingWindows:
        return cls.of_time_difference_and_grace(time_difference, NO_GRACE_PERIOD)

    @classmethod
    def of_time_difference_and_grace(cls, time_difference, after_window_end) -> SlidingWindows:
        return cls(to_ms(time_difference, "timeDifference"), to_ms(after_window_end, "afterWindowEnd"))

    def time_difference_ms(self) -> int:
        return self._time_difference_ms

    def grace_period_ms(self) -> int:
        return self._grace_ms

    def size(self) -> int:
        return self._time_difference_ms

    def __eq__(self, other) -> bool:
        return isinstance(other, SlidingWindows) and (other._time_difference_ms, other._grace_ms) == (
            self._time_difference_ms, self._grace_ms)

    def __hash__(self) -> int:
        return hash((self._time_difference_ms, self._grace_ms))

    def __repr__(self) -> str:
        return f"SlidingWindows{{, sizeMs={self._time_difference_ms}, graceMs={self._grace_ms}}}"


class SessionWindows:
    """Session windows: records of a key closer than ``inactivity_gap`` belong to one session."""

    def __init__(self, gap_ms: int, grace_ms: int, has_set_grace: bool):
        if gap_ms <= 0:
            raise IllegalArgumentException("Gap time cannot be zero or negative.")
        if grace_ms < 0:
            raise IllegalArgumentException("Grace period must not be negative.")
        self._gap_ms = gap_ms
        self._grace_ms = grace_ms
        self._has_set_grace = has_set_grace

    @classmethod
    def of_inactivity_gap_with_no_grace(cls, inactivity_gap) -> SessionWindows:
        return cls.of_inactivity_gap_and_grace(inactivity_gap, NO_GRACE_PERIOD)

    @classmethod
    def of_inactivity_gap_and_grace(cls, inactivity_gap, after_window_end) -> SessionWindows:
        return cls(to_ms(inactivity_gap, "inactivityGap"), to_ms(after_window_end, "afterWindowEnd"), True)

    @classmethod
    def with_(cls, inactivity_gap) -> SessionWindows:
        """Deprecated ``SessionWindows.with`` (removed in 4.0): grace = ``max(24 h - gap, 0)``."""
        warnings.warn("SessionWindows.with() was deprecated in Kafka 3.0 and removed in 4.0: its grace period is "
                      "24 h minus the gap. Use of_inactivity_gap_with_no_grace() or of_inactivity_gap_and_grace().",
                      DeprecationWarning, stacklevel=2)
        g = to_ms(inactivity_gap, "inactivityGap")
        return cls(g, max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - g, 0), False)

    def grace(self, after_window_end) -> SessionWindows:
        if self._has_set_grace:
            raise IllegalStateException("Cannot call grace() after setting grace value via ofInactivityGapAndGrace "
                                        "or ofInactivityGapWithNoGrace.")
        return SessionWindows(self._gap_ms, to_ms(after_window_end, "afterWindowEnd"), False)

    def inactivity_gap(self) -> int:
        return self._gap_ms

    def grace_period_ms(self) -> int:
        return self._grace_ms

    def __eq__(self, other) -> bool:
        return isinstance(other, SessionWindows) and (other._gap_ms, other._grace_ms) == (self._gap_ms, self._grace_ms)

    def __hash__(self) -> int:
        return hash((self._gap_ms, self._grace_ms))

    def __repr__(self) -> str:
        return f"SessionWindows{{gapMs={self._gap_ms}, graceMs={self._grace_ms}}}"


class JoinWindows:
    """Stream-stream join windows: a record joins other-side records ``before_ms`` earlier to ``after_ms`` later."""

    def __init__(self, before_ms: int, after_ms: int, grace_ms: int, enable_spurious_result_fix: bool):
        if before_ms + after_ms < 0:
            raise IllegalArgumentException("Window interval (ie, beforeMs+afterMs) must not be negative.")
        if grace_ms < 0:
            raise IllegalArgumentException("Grace period must not be negative.")
        self.before_ms = before_ms
        self.after_ms = after_ms
        self._grace_ms = grace_ms
        self.enable_spurious_result_fix = enable_spurious_result_fix

    @classmethod
    def of_time_difference_and_grace(cls, time_difference, after_window_end) -> JoinWindows:
        d = to_ms(time_difference, "timeDifference")
        return cls(d, d, to_ms(after_window_end, "afterWindowEnd"), True)

    @classmethod
    def of_time_difference_with_no_grace(cls, time_difference) -> JoinWindows:
        return cls.of_time_difference_and_grace(time_difference, NO_GRACE_PERIOD)

    @classmethod
    def of(cls, time_difference) -> JoinWindows:
        """Deprecated (removed in 4.0): grace = ``max(24 h - 2 * d, 0)``, and left/outer joins emit eagerly."""
        warnings.warn("JoinWindows.of() was deprecated in Kafka 3.0 and removed in 4.0: grace 24 h minus twice the "
                      "difference, and left/outer joins emit spurious results. Use of_time_difference_and_grace().",
                      DeprecationWarning, stacklevel=2)
        d = to_ms(time_difference, "timeDifference")
        return cls(d, d, max(DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD - 2 * d, 0), False)

    def before(self, time_difference) -> JoinWindows:
        return JoinWindows(to_ms(time_difference, "timeDifference"), self.after_ms, self._grace_ms,
                           self.enable_spurious_result_fix)

    def after(self, time_difference) -> JoinWindows:
        return JoinWindows(self.before_ms, to_ms(time_difference, "timeDifference"), self._grace_ms,
                           self.enable_spurious_result_fix)

    def grace(self, after_window_end) -> JoinWindows:
        if self.enable_spurious_result_fix:
            raise IllegalStateException("Cannot call grace() after setting grace value via "
                                        "ofTimeDifferenceAndGrace or ofTimeDifferenceWithNoGrace.")
        return JoinWindows(self.before_ms, self.after_ms, to_ms(after_window_end, "afterWindowEnd"), False)

    def grace_period_ms(self) -> int:
        return self._grace_ms

    def size(self) -> int:
        return self.before_ms + self.after_ms

    def windows_for(self, timestamp: int):
        from .errors import UnsupportedOperationException

        raise UnsupportedOperationException("windowsFor() is not supported by JoinWindows.")

    def __eq__(self, other) -> bool:
        return isinstance(other, JoinWindows) and (other.before_ms, other.after_ms, other._grace_ms) == (
            self.before_ms, self.after_ms, self._grace_ms)

    def __hash__(self) -> int:
        return hash((self.before_ms, self.after_ms, self._grace_ms))

    def __repr__(self) -> str:
        return f"JoinWindows{{beforeMs={self.before_ms}, afterMs={self.after_ms}, graceMs={self._grace_ms}}}"


__all__ = ["DEPRECATED_DEFAULT_24_HR_GRACE_PERIOD", "Duration", "JoinWindows", "SessionWindow", "SessionWindows",
           "SlidingWindows", "TimeWindow", "TimeWindows", "Window", "Windowed", "to_ms"]
