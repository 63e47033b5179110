"""Reports 2021-06-30 routes: createReport, getReports, getReport, cancelReport, documents."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.responses import Response

from vendor_pipelines.amazon.marketplaces import MARKETPLACE_REGIONS
from vendor_pipelines.amazon.models import reports as rep

from . import reports as report_docs
from .app_core import SandboxCore
from .app_http import ApiError, Ctx, Handler, bad_request, q_bool, q_int
from .generator import iso
from .state import REPORTS, parse_time


class ReportsMixin(SandboxCore):
    """Reports API; documents are served gzip-compressed at pre-signed URLs."""

    def _reports_handlers(self) -> dict[str, Handler]:
        return {
            "reports.createReport": self.create_report,
            "reports.getReports": self.get_reports,
            "reports.getReport": self.get_report,
            "reports.cancelReport": self.cancel_report,
            "reports.getReportDocument": self.get_report_document,
        }

    async def create_report(self, ctx: Ctx) -> Response:
        spec, raw = await self.parse(ctx, rep.CreateReportSpecification)
        if spec.reportType not in report_docs.KNOWN_TYPES:
            raise bad_request(f"Invalid reportType {spec.reportType}.", spec.reportType)
        if not spec.marketplaceIds:
            raise bad_request("marketplaceIds must not be empty.")
        unknown = [m for m in spec.marketplaceIds if m not in report_docs.MARKETPLACES]
        if unknown:
            raise bad_request(f"Invalid marketplaceIds: {', '.join(unknown)}.")
        elsewhere = [
            m
            for m in spec.marketplaceIds
            if self.region and MARKETPLACE_REGIONS.get(m) != self.region
        ]
        if elsewhere:
            # Each marketplace is served by its own region's endpoint.
            raise bad_request(
                f"Invalid marketplaceIds for the {self.region} endpoint: {', '.join(elsewhere)}."
            )
        if isinstance(raw.get("reportOptions"), list):
            raise bad_request("reportOptions must be an object.")
        report_id = str(50_000 + self.state.store.next_value("amazon.report_id"))
        now = datetime.now(UTC)
        record = {
            "reportId": report_id,
            "reportType": spec.reportType,
            "marketplaceIds": spec.marketplaceIds,
            "createdTime": iso(now),
            "createdEpoch": time.time(),
            "spec": {
                "reportType": spec.reportType,
                "marketplaceIds": spec.marketplaceIds,
                "reportOptions": raw.get("reportOptions") or {},
                "dataStartTime": iso(spec.dataStartTime) if spec.dataStartTime else None,
                "dataEndTime": iso(spec.dataEndTime) if spec.dataEndTime else None,
            },
            "cancelled": False,
        }
        try:
            report_docs.build_document(self.world, record["spec"], date.today())
            record["outcome"] = "DONE"
            record["errorDetails"] = None
        except report_docs.ReportRejected as exc:
            record["outcome"] = "FATAL"
            record["errorDetails"] = str(exc)
        region = (self.region or "NA").lower()
        record["documentId"] = f"amzn1.spdoc.1.4.{region}.{uuid.uuid4()}"
        self.state.store.put(REPORTS, report_id, record)
        return self.respond(ctx, 202, {"reportId": report_id})

    def _report_view(self, record: dict[str, Any]) -> dict[str, Any]:
        elapsed = time.time() - record["createdEpoch"]
        delay = self.state.report_delay
        view: dict[str, Any] = {
            "reportId": record["reportId"],
            "reportType": record["reportType"],
            "marketplaceIds": record["marketplaceIds"],
            "createdTime": record["createdTime"],
        }
        for name in ("dataStartTime", "dataEndTime"):
            if record["spec"].get(name):
                view[name] = record["spec"][name]
        created = parse_time(record["createdTime"])
        assert created is not None
        if record["cancelled"]:
            view["processingStatus"] = "CANCELLED"
        elif elapsed < delay / 3:
            view["processingStatus"] = "IN_QUEUE"
        elif elapsed < delay:
            view["processingStatus"] = "IN_PROGRESS"
            view["processingStartTime"] = iso(created + timedelta(seconds=delay / 3))
        else:
            view["processingStatus"] = record["outcome"]
            view["processingStartTime"] = iso(created + timedelta(seconds=delay / 3))
            view["processingEndTime"] = iso(created + timedelta(seconds=delay))
            view["reportDocumentId"] = record["documentId"]
        return view

    def _report(self, ctx: Ctx) -> dict[str, Any]:
        rid = ctx.path_params["reportId"]
        record = self.state.store.get(REPORTS, rid)
        if record is None:
            raise ApiError(404, "NotFound", f"Report {rid} was not found.", rid)
        return record

    async def get_report(self, ctx: Ctx) -> Response:
        return self.respond(ctx, 200, self._report_view(self._report(ctx)))

    async def cancel_report(self, ctx: Ctx) -> Response:
        record = self._report(ctx)
        if self._report_view(record)["processingStatus"] != "IN_QUEUE":
            raise bad_request("Only reports that are IN_QUEUE can be cancelled.")
        record["cancelled"] = True
        self.state.store.put(REPORTS, record["reportId"], record)
        return self.respond(ctx, 200, None)

    async def get_reports(self, ctx: Ctx) -> Response:
        if ctx.query.get("nextToken") and len(ctx.query) > 1:
            raise bad_request("nextToken must be sent alone.")
        types = ctx.query.get("reportTypes")
        statuses = ctx.query.get("processingStatuses")
        page_size = q_int(ctx, "pageSize", 1, 100, 10)
        wanted_types = set(types.split(",")) if types else None
        wanted_status = set(statuses.split(",")) if statuses else None
        if wanted_types is None and not ctx.query.get("nextToken"):
            raise bad_request("reportTypes is required unless nextToken is given.")
        views = [self._report_view(r) for r in self.state.store.all(REPORTS)]
        views = [
            v
            for v in views
            if (wanted_types is None or v["reportType"] in wanted_types)
            and (wanted_status is None or v["processingStatus"] in wanted_status)
        ]
        views.sort(key=lambda v: (v["createdTime"], v["reportId"]), reverse=True)
        start = 0
        if ctx.query.get("nextToken"):
            try:
                start = int(base64.b64decode(ctx.query["nextToken"]).decode())
            except ValueError:
                raise bad_request("Invalid nextToken.") from None
        page = views[start : start + page_size]
        body: dict[str, Any] = {"reports": page}
        if start + page_size < len(views):
            body["nextToken"] = base64.b64encode(str(start + page_size).encode()).decode()
        return self.respond(ctx, 200, body)

    async def get_report_document(self, ctx: Ctx) -> Response:
        document_id = ctx.path_params["reportDocumentId"]
        record = next(
            (r for r in self.state.store.all(REPORTS) if r["documentId"] == document_id), None
        )
        if record is None or "reportDocumentId" not in self._report_view(record):
            raise ApiError(404, "NotFound", f"Report document {document_id} was not found.")
        encoding = "gzip" if q_bool(ctx, "enableContentEncodingUrlHeader", False) else ""
        url = self.documents.url(
            self.document_base(ctx.request), document_id, encoding, datetime.now(UTC)
        )
        return self.respond(
            ctx,
            200,
            {
                "reportDocumentId": document_id,
                "url": url,
                "compressionAlgorithm": "GZIP",
            },
        )
