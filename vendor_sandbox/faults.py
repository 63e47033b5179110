"""Fault injection for the sandboxes: throttling, server errors, slow calls, timeouts and drops.

Decisions come from a seeded RNG so a benchmark with "5% faults" is reproducible. Each sandbox
supplies how an injected error looks on its wire (Amazon `errors[]`, NetSuite `o:errorDetails`)
and which of its paths are control paths (login, `/_sandbox/` hooks) that are never faulted.

The kinds, as named in `SANDBOX_FAULTS` and `sandbox serve --faults`:

* `429`, `5xx`: refused before the request reaches the API (nothing applied);
* `slow`: answered late, but within the client's timeout;
* `drop`: the connection closes mid-response before the API saw the request;
* `timeout`: the response is held until the client gives up (past its timeout), never applied;
* `applied_timeout`: a write is *applied*, then its response is held past the client's timeout
  and the connection dropped, so the record exists but the client never heard;
* `applied_drop`: a write is applied, then the connection drops at once.

The two `applied_*` kinds hit writes only (POST, PUT, PATCH, DELETE): a read whose answer is
lost is just a `timeout`. A held response ends as soon as the client closes its connection, or
after `hold_seconds` at the latest, so a held request costs the server no more than the client's
own timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

ErrorBody = Callable[[int], dict[str, Any]]

# Kind name (configuration) -> FaultPlan rate field, in the order the RNG draws them; new kinds
# go last so an existing seed keeps producing the same faults for the older kinds.
KIND_RATES: dict[str, str] = {
    "429": "throttle_rate",
    "5xx": "server_error_rate",
    "slow": "slow_rate",
    "drop": "drop_rate",
    "timeout": "timeout_rate",
    "applied_timeout": "applied_timeout_rate",
    "applied_drop": "applied_drop_rate",
}
FAULT_KINDS: tuple[str, ...] = tuple(KIND_RATES)
CLASSIC_KINDS: tuple[str, ...] = ("429", "5xx", "slow", "drop")
WRITE_ONLY_KINDS = frozenset({"applied_timeout", "applied_drop"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A held response outlives the client's timeout by this much, in case the client is slow to
# notice its own deadline (a busy machine) and keeps the connection open a little longer.
TIMEOUT_MARGIN_SECONDS = 1.0
# Past both clients' default timeouts (Amazon 30 s, NetSuite 60 s).
DEFAULT_HOLD_SECONDS = 60.0 + TIMEOUT_MARGIN_SECONDS
# Counter names in `FaultInjectionMiddleware.injected` (the older four keep their names).
COUNTER_OF_KIND = {
    "429": "throttle",
    "5xx": "server_error",
    "slow": "slow",
    "drop": "drop",
    "timeout": "timeout",
    "applied_timeout": "applied_timeout",
    "applied_drop": "applied_drop",
}


def parse_fault_kinds(value: str | Iterable[str]) -> tuple[str, ...]:
    """`"429, 5xx,timeout"` -> `("429", "5xx", "timeout")`; an unknown kind raises ValueError."""
    parts = value.split(",") if isinstance(value, str) else list(value)
    kinds: list[str] = []
    for part in parts:
        name = part.strip().lower()
        if not name:
            continue
        if name not in KIND_RATES:
            raise ValueError(f"unknown fault kind {name!r}; choose from {', '.join(FAULT_KINDS)}")
        if name not in kinds:
            kinds.append(name)
    return tuple(kinds)


@dataclass(frozen=True)
class FaultPlan:
    """Probabilities per request; all zero means a well-behaved server."""

    throttle_rate: float = 0.0  # 429
    server_error_rate: float = 0.0  # 500/503
    slow_rate: float = 0.0  # delayed by slow_seconds, then answered
    drop_rate: float = 0.0  # connection closed without a response
    timeout_rate: float = 0.0  # held past the client's timeout, never applied
    applied_timeout_rate: float = 0.0  # writes: applied, then held past the timeout and dropped
    applied_drop_rate: float = 0.0  # writes: applied, then the connection dropped
    slow_seconds: float = 2.0
    hold_seconds: float = DEFAULT_HOLD_SECONDS  # longest a timeout fault holds a response
    latency_seconds: float = 0.0  # added to every request (simulated network/API latency)
    seed: int = 0
    max_faults: int | None = None  # stop injecting after this many (a test's single fault)
    spare_control_paths: bool = True  # never fault login and `/_sandbox/` hooks unless False

    @classmethod
    def uniform(
        cls,
        rate: float,
        seed: int = 0,
        kinds: str | Iterable[str] = CLASSIC_KINDS,
        **extra: Any,
    ) -> FaultPlan:
        """Spread a total fault rate evenly over `kinds` (default: 429, 5xx, slow, drop)."""
        chosen = parse_fault_kinds(kinds)
        if not chosen:
            raise ValueError("no fault kinds given")
        share = rate / len(chosen)
        rates = {KIND_RATES[kind]: share for kind in chosen}
        return cls(seed=seed, **rates, **extra)

    @classmethod
    def for_client_timeout(
        cls,
        rate: float,
        client_timeout_seconds: float,
        kinds: str | Iterable[str] = FAULT_KINDS,
        seed: int = 0,
    ) -> FaultPlan:
        """A plan whose timeouts really time out a client configured with this timeout.

        `slow` stays well inside the timeout (a slow answer the client must wait for), timeout
        kinds hold past it by `TIMEOUT_MARGIN_SECONDS`.
        """
        return cls.uniform(
            rate,
            seed=seed,
            kinds=kinds,
            slow_seconds=min(2.0, client_timeout_seconds / 2),
            hold_seconds=client_timeout_seconds + TIMEOUT_MARGIN_SECONDS,
        )

    @property
    def active(self) -> bool:
        return bool(self.latency_seconds or any(self.rate(kind) for kind in FAULT_KINDS))

    def rate(self, kind: str) -> float:
        return float(getattr(self, KIND_RATES[kind]))


class DroppedConnection(Exception):
    """Kept for apps that turn it into a drop; the middleware now drops connections itself."""


class _QuietDrops(logging.Filter):
    """A dropped connection is the point of the fault, not a server error worth a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


