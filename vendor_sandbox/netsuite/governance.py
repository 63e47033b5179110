"""Account concurrency governance: the outermost layer of the NetSuite sandbox.

Every in-flight request holds a slot for its whole service time. `latency_seconds` is that
service time (the sandbox's own work happens within it, as on a real server), so a response
leaves no earlier than `latency_seconds` after its request took a slot. A request that finds
every slot taken is refused at once with NetSuite's 429 body. The slot is released just before
the last response byte is sent, so a client starting its next call on receipt never races its
own previous call.

The limit is the account's, not a server's: when the sandbox keeps its state on disk, the slots
are lock files beside it (`SlotPool`), so every process serving that state (each Dagster step
starts its own embedded server) draws on one pool, as every integration of a NetSuite account
shares its limit. A process that dies holding slots gives them back with its file locks.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

from vendor_sandbox.netsuite.errors import ERROR_CONTENT_TYPE, concurrency_body

UNGOVERNED_PREFIXES = ("/services/rest/auth/oauth2/v1/token",)


class SlotPool:
    """`limit` concurrency slots: counted in memory, or lock files shared by every process."""

    def __init__(self, limit: int, directory: Path | None = None) -> None:
        self.limit = limit
        self._held: set[int] = set()
        self._files: list[int] = []
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            self._files = [
                os.open(directory / f"netsuite-slot-{index}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                for index in range(limit)
            ]

    def acquire(self) -> int | None:
        for index in range(self.limit):
            if index in self._held:
                continue
            if self._files:
                try:
                    fcntl.flock(self._files[index], fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # another process holds this slot
            self._held.add(index)
            return index
        return None

    def release(self, index: int) -> None:
        if self._files:
            fcntl.flock(self._files[index], fcntl.LOCK_UN)
        self._held.discard(index)

    @property
    def held(self) -> int:
        return len(self._held)


class ConcurrencyGate:
    def __init__(
        self,
        app: Any,
        *,
        limit: int,
        latency_seconds: float = 0.0,
        slots_dir: Path | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.latency_seconds = latency_seconds
        self.slots = SlotPool(limit, slots_dir)
        self.peak = 0
        self.refused = 0

    @property
    def in_flight(self) -> int:
        return self.slots.held

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNGOVERNED_PREFIXES):
            await self.app(scope, receive, send)
            return
        slot = self.slots.acquire()
        if slot is None:
            self.refused += 1
            await _send_json(send, 429, concurrency_body())
            return
        self.peak = max(self.peak, self.in_flight)
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self.slots.release(slot)

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
