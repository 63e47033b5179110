"""Date windows: SP-API vendor list operations accept at most 7 days per request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MAX_WINDOW = timedelta(days=7)


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def split_window(
    start: datetime, end: datetime, max_span: timedelta = MAX_WINDOW
) -> list[tuple[datetime, datetime]]:
    """Consecutive [a, b] windows covering [start, end], none longer than `max_span`."""
    start, end = utc(start), utc(end)
    if end < start:
        raise ValueError(f"window end {end.isoformat()} is before its start {start.isoformat()}")
    if max_span <= timedelta(0) or max_span > MAX_WINDOW:
        raise ValueError("max_span must be positive and at most 7 days")
    windows: list[tuple[datetime, datetime]] = []
    cursor = start
    while True:
        upper = min(cursor + max_span, end)
        windows.append((cursor, upper))
        if upper >= end:
            return windows
        cursor = upper
