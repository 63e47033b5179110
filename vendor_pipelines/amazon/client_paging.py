"""Paging for list operations: `nextToken` pages, date windows, and windows paged in parallel."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from . import operations as ops
from .client_core import ClientCore
from .client_support import InvalidRecord, M, _fmt_time, _validation_field
from .errors import AmazonResponseError
from .windows import split_window


class PagingMixin(ClientCore):
    """List operations validated record by record, split into windows of at most 7 days."""

    def _page(
        self,
        key: str,
        list_field: str,
        item_model: type[M],
        params: dict[str, Any],
        on_invalid: Callable[[InvalidRecord], None] | None,
        page_model: type[BaseModel],
    ) -> tuple[list[M], str | None]:
        """One page of a list operation, validating record by record."""
        op = ops.operation(key)
        raw = self.request(key, params=params)
        container = raw.get("payload") if op.wrapped and isinstance(raw, dict) else raw
        prefix = "payload." if op.wrapped else ""
        if not isinstance(container, dict):
            raise AmazonResponseError(key, prefix.rstrip(".") or "<body>", "expected an object")
        records = container.get(list_field) or []
        if not isinstance(records, list):
            raise AmazonResponseError(key, f"{prefix}{list_field}", "expected an array")
        # Validate the page envelope (pagination etc.) without the records.
        try:
            envelope = page_model.model_validate({**container, list_field: []})
        except ValidationError as exc:
            where, problem = _validation_field(exc, prefix.rstrip("."))
            raise AmazonResponseError(key, where, problem) from None
        pagination = getattr(envelope, "pagination", None)
        next_token = getattr(pagination, "nextToken", None) if pagination else None
        if next_token is None:
            next_token = getattr(envelope, "nextToken", None)
        parsed: list[M] = []
        for index, record in enumerate(records):
            try:
                parsed.append(item_model.model_validate(record))
            except ValidationError as exc:
                if on_invalid is None:
                    where, problem = _validation_field(exc, f"{prefix}{list_field}.{index}")
                    raise AmazonResponseError(key, where, problem) from None
                # Named within the record: the record's place on a page changes every pull,
                # and a quarantine reason must read the same each time the record comes back.
                where, problem = _validation_field(exc)
                on_invalid(InvalidRecord(key, where, problem, record))
        return parsed, next_token or None

    def _paginate(
        self,
        key: str,
        list_field: str,
        item_model: type[M],
        page_model: type[BaseModel],
        params: dict[str, Any],
        on_invalid: Callable[[InvalidRecord], None] | None,
        stop: threading.Event | None = None,
    ) -> Iterator[M]:
        """Follow `nextToken`, resending the original filters with it (as Amazon's examples do)."""
        token: str | None = None
        while True:
            page_params = dict(params)
            if token:
                page_params["nextToken"] = token
            records, token = self._page(
                key, list_field, item_model, page_params, on_invalid, page_model
            )
            yield from records
            if not token or (stop is not None and stop.is_set()):
                return

    def _windowed(
        self,
        key: str,
        list_field: str,
        item_model: type[M],
        page_model: type[BaseModel],
        base_params: dict[str, Any],
        after_name: str,
        before_name: str,
        start: datetime,
        end: datetime,
        identity: Callable[[M], str],
        on_invalid: Callable[[InvalidRecord], None] | None,
        window: timedelta,
        max_workers: int,
    ) -> Iterator[M]:
        windows = split_window(start, end, window)

        def params_for(lo: datetime, hi: datetime) -> dict[str, Any]:
            return {**base_params, after_name: _fmt_time(lo), before_name: _fmt_time(hi)}

        seen: set[str] = set()
        if max_workers <= 1 or len(windows) == 1:
            for lo, hi in windows:
                for record in self._paginate(
                    key, list_field, item_model, page_model, params_for(lo, hi), on_invalid
                ):
                    ident = identity(record)
                    if ident not in seen:  # window edges are inclusive on both sides
                        seen.add(ident)
                        yield record
            return
        yield from self._parallel_windows(
            [params_for(lo, hi) for lo, hi in windows],
            lambda p, stop: self._paginate(
                key, list_field, item_model, page_model, p, on_invalid, stop
            ),
            identity,
            max_workers,
        )

    def _parallel_windows(
        self,
        param_sets: list[dict[str, Any]],
        pager: Callable[[dict[str, Any], threading.Event], Iterable[M]],
        identity: Callable[[M], str],
        max_workers: int,
    ) -> Iterator[M]:
        """Page several windows at once (sharing the rate limiter); yield as records arrive."""
        out: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1000)
        stop = threading.Event()

        def work(p: dict[str, Any]) -> None:
            try:
                for record in pager(p, stop):
                    if stop.is_set():
                        return
                    out.put(("record", record))
            except BaseException as exc:  # handed to the consumer thread
                out.put(("error", exc))
            finally:
                out.put(("done", None))

        pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="spapi-window")
        try:
            for p in param_sets:
                pool.submit(work, p)
            remaining = len(param_sets)
            seen: set[str] = set()
            while remaining:
                kind, value = out.get()
                if kind == "done":
                    remaining -= 1
                elif kind == "error":
                    raise value
                else:
                    ident = identity(value)
                    if ident not in seen:
                        seen.add(ident)
                        yield value
        finally:
            stop.set()
            # Unblock workers stuck on a full queue, then wait for them.
            while True:
                try:
                    out.get_nowait()
                except queue.Empty:
                    break
            pool.shutdown(wait=True, cancel_futures=True)
