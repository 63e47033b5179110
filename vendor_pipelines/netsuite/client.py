"""NetSuite REST record and SuiteQL client (httpx, thread-safe, no Dagster).

Exactly-once rules the methods follow:
* `upsert_by_external_id` (PUT `eid:`) is naturally idempotent and is retried on any failure;
* `create` and `transform` are retried after an ambiguous failure (5xx, lost connection) only
  when the body carries an `externalId`; a resulting "This entity already exists." is then
  resolved to the record our earlier attempt created, so the caller gets one id, not an error;
* `patch` is retried (setting the same fields twice converges).

Every write (POST, PUT, PATCH, transform) sends `X-NetSuite-PropertyNameValidation: error`.
NetSuite's default is `warning`: a misspelt or undefined field (`custbody_amazon_vendorcode`,
a custom field missing from the account) is dropped with a response header nobody reads, and
the record is saved without it. With `error` the write fails with 400 INVALID_CONTENT naming
the field's path, so the submission ledger records a failure instead of a silently wrong record.
Value syntax is already refused by default (`X-NetSuite-PropertyValueValidation: error`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from vendor_pipelines.netsuite.errors import DuplicateExternalId, NetSuiteError
from vendor_pipelines.netsuite.records import fulfilment_body, line_closure_body
from vendor_pipelines.netsuite.suiteql import SuiteQLPager
from vendor_pipelines.netsuite.transport import (
    GovernedTransport,
    NetSuiteAuth,
    RetryPolicy,
    TransportStats,
)

RECORD_PATH = "/services/rest/record/v1"
PROPERTY_NAME_VALIDATION = "X-NetSuite-PropertyNameValidation"
# Seconds without the answer before a call counts as lost (retried when safe to repeat);
# deployments set it with NETSUITE_REQUEST_TIMEOUT_SECONDS.
DEFAULT_TIMEOUT_SECONDS = 60.0
Row = TypeVar("Row")


def record_path(record_type: str, record_id: str | int | None = None) -> str:
    path = f"{RECORD_PATH}/{record_type}"
    return path if record_id is None else f"{path}/{quote(str(record_id), safe=':')}"


def eid(external_id: str) -> str:
    """The path form of an external id."""
    return f"eid:{external_id}"


def id_from_location(response: httpx.Response) -> str:
    location = response.headers.get("Location")
    if not location:
        raise NetSuiteError(response.status_code, "response carried no Location header")
    return location.rstrip("/").rsplit("/", 1)[-1]


class NetSuiteClient:
    def __init__(
        self,
        base_url: str,
        account_id: str,
        auth: NetSuiteAuth,
        *,
        concurrency_limit: int = 5,
        retry: RetryPolicy | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        http_client: httpx.Client | None = None,
        suiteql_row_ceiling: int = 100_000,
        property_name_validation: str = "error",
    ) -> None:
        # Sent on every write; "error" (the default here, not NetSuite's) makes unknown fields
        # fail loudly. "warning" or "ignore" restore NetSuite's lenient behaviour.
        self._write_headers = {PROPERTY_NAME_VALIDATION: property_name_validation}
        self.transport = GovernedTransport(
            base_url,
            account_id,
            auth,
            concurrency_limit=concurrency_limit,
            retry=retry or RetryPolicy(),
            timeout=timeout,
            http_client=http_client,
        )
        self._suiteql = SuiteQLPager(self.transport, row_ceiling=suiteql_row_ceiling)

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> NetSuiteClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def stats(self) -> TransportStats:
        return self.transport.stats

    # -- record service --------------------------------------------------------------------

    def get(
        self,
        record_type: str,
        record_id: str | int,
        *,
        expand_sub_resources: bool = False,
        fields: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if expand_sub_resources:
            params["expandSubResources"] = "true"
        if fields:
            params["fields"] = ",".join(fields)
        outcome = self.transport.request(
            "GET", record_path(record_type, record_id), params=params, repeatable=True
        )
        return outcome.response.json()

    def get_by_external_id(
        self, record_type: str, external_id: str, *, expand_sub_resources: bool = False
    ) -> dict[str, Any]:
        return self.get(record_type, eid(external_id), expand_sub_resources=expand_sub_resources)

    def get_sublist(
        self, record_type: str, record_id: str | int, sublist: str
    ) -> list[dict[str, Any]]:
        path = f"{record_path(record_type, record_id)}/{sublist}"
        body = self.transport.request("GET", path, repeatable=True).response.json()
        return list(body.get("items", []))

    def create(
        self, record_type: str, body: Mapping[str, Any], *, replace: Sequence[str] = ()
    ) -> str:
        """POST a new record; returns its internal id (from `Location`)."""
        return self._post_new(record_path(record_type), record_type, body, replace)

    def upsert_by_external_id(
        self, record_type: str, external_id: str, body: Mapping[str, Any]
    ) -> str:
        """PUT `.../eid:{externalId}`: create or update; the same call twice is one record."""
        payload = {k: v for k, v in body.items() if k != "externalId"}
        outcome = self.transport.request(
            "PUT",
            record_path(record_type, eid(external_id)),
            json=payload,
            headers=self._write_headers,
            repeatable=True,
        )
        if outcome.response.headers.get("Location"):
            return id_from_location(outcome.response)
        # Whether PUT answers with Location is not documented; fall back to reading it.
        return str(self.get(record_type, eid(external_id), fields=["id"])["id"])

    def patch(
        self,
        record_type: str,
        record_id: str | int,
        body: Mapping[str, Any],
        *,
        replace: Sequence[str] = (),
    ) -> None:
        """PATCH fields; `replace` names sublists whose unmentioned lines are removed."""
        params = {"replace": ",".join(replace)} if replace else None
        self.transport.request(
            "PATCH",
            record_path(record_type, record_id),
            params=params,
            json=dict(body),
            headers=self._write_headers,
            repeatable=True,
        )

    def delete(self, record_type: str, record_id: str | int) -> None:
        self.transport.request("DELETE", record_path(record_type, record_id), repeatable=True)

    def transform(
        self,
        from_type: str,
        record_id: str | int,
        to_type: str,
        body: Mapping[str, Any] | None = None,
    ) -> str:
        """POST `{from}/{id}/!transform/{to}`; returns the new record's id."""
        path = f"{record_path(from_type, record_id)}/!transform/{to_type}"
        return self._post_new(path, to_type, body or {}, ())

    def _post_new(
        self, path: str, new_type: str, body: Mapping[str, Any], replace: Sequence[str]
    ) -> str:
        external_id = body.get("externalId")
        params = {"replace": ",".join(replace)} if replace else None
        try:
            outcome = self.transport.request(
                "POST",
                path,
                params=params,
                json=dict(body),
                headers=self._write_headers,
                repeatable=external_id is not None,
            )
        except DuplicateExternalId as error:
            # After an ambiguous failure (5xx, lost response) the duplicate is our own earlier
            # attempt, so the call succeeded once: answer with that record. Without one, the
            # external id was already taken and the caller must hear about it.
            if external_id is None or not error.ambiguous_attempts:
                raise
            return str(self.get(new_type, eid(str(external_id)), fields=["id"])["id"])
        return id_from_location(outcome.response)

    # -- sales-order conveniences ----------------------------------------------------------

    def close_sales_order_lines(self, sales_order_id: str | int, lines: Sequence[int]) -> None:
        """Close lines by `line` key (there is no close action: PATCH `isClosed`)."""
        self.patch("salesOrder", sales_order_id, line_closure_body(lines, closed=True))

    def fulfill_sales_order(
        self,
        sales_order_id: str | int,
        quantities: Mapping[int, float],
        *,
        location: str | int | None = None,
        external_id: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        """Transform to an itemFulfillment shipping exactly `quantities` ({orderLine: qty}).

        NetSuite pre-selects every open line, so the lines not listed are sent with
        `itemReceive: false`; this reads the order's lines first.
        """
        order_lines = self.get_sublist("salesOrder", sales_order_id, "item")
        body = fulfilment_body(order_lines, quantities, location=location)
        if external_id:
            body["externalId"] = external_id
        body |= dict(extra or {})
        return self.transform("salesOrder", sales_order_id, "itemFulfillment", body)

    # -- SuiteQL ---------------------------------------------------------------------------

    def suiteql(
        self,
        query: str,
        params: Sequence[Any] = (),
        *,
        page_size: int = 1000,
        row_model: type[Row] | None = None,
    ) -> Iterator[Any]:
        """Every row of a query via offset paging; raises at the 100k-row ceiling."""
        rows = self._suiteql.offset_rows(query, params, page_size=page_size)
        return _typed(rows, row_model)

    def suiteql_by_key(
        self,
        select: str,
        table: str,
        *,
        where: str | None = None,
        params: Sequence[Any] = (),
        key: str = "id",
        page_size: int = 1000,
        row_model: type[Row] | None = None,
    ) -> Iterator[Any]:
        """Every row, however many, by keyset paging on a unique numeric `key` (`id > last`)."""
        rows = self._suiteql.keyset_rows(
            select, table, where=where, params=params, key=key, page_size=page_size
        )
        return _typed(rows, row_model)


def _typed(rows: Iterator[dict[str, Any]], row_model: type[Row] | None) -> Iterator[Any]:
    if row_model is None:
        yield from rows
        return
    for row in rows:
        yield row_model.model_validate(row)  # type: ignore[attr-defined]
