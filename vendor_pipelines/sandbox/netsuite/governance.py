"""Account concurrency governance: the outermost layer of the NetSuite sandbox.

Every in-flight request holds a slot for its whole service time. `latency_seconds` is that
service time (the sandbox's own work happens within it, as on a real server), so a response
leaves no earlier than `latency_seconds` after its request took a slot. A request that finds
every slot taken is refused at once with NetSuite's 429 body. The slot is released just before
the last response byte is sent, so a client starting its next call on receipt never races its
own previous call. Slots are per serving process (one account pool per process).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from vendor_pipelines.sandbox.netsuite.errors import ERROR_CONTENT_TYPE, concurrency_body

UNGOVERNED_PREFIXES = ("/services/rest/auth/oauth2/v1/token",)


class ConcurrencyGate:
    def __init__(self, app: Any, *, limit: int, latency_seconds: float = 0.0) -> None:
        self.app = app
        self.limit = limit
        self.latency_seconds = latency_seconds
        self.in_flight = 0
        self.peak = 0
        self.refused = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNGOVERNED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.refused += 1
            await _send_json(send, 429, concurrency_body())
            return
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.in_flight -= 1

        started = time.monotonic()

        async def send_and_release(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and self.latency_seconds:
                remaining = self.latency_seconds - (time.monotonic() - started)
                if remaining > 0:
                    await asyncio.sleep(remaining)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                release()
            await send(message)

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            release()


async def _send_json(send: Any, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", ERROR_CONTENT_TYPE.encode()),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
