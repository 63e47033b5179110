"""Vendor reports: create, poll, download (pre-signed, maybe gzipped) and parse documents."""

from __future__ import annotations

import gzip
import time
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError

from .client_core import ClientCore
from .client_support import _validation_field
from .errors import (
    AmazonApiError,
    AmazonResponseError,
    AmazonTransportError,
    ApiErrorDetail,
    ReportFailedError,
    ReportTimeoutError,
)
from .models import reports
from .models.common import AmzModel


class ReportsMixin(ClientCore):
    """The Reports API as vendors use it: sales, Net PPM and other vendor reports."""

    def create_report(
        self,
        report_type: str,
        marketplace_ids: list[str],
        *,
        data_start_time: datetime | None = None,
        data_end_time: datetime | None = None,
        report_options: dict[str, str] | None = None,
    ) -> str:
        """createReport → reportId (processing is asynchronous)."""
        spec = reports.CreateReportSpecification(
            reportType=report_type,
            marketplaceIds=marketplace_ids,
            dataStartTime=data_start_time,
            dataEndTime=data_end_time,
            reportOptions=report_options,
        )
        return self._call("reports.createReport", body=spec).reportId

    def get_report(self, report_id: str) -> reports.Report:
        return self._call("reports.getReport", path_params={"reportId": report_id})

    def get_reports(self, **filters: Any) -> reports.GetReportsResponse:
        params = {
            k: (",".join(v) if isinstance(v, list | tuple) else v) for k, v in filters.items()
        }
        return self._call("reports.getReports", params=params)

    def wait_for_report(
        self,
        report_id: str,
        *,
        budget_seconds: float = 1800.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 60.0,
    ) -> reports.Report:
        """Poll getReport until DONE; FATAL/CANCELLED raise `ReportFailedError`."""
        started = time.monotonic()
        interval = poll_interval
        while True:
            report = self.get_report(report_id)
            status = report.processingStatus
            if status == reports.ProcessingStatus.DONE:
                return report
            if status in (reports.ProcessingStatus.FATAL, reports.ProcessingStatus.CANCELLED):
                details = None
                if report.reportDocumentId:
                    try:
                        doc = self.download_report_document(
                            self.get_report_document(report.reportDocumentId)
                        )
                        details = _error_details_text(doc)
                    except Exception:  # the error document is a courtesy
                        details = None
                raise ReportFailedError(report_id, status.value, details)
            elapsed = time.monotonic() - started
            if elapsed + interval > budget_seconds:
                raise ReportTimeoutError(report_id, status.value, elapsed)
            time.sleep(interval)
            interval = min(max_poll_interval, interval * 1.5)

    def get_report_document(self, report_document_id: str) -> reports.ReportDocument:
        return self._call(
            "reports.getReportDocument", path_params={"reportDocumentId": report_document_id}
        )

    def download_report_document(self, document: reports.ReportDocument) -> bytes:
        """GET the pre-signed URL (no SP-API token) and gunzip when `compressionAlgorithm` says."""
        policy = self.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._download.get(document.url)
                if response.status_code < 500:
                    break
                reason = f"HTTP {response.status_code}"
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                reason = type(exc).__name__
            delay = policy.delay(attempt, self._rng)
            if (
                attempt >= policy.max_attempts
                or time.monotonic() - started + delay > policy.max_elapsed_seconds
            ):
                raise AmazonTransportError("reports.download", reason, attempt)
            time.sleep(delay)
        if response.status_code >= 400:
            raise AmazonApiError(
                "reports.download",
                response.status_code,
                [ApiErrorDetail("DownloadFailed", response.text[:200])],
            )
        content = response.content
        # With Content-Encoding: gzip httpx has already decoded the body: check the magic bytes.
        gzipped = document.compressionAlgorithm == reports.CompressionAlgorithm.GZIP
        if gzipped and content[:2] == b"\x1f\x8b":
            content = gzip.decompress(content)
        return content

    def fetch_report(
        self,
        report_type: str,
        marketplace_ids: list[str],
        *,
        data_start_time: datetime | None = None,
        data_end_time: datetime | None = None,
        report_options: dict[str, str] | None = None,
        budget_seconds: float = 1800.0,
        poll_interval: float = 2.0,
    ) -> AmzModel | dict[str, Any]:
        """create → wait → download → parse: a typed vendor report document.

        Sales and Net PPM documents come back as `VendorSalesReport` /
        `VendorNetPureProductMarginReport`; other report types as the decoded JSON.
        """
        report_id = self.create_report(
            report_type,
            marketplace_ids,
            data_start_time=data_start_time,
            data_end_time=data_end_time,
            report_options=report_options,
        )
        report = self.wait_for_report(
            report_id, budget_seconds=budget_seconds, poll_interval=poll_interval
        )
        assert report.reportDocumentId is not None
        raw = self.download_report_document(self.get_report_document(report.reportDocumentId))
        return parse_report_document(report_type, raw, report_id)


def parse_report_document(report_type: str, raw: bytes, report_id: str = "?") -> Any:
    import json

    try:
        body = json.loads(raw)
    except ValueError:
        raise AmazonResponseError("reports.download", "<document>", "not JSON") from None
    details = _error_details_text(raw) if isinstance(body, dict) else None
    if details:
        raise ReportFailedError(report_id, "DONE", details)
    model = reports.REPORT_DOCUMENT_MODELS.get(report_type)
    if model is None:
        return body
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        where, problem = _validation_field(exc)
        raise AmazonResponseError("reports.download", where, problem) from None


def _error_details_text(raw: bytes) -> str | None:
    import json

    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if isinstance(body, dict) and "errorDetails" in body:
        return str(body["errorDetails"])
    return None