async def _drop(send: Any) -> None:
    # Returning without any response would make uvicorn answer 500; a response that promises
    # a body and never finishes it makes the client see the connection close mid-response,
    # exactly like a network drop (uvicorn closes the connection of an incomplete response).
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")],
        }
    )
    await send({"type": "http.response.body", "body": b"{", "more_body": True})


async def _swallow(message: dict[str, Any]) -> None:
    """The `send` of an applied write whose answer is lost: the client never sees it."""


class FaultInjectionMiddleware:
    """ASGI middleware applying a FaultPlan before (or, for `applied_*`, after) the app."""

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
        self.injected: dict[str, int] = dict.fromkeys(COUNTER_OF_KIND.values(), 0)

    def _roll(self, method: str) -> str | None:
        writes = method.upper() in WRITE_METHODS
        with self._lock:
            budget = self.plan.max_faults
            if budget is not None and sum(self.injected.values()) >= budget:
                return None
            draw = self._rng.random()
            acc = 0.0
            for kind in FAULT_KINDS:
                if kind in WRITE_ONLY_KINDS and not writes:
                    continue
                acc += self.plan.rate(kind)
                if draw < acc:
                    self.injected[COUNTER_OF_KIND[kind]] += 1
                    return kind
            return None

    def _spared(self, path: str) -> bool:
        return self.plan.spare_control_paths and path.startswith(self.exempt_paths)

    async def _hold(self, receive: Any) -> None:
        """Keep the response back until the client gives up on it (or `hold_seconds` pass)."""

        async def client_gone() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass  # the request body, unread: nobody will answer it

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(client_gone(), self.plan.hold_seconds)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self._spared(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.plan.latency_seconds:
            await asyncio.sleep(self.plan.latency_seconds)
        fault = self._roll(scope.get("method", "GET")) if self.plan.active else None
        if fault is None:
            await self.app(scope, receive, send)
        elif fault == "slow":
            await asyncio.sleep(self.plan.slow_seconds)
            await self.app(scope, receive, send)
        elif fault == "drop":
            await _drop(send)
        elif fault == "timeout":
            await self._hold(receive)
            await _drop(send)
        elif fault in WRITE_ONLY_KINDS:
            await self.app(scope, receive, _swallow)
            if fault == "applied_timeout":
                await self._hold(receive)
            await _drop(send)
        else:
            await self._refuse(send, 429 if fault == "429" else self._server_error_status())

    def _server_error_status(self) -> int:
        with self._lock:
            return self._rng.choice((500, 503))

    async def _refuse(self, send: Any, status: int) -> None:
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
