"""Vendor report documents (sales, Net PPM) generated from the shared world, deterministically.

Values are drawn per (seed, ASIN, period) so a report for the same window is identical whenever
and wherever it is generated. Sales use the catalogue's prices: shipped COGS = units x Amazon
net cost, revenue = units x list price. Requests Amazon would fail (missing or unaligned options,
DAY spans over 15 days) end FATAL with an `{"errorDetails": ...}` document.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from vendor_sandbox.world import World

SALES = "GET_VENDOR_SALES_REPORT"
NET_PPM = "GET_VENDOR_NET_PURE_PRODUCT_MARGIN_REPORT"
SUPPORTED = (SALES, NET_PPM)
KNOWN_TYPES = (
    SALES,
    NET_PPM,
    "GET_VENDOR_INVENTORY_REPORT",
    "GET_VENDOR_TRAFFIC_REPORT",
    "GET_VENDOR_FORECASTING_REPORT",
    "GET_VENDOR_REAL_TIME_SALES_REPORT",
    "GET_VENDOR_REAL_TIME_INVENTORY_REPORT",
    "GET_VENDOR_REAL_TIME_TRAFFIC_REPORT",
    "GET_COUPON_PERFORMANCE_REPORT",
)
MARKETPLACES = {
    "ATVPDKIKX0DER": "USD",
    "A2EUQ1WTGCTBG2": "CAD",
    "A1AM78C64UM0Y8": "MXN",
    "A2Q3Y263D00KWC": "BRL",
    "A1F83G8C2ARO7P": "GBP",
    "A1PA6795UKMFR9": "EUR",
    "A13V1IB3VIYZZH": "EUR",
    "APJ6JRA9NG5V4": "EUR",
    "A1RKKUPIHCS9HS": "EUR",
    "A1805IZSGTT6HS": "EUR",
    "A2NODRKZP88ZB9": "SEK",
    "A1C3SOZRARQ6R3": "PLN",
    "A33AVAJ2PDY3EV": "TRY",
    "A2VIGQ35RCS4UG": "AED",
    "A17E79C6D8DWNP": "SAR",
    "ARBP9OOSHTCHU": "EGP",
    "A21TJRUUN4KGV": "INR",
    "A1VC38T7YXB528": "JPY",
    "A39IBJ37TRP1C6": "AUD",
    "A19VAU5U5O7RUS": "SGD",
}
PERIODS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")


class ReportRejected(Exception):
    """The report ends FATAL; the message becomes the document's `errorDetails`."""


