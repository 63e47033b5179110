"""Client-side token buckets, one per operation, at the published usage plan.

Each bucket refills at `rate` tokens per second up to `burst`. The client keeps one token in
reserve below Amazon's burst so the jitter between our send time and Amazon's arrival time never
overdraws Amazon's bucket. When a response carries `x-amzn-RateLimit-Limit` (the applied rate),
the bucket adopts it; a 429 empties the bucket so concurrent callers back off together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    rate: float  # requests per second
    burst: int


class TokenBucket:
    def __init__(
        self,
        rate: float,
        burst: float,
        *,
        initial: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = float(rate)
        self.capacity = float(burst)
        self._tokens = self.capacity if initial is None else float(initial)
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._last)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._last = now

    def reserve(self) -> float:
        """Take a token; return how long the caller must wait before using it (0 if none)."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate

    def acquire(self, timeout: float | None = None) -> bool:
        """Block until a token is available. With a timeout, refuse (False) if it is too long."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            wait = 0.0 if self._tokens >= 1 else (1.0 - self._tokens) / self.rate
            if timeout is not None and wait > timeout:
                return False
            self._tokens -= 1.0
        if wait > 0:
            self._sleep(wait)
        return True

    def drain(self) -> None:
        """Empty the bucket (after a 429): everyone waits for a fresh token."""
        with self._lock:
            self._refill(self._clock())
            self._tokens = min(self._tokens, 0.0)

    def set_rate(self, rate: float) -> None:
        with self._lock:
            self._refill(self._clock())
            self.rate = float(rate)

    @property
    def tokens(self) -> float:
        with self._lock:
            self._refill(self._clock())
            return self._tokens


class RateLimiter:
    """A bucket per operation key; limits can be overridden per key at construction."""

    def __init__(
        self,
        defaults: dict[str, RateLimit],
        overrides: dict[str, RateLimit] | None = None,
        *,
        headroom: int = 1,
        adapt_to_header: bool = True,
    ) -> None:
        self._limits = dict(defaults)
        self._limits.update(overrides or {})
        self._headroom = headroom
        self._adapt = adapt_to_header
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, key: str) -> TokenBucket:
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                limit = self._limits.get(key, RateLimit(1.0, 1))
                burst = max(1, limit.burst - self._headroom)
                bucket = TokenBucket(limit.rate, burst)
                self._buckets[key] = bucket
            return bucket

    def acquire(self, key: str) -> None:
        self.bucket(key).acquire()

    def observe_header(self, key: str, value: str | None) -> None:
        """Adopt the applied rate from `x-amzn-RateLimit-Limit`, when present and sane."""
        if not self._adapt or not value:
            return
        try:
            rate = float(value)
        except ValueError:
            return
        if rate > 0:
            bucket = self.bucket(key)
            if abs(bucket.rate - rate) > 1e-9:
                bucket.set_rate(rate)

    def throttled(self, key: str) -> None:
        self.bucket(key).drain()
