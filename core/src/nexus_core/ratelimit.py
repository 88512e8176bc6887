"""Token-bucket rate limiting per source, and the clock every wait goes through.

A bucket holds `capacity` tokens and refills at `rate_per_s`; one HTTP request takes one token.
Buckets live at module level, so a warm Lambda keeps pacing across invocations. The clock is
injectable: tests pass a fake one and never really sleep.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic seconds and a sleep; the only way the HTTP layer waits."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock whose sleep only advances time (for tests and dry benchmarks)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)


class TokenBucket:
    """`capacity` requests in a burst, refilled at `rate_per_s` requests per second."""

    def __init__(self, rate_per_s: float, capacity: float, clock: Clock | None = None) -> None:
        if rate_per_s <= 0 or capacity < 1:
            raise ValueError("rate_per_s must be > 0 and capacity >= 1")
        self.rate_per_s = rate_per_s
        self.capacity = capacity
        self.clock: Clock = clock or SystemClock()
        self._tokens = capacity
        self._last = self.clock.monotonic()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock.monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate_per_s)
        self._last = now

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; returns the seconds waited."""
        with self._lock:
            self._refill()
            wait = 0.0
            if self._tokens < 1:
                wait = (1 - self._tokens) / self.rate_per_s
                self.clock.sleep(wait)
                self._refill()
            self._tokens = max(self._tokens - 1, 0.0)
            return wait

    def fraction_left(self) -> float:
        """The share of the burst capacity still available (0..1)."""
        with self._lock:
            self._refill()
            return self._tokens / self.capacity


_BUCKETS: dict[str, TokenBucket] = {}


def bucket_for(source: str, rate_per_s: float, capacity: float, clock: Clock | None = None) -> TokenBucket:
    """The process-wide bucket of `source` (created on first use, reused while warm)."""
    bucket = _BUCKETS.get(source)
    if bucket is None or (clock is not None and bucket.clock is not clock):
        bucket = TokenBucket(rate_per_s, capacity, clock)
        _BUCKETS[source] = bucket
    return bucket