def _periods(start: date, end: date, period: str) -> list[tuple[date, date]]:
    out = []
    cursor = start
    while cursor <= end:
        if period == "DAY":
            last = cursor
        elif period == "WEEK":
            last = cursor + timedelta(days=6)
        elif period == "MONTH":
            last = cursor.replace(day=calendar.monthrange(cursor.year, cursor.month)[1])
        elif period == "QUARTER":
            month = ((cursor.month - 1) // 3) * 3 + 3
            last = date(cursor.year, month, calendar.monthrange(cursor.year, month)[1])
        else:
            last = date(cursor.year, 12, 31)
        out.append((cursor, min(last, end)))
        cursor = last + timedelta(days=1)
    return out


def _check_alignment(start: date, end: date, period: str) -> None:
    if end < start:
        raise ReportRejected("dataEndTime must not be before dataStartTime.")
    if period == "DAY" and (end - start).days + 1 > 15:
        raise ReportRejected("For reportPeriod DAY the date range must not exceed 15 days.")
    if period == "WEEK" and (start.weekday() != 6 or end.weekday() != 5):
        raise ReportRejected(
            "For reportPeriod WEEK, dataStartTime must be a Sunday and dataEndTime a Saturday."
        )
    if period == "MONTH" and (
        start.day != 1 or end.day != calendar.monthrange(end.year, end.month)[1]
    ):
        raise ReportRejected("For reportPeriod MONTH the range must cover whole months.")
    if period == "QUARTER" and (
        start.day != 1
        or start.month not in (1, 4, 7, 10)
        or end.month not in (3, 6, 9, 12)
        or end.day != calendar.monthrange(end.year, end.month)[1]
    ):
        raise ReportRejected("For reportPeriod QUARTER the range must cover whole quarters.")
    if period == "YEAR" and (start.month, start.day, end.month, end.day) != (1, 1, 12, 31):
        raise ReportRejected("For reportPeriod YEAR the range must cover whole years.")


def _option(options: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = options.get(name)
    if value is None:
        raise ReportRejected(f"reportOptions.{name} is required for this report type.")
    if value not in allowed:
        raise ReportRejected(
            f"reportOptions.{name} value {value!r} is not valid; valid values: "
            f"{', '.join(allowed)}."
        )
    return value


def _dates(spec: dict[str, Any]) -> tuple[date, date]:
    if not spec.get("dataStartTime") or not spec.get("dataEndTime"):
        raise ReportRejected("dataStartTime and dataEndTime are required for this report type.")
    start = datetime.fromisoformat(spec["dataStartTime"]).date()
    end = datetime.fromisoformat(spec["dataEndTime"]).date()
    return start, end


def _amount(value: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": float(value.quantize(Decimal("0.01"))), "currencyCode": currency}


def build_document(world: World, spec: dict[str, Any], today: date) -> dict[str, Any]:
    """The report document for a createReport specification (raises ReportRejected)."""
    report_type = spec["reportType"]
    options = spec.get("reportOptions") or {}
    if not isinstance(options, dict):
        raise ReportRejected("reportOptions must be an object of option names to values.")
    if report_type not in SUPPORTED:
        raise ReportRejected(f"{report_type} is not simulated by the sandbox.")
    period = _option(options, "reportPeriod", PERIODS)
    start, end = _dates(spec)
    _check_alignment(start, end, period)
    currency = MARKETPLACES.get(spec["marketplaceIds"][0], "USD")
    specification = {
        "reportType": report_type,
        "reportOptions": dict(options),
        "lastUpdatedDate": (today - timedelta(days=1)).isoformat(),
        "dataStartTime": start.isoformat(),
        "dataEndTime": end.isoformat(),
        "marketplaceIds": list(spec["marketplaceIds"]),
    }
    periods = _periods(start, end, period)
    if report_type == SALES:
        view = _option(options, "distributorView", ("MANUFACTURING", "SOURCING"))
        program = _option(options, "sellingProgram", ("RETAIL", "BUSINESS", "FRESH"))
        return _sales(world, specification, periods, currency, view, program)
    return _net_ppm(world, specification, periods)


def _sales(world, specification, periods, currency, view, program) -> dict[str, Any]:
    by_asin: list[dict[str, Any]] = []
    aggregates: list[dict[str, Any]] = []
    for first, last in periods:
        days = (last - first).days + 1
        totals = {
            "ordered": 0,
            "shipped": 0,
            "returns": 0,
            "rev": Decimal(0),
            "srev": Decimal(0),
            "cogs": Decimal(0),
        }
        for item in world.items:
            rng = random.Random(f"sales:{world.seed}:{item.asin}:{first}:{days}:{program}")
            shipped = sum(rng.randint(0, 6) for _ in range(min(days, 31))) * max(1, days // 31)
            ordered = max(0, shipped + rng.randint(-2, 3))
            returns = rng.randint(0, max(0, shipped // 15))
            row: dict[str, Any] = {
                "startDate": first.isoformat(),
                "endDate": last.isoformat(),
                "asin": item.asin,
                "shippedCogs": _amount(item.amazon_net_cost * shipped, currency),
                "shippedRevenue": _amount(item.list_price * shipped, currency),
                "shippedUnits": shipped,
            }
            if program in ("RETAIL", "BUSINESS"):
                row["customerReturns"] = returns
            if view == "MANUFACTURING":
                row["orderedRevenue"] = _amount(item.list_price * ordered, currency)
                row["orderedUnits"] = ordered
            by_asin.append(row)
            totals["ordered"] += ordered
            totals["shipped"] += shipped
            totals["returns"] += returns
            totals["rev"] += item.list_price * ordered
            totals["srev"] += item.list_price * shipped
            totals["cogs"] += item.amazon_net_cost * shipped
        agg: dict[str, Any] = {
            "startDate": first.isoformat(),
            "endDate": last.isoformat(),
            "shippedCogs": _amount(totals["cogs"], currency),
            "shippedRevenue": _amount(totals["srev"], currency),
            "shippedUnits": totals["shipped"],
        }
        if program in ("RETAIL", "BUSINESS"):
            agg["customerReturns"] = totals["returns"]
        if view == "MANUFACTURING":
            agg["orderedRevenue"] = _amount(totals["rev"], currency)
            agg["orderedUnits"] = totals["ordered"]
        aggregates.append(agg)
    return {
        "reportSpecification": specification,
        "salesAggregate": aggregates,
        "salesByAsin": by_asin,
    }


def _net_ppm(world, specification, periods) -> dict[str, Any]:
    by_asin = []
    aggregates = []
    for first, last in periods:
        margins = []
        for item in world.items:
            rng = random.Random(f"ppm:{world.seed}:{item.asin}:{first}:{last}")
            margin = round(rng.uniform(-0.15, 0.45), 4)
            margins.append(margin)
            by_asin.append(
                {
                    "startDate": first.isoformat(),
                    "endDate": last.isoformat(),
                    "asin": item.asin,
                    "netPureProductMargin": margin,
                }
            )
        aggregates.append(
            {
                "startDate": first.isoformat(),
                "endDate": last.isoformat(),
                "netPureProductMargin": round(sum(margins) / max(1, len(margins)), 4),
            }
        )
    return {
        "reportSpecification": specification,
        "netPureProductMarginAggregate": aggregates,
        "netPureProductMarginByAsin": by_asin,
    }
