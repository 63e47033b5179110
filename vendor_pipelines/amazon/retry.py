"""Retry policy: jittered exponential backoff, bounded in attempts and in wall-clock time."""

from __future__ import annotations

import random
from dataclasses import dataclass

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    max_elapsed_seconds: float = 120.0
    base_delay: float = 0.25
    max_delay: float = 20.0
    multiplier: float = 2.0
    retry_statuses: frozenset[int] = RETRYABLE_STATUS
    retry_timeouts: bool = True  # read timeouts and dropped connections, for POSTs too

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Equal-jitter backoff before attempt `attempt + 1` (attempt counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))
        return (rng or random).uniform(ceiling / 2, ceiling)


NO_RETRY = RetryPolicy(max_attempts=1)
