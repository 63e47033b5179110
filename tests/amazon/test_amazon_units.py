"""Pure units: token buckets, retry policy, window splitting, SSCC-18."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vendor_pipelines.amazon import RetryPolicy, TokenBucket, split_window
from vendor_pipelines.amazon.ratelimit import RateLimit, RateLimiter
from vendor_pipelines.amazon.sscc import is_valid_sscc, make_sscc, sscc_check_digit


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_token_bucket_burst_then_rate():
    clock = FakeClock()
    bucket = TokenBucket(10, 10, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        bucket.acquire()
    assert clock.now == 0  # the burst is free
    for _ in range(20):
        bucket.acquire()
    assert clock.now == pytest.approx(2.0)  # then exactly 10 per second
    assert bucket.acquire(timeout=0) is False


def test_rate_limiter_adapts_to_header_and_drains_on_429():
    limiter = RateLimiter({"op": RateLimit(10, 10)}, headroom=1)
    bucket = limiter.bucket("op")
    assert bucket.capacity == 9
    limiter.observe_header("op", "5.0")
    assert bucket.rate == 5.0
    limiter.observe_header("op", "garbage")
    assert bucket.rate == 5.0
    limiter.throttled("op")
    assert bucket.tokens < 1


def test_retry_delays_grow_and_are_capped():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    delays = [policy.delay(n) for n in range(1, 10)]
    assert all(0.25 <= d <= 4.0 for d in delays)
    assert max(delays[5:]) <= 4.0 and min(delays[5:]) >= 2.0


def test_split_window_never_exceeds_seven_days():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    windows = split_window(start, start + timedelta(days=20, hours=3))
    assert len(windows) == 3
    assert windows[0] == (start, start + timedelta(days=7))
    assert all(b - a <= timedelta(days=7) for a, b in windows)
    assert windows[-1][1] == start + timedelta(days=20, hours=3)
    assert split_window(start, start) == [(start, start)]
    with pytest.raises(ValueError):
        split_window(start, start - timedelta(seconds=1))
    with pytest.raises(ValueError):
        split_window(start, start + timedelta(days=1), timedelta(days=8))


def test_sscc_check_digit():
    assert sscc_check_digit("10614141234567890") == 8
    assert is_valid_sscc("106141412345678908")
    assert is_valid_sscc("00007121610006156802")  # with the (00) application identifier
    assert not is_valid_sscc("00000010012345614785")
    assert not is_valid_sscc("10614141234567890X")
    assert is_valid_sscc(make_sscc(3, "0614141", 42))
