"""Reports API 2021-06-30 and the vendor report documents (sales, Net PPM).

Report documents are JSON (gzip on the wire) whose money amounts are JSON *numbers*; they are
parsed to `Decimal` without loss.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .common import AmzDateTime, AmzDecimal, AmzEnum, AmzModel, Error

VENDOR_SALES_REPORT = "GET_VENDOR_SALES_REPORT"
VENDOR_NET_PPM_REPORT = "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT"


class ProcessingStatus(AmzEnum):
    CANCELLED = "CANCELLED"
    DONE = "DONE"
    FATAL = "FATAL"
    IN_PROGRESS = "IN_PROGRESS"
    IN_QUEUE = "IN_QUEUE"


class CompressionAlgorithm(AmzEnum):
    GZIP = "GZIP"


class CreateReportSpecification(AmzModel):
    reportOptions: dict[str, str] | None = None
    reportType: str
    dataStartTime: AmzDateTime | None = None
    dataEndTime: AmzDateTime | None = None
    marketplaceIds: list[str]


class CreateReportResponse(AmzModel):
    reportId: str


class Report(AmzModel):
    marketplaceIds: list[str] | None = None
    reportId: str
    reportType: str
    dataStartTime: AmzDateTime | None = None
    dataEndTime: AmzDateTime | None = None
    reportScheduleId: str | None = None
    createdTime: AmzDateTime
    processingStatus: ProcessingStatus
    processingStartTime: AmzDateTime | None = None
    processingEndTime: AmzDateTime | None = None
    reportDocumentId: str | None = None


class GetReportsResponse(AmzModel):
    reports: list[Report]
    nextToken: str | None = None


class ReportDocument(AmzModel):
    reportDocumentId: str
    url: str
    compressionAlgorithm: CompressionAlgorithm | None = None


class ErrorList(AmzModel):
    errors: list[Error]


# --- report documents -------------------------------------------------------------------------


class Amount(AmzModel):
    amount: AmzDecimal
    currencyCode: str


class ReportSpecification(AmzModel):
    reportType: str
    reportOptions: dict[str, Any]
    lastUpdatedDate: date | None = None
    dataStartTime: date
    dataEndTime: date
    marketplaceIds: list[str]


class SalesAggregate(AmzModel):
    startDate: date
    endDate: date
    customerReturns: int | None = None
    orderedRevenue: Amount | None = None
    orderedUnits: int | None = None
    shippedCogs: Amount
    shippedRevenue: Amount
    shippedUnits: int


class SalesByAsin(SalesAggregate):
    asin: str


class VendorSalesReport(AmzModel):
    reportSpecification: ReportSpecification
    salesAggregate: list[SalesAggregate]
    salesByAsin: list[SalesByAsin]


class NetPureProductMarginAggregate(AmzModel):
    startDate: date
    endDate: date
    netPureProductMargin: AmzDecimal


class NetPureProductMarginByAsin(NetPureProductMarginAggregate):
    asin: str


class VendorNetPureProductMarginReport(AmzModel):
    reportSpecification: ReportSpecification
    netPureProductMarginAggregate: list[NetPureProductMarginAggregate]
    netPureProductMarginByAsin: list[NetPureProductMarginByAsin]


REPORT_DOCUMENT_MODELS: dict[str, type[AmzModel]] = {
    VENDOR_SALES_REPORT: VendorSalesReport,
    VENDOR_NET_PPM_REPORT: VendorNetPureProductMarginReport,
}
