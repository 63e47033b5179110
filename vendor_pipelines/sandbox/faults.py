"""Fault injection for the sandboxes: throttling storms, server errors, slow and dropped calls.

Decisions come from a seeded RNG so a benchmark with "5% faults" is reproducible. Each sandbox
supplies how an injected error looks on its wire (Amazon `errors[]`, NetSuite `o:errorDetails`).
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ErrorBody = Callable[[int], dict[str, Any]]


@dataclass(frozen=True)
class FaultPlan:
    """Probabilities per request; all zero means a well-behaved server."""

    throttle_rate: float = 0.0  # 429
    server_error_rate: float = 0.0  # 500/503
    slow_rate: float = 0.0  # delayed by slow_seconds
    drop_rate: float = 0.0  # connection closed without a response
    slow_seconds: float = 2.0
    latency_seconds: float = 0.0  # added to every request (simulated network/API latency)
    seed: int = 0

    @classmethod
    def uniform(cls, rate: float, seed: int = 0, **extra: Any) -> FaultPlan:
        """Spread a total fault rate evenly over 429, 5xx, slow and dropped calls."""
        share = rate / 4
        return cls(
            throttle_rate=share,
            server_error_rate=share,
            slow_rate=share,
            drop_rate=share,
            seed=seed,
            **extra,
        )

    @property
    def active(self) -> bool:
        return bool(
            self.throttle_rate
            or self.server_error_rate
            or self.slow_rate
            or self.drop_rate
            or self.latency_seconds
        )


class DroppedConnection(Exception):
    """Raised inside the app so the server aborts the connection without a response."""


class FaultInjectionMiddleware:
    """ASGI middleware applying a FaultPlan before the wrapped app sees the request."""

    def __init__(
        self,
        app: Any,
        plan: FaultPlan,
        error_body: ErrorBody,
        exempt_paths: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.plan = plan
        self.error_body = error_body
        self.exempt_paths = exempt_paths
        self._rng = random.Random(plan.seed)
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {"throttle": 0, "server_error": 0, "slow": 0, "drop": 0}

    def _roll(self) -> str | None:
        with self._lock:
            draw = self._rng.random()
        edges = (
            ("throttle", self.plan.throttle_rate),
            ("server_error", self.plan.server_error_rate),
            ("slow", self.plan.slow_rate),
            ("drop", self.plan.drop_rate),
        )
        acc = 0.0
        for name, rate in edges:
            acc += rate
            if draw < acc:
                self.injected[name] += 1
                return name
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_paths):
            await self.app(scope, receive, send)
            return
        if self.plan.latency_seconds:
            await asyncio.sleep(self.plan.latency_seconds)
        fault = self._roll() if self.plan.active else None
        if fault == "slow":
            await asyncio.sleep(self.plan.slow_seconds)
        elif fault == "drop":
            raise DroppedConnection("fault injection: connection dropped")
        elif fault in ("throttle", "server_error"):
            status = 429 if fault == "throttle" else self._rng.choice((500, 503))
            body = json.dumps(self.error_body(status)).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
