"""A per-user sliding-window limiter (the seed's 100 requests per user per minute).

State lives in the process: in AWS each Lambda container counts on its own, which bounds a user
at 100/min per container; API Gateway's throttling is the account-wide backstop.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Allows `limit` calls per `window_s` seconds per key; `check` returns the wait in seconds."""

    def __init__(
        self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> int:
        """Record one call for `key`; 0 when allowed, else the whole seconds until a slot frees."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(1, math.ceil(hits[0] + self.window_s - now))
            hits.append(now)
            return 0
