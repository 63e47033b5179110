"""Direct Fulfillment orders routes, DF transaction status, and the DF sandbox test-data API."""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from vendor_pipelines.amazon.models import df_orders as dfo

from . import rules
from .app_core import SandboxCore
from .app_http import (
    ApiError,
    Ctx,
    Handler,
    _between,
    bad_request,
    by_creation,
    page_body,
    paged,
    paginate,
    q_bool,
    q_enum,
    q_int,
    window,
)
from .generator import iso
from .state import now_utc


class DfOrdersMixin(SandboxCore):
    """DF orders 2021-12-28, DF transactions (2021-12-28 and v1), order scenarios."""

    def _df_orders_handlers(self) -> dict[str, Handler]:
        return {
            "dfOrders.getOrders": self.get_df_orders,
            "dfOrders.getOrder": self.get_df_order,
            "dfOrders.submitAcknowledgement": self.submit_df_acknowledgement,
            "dfTransactions.getTransactionStatus": self.get_df_transaction,
            "dfTransactionsV1.getTransactionStatus": self.get_df_transaction_v1,
            "dfSandbox.generateOrderScenarios": self.generate_order_scenarios,
            "dfSandbox.getOrderScenarios": self.get_order_scenarios,
        }

    @paged
    async def get_df_orders(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_order_list(ctx))

    def _df_order_list(self, ctx: Ctx) -> dict[str, Any]:
        """getOrders' result (2021-12-28 shape; v1 wraps it), for a `@paged` handler."""
        created = window(ctx, "createdAfter", "createdBefore", required=True)
        ship_from = ctx.query.get("shipFromPartyId")
        status = q_enum(ctx, "status", ("NEW", "SHIPPED", "ACCEPTED", "CANCELLED"))
        limit = q_int(ctx, "limit", 1, 100, 100)
        sort = q_enum(ctx, "sortOrder", ("ASC", "DESC")) or "ASC"
        details = q_bool(ctx, "includeDetails", True)
        selected = []
        for doc in self.state.df_orders().values():
            if not _between(doc["createdAt"], *created):
                continue
            if ship_from and doc["shipFrom"] != ship_from:
                continue
            if status and doc["order"]["orderDetails"]["orderStatus"] != status:
                continue
            selected.append(doc)
        page, token = paginate(ctx, selected, by_creation, limit, sort == "DESC")
        orders = [
            d["order"] if details else {"purchaseOrderNumber": d["order"]["purchaseOrderNumber"]}
            for d in page
        ]
        return page_body("orders", orders, token)

    def _df_doc(self, ctx: Ctx) -> dict[str, Any]:
        po = ctx.path_params["purchaseOrderNumber"]
        if not re.fullmatch(r"[a-zA-Z0-9]+", po):
            raise bad_request("Invalid purchaseOrderNumber.", po)
        doc = self.state.df_orders().get(po)
        if doc is None:
            raise ApiError(404, "ResourceNotFound", f"Order {po} was not found.", po)
        return doc

    async def get_df_order(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._df_doc(ctx)["order"])

    async def submit_df_acknowledgement(self, ctx: Ctx) -> Response:
        return await self._submit(
            ctx,
            dfo.SubmitAcknowledgementRequest,
            "df_acknowledgements",
            "df",
            lambda r, raw: [
                (a["purchaseOrderNumber"], a, [a["purchaseOrderNumber"]])
                for a in raw.get("orderAcknowledgements", [])
            ],
            lambda r, raw: rules.evaluate_df_acknowledgements(self.state, r),
        )

    async def get_df_transaction(self, ctx: Ctx) -> Response:
        doc = self._transaction(ctx, "df")
        status = self.state.transaction_status(doc)
        body: dict[str, Any] = {"transactionId": doc["transactionId"], "status": status}
        if status == "Failure":
            body["errors"] = {"errors": doc["errors"]}  # 2021-12-28: ErrorList is an object
        return self.respond(ctx, 200, {"transactionStatus": body})

    async def get_df_transaction_v1(self, ctx: Ctx) -> Response:
        doc = self._transaction(ctx, "df")
        status = self.state.transaction_status(doc)
        body: dict[str, Any] = {"transactionId": doc["transactionId"], "status": status}
        if status == "Failure":
            body["errors"] = doc["errors"]
        return self.respond(ctx, 200, {"payload": {"transactionStatus": body}})

    async def generate_order_scenarios(self, ctx: Ctx) -> Response:
        from .generator import generate_orders

        body = await self.json_body(ctx)
        requested = body.get("orders")
        if not isinstance(requested, list) or not requested:
            raise bad_request("orders: a non-empty array is required.")
        vendors = {v.vendor_code for v in self.world.vendors}
        warehouses = {w.party_id for w in self.world.warehouses}
        created: list[dict[str, Any]] = []
        with self.state.write():
            used = self.state.order_numbers()
            for index, spec in enumerate(requested):
                selling = (spec.get("sellingParty") or {}).get("partyId")
                ship_from = (spec.get("shipFromParty") or {}).get("partyId")
                if selling not in vendors or ship_from not in warehouses:
                    raise bad_request(
                        f"orders.{index}: unknown sellingParty or shipFromParty.",
                        f"{selling} / {ship_from}",
                    )
                batch = generate_orders(
                    self.world,
                    now_utc(),
                    days=1,
                    used_numbers=used,
                    salt=f"scenario:{len(used)}:{index}",
                )
                order = batch.df_orders[0] if batch.df_orders else None
                if order is None:
                    raise bad_request("The world generates no DF orders (df_orders_per_day=0).")
                order["orderDetails"]["sellingParty"] = {"partyId": selling}
                order["orderDetails"]["shipFromParty"] = {"partyId": ship_from}
                order["orderDetails"]["orderStatus"] = "NEW"
                order["orderDetails"]["orderDate"] = iso(now_utc())
                created.append(order)
            self.state.insert_batch(type(batch)(df_orders=created))
            txn = self.state.new_transaction("scenario", "df_order_scenarios", [])
            txn["orders"] = [o["purchaseOrderNumber"] for o in created]
            self.state.store.put("amazon.transactions", txn["transactionId"], txn)
        return self.respond(ctx, 202, {"transactionId": txn["transactionId"]})

    async def get_order_scenarios(self, ctx: Ctx) -> Response:
        doc = self._transaction(ctx, "scenario")
        return self.respond(
            ctx,
            200,
            {
                "transactionStatus": {
                    "transactionId": doc["transactionId"],
                    "status": "SUCCESS",
                    "testCaseData": {
                        "scenarios": [
                            {
                                "scenarioId": "SCENARIO_1",
                                "orders": [{"orderId": po} for po in doc.get("orders", [])],
                            }
                        ]
                    },
                }
            },
        )
