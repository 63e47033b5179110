"""The month-end close pack: one Excel workbook (and one CSV per sheet) per settlement month.

Read from the warehouse the finance layer builds (dbt_finance) and from what NetSuite accepted
(the submission ledger), set-based, one query per sheet. Pure library code over a DuckDB
connection handed in by the caller: `vendor-pipelines close` opens the warehouse read-only,
the `finance/close_pack` asset uses its run's connection.

A month is its settlement days (`settlement_date`, the payment date in the finance timezone),
which is also the NetSuite posting date (`tranDate`) of each customer payment and journal.

Sheets: summary (with the three charts), settlement reconciliation, cash application, open
deductions aging, GL postings, unapplied cash, clearing account roll-forward, and the disputes:
the cases open at month end (with their deadline alert), the recovery figures and the root causes
of valid claims, all as of the month's last day. Money is written
as numbers in the row's currency format (`[$USD] #,##0.00`), dates as dates; the CSVs carry the
same rows with plain values (decimal text to the cent, ISO dates).
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import xlsxwriter

from vendor_pipelines.finance.dbt_sql import render_model
from vendor_pipelines.finance.dispute_deadlines import deadline_alert_sql
from vendor_pipelines.finance.posting import JOURNAL_CHANNEL, PAYMENT_CHANNEL

ZERO = Decimal("0.00")
CLEARING_ACCOUNT = "1010"  # Amazon settlement clearing (seed deduction_gl_mapping)
# Same buckets and order as finance.open_deductions.
AGING_BUCKETS = ("pre-due", "0-30", "31-40", "41-365", "1-2 years", "over 2 years")

# The finance layer a pack needs; without it there is nothing to close.
REQUIRED_RELATIONS = (
    "finance.settlement_reconciliation",
    "finance.cash_application",
    "finance.gl_postings",
    "finance.int_settlement_charges",
    "finance.int_settlements",
    "finance_config.deduction_gl_mapping",
    "staging.stg_netsuite_invoices",
)
# Written by the posting and exception steps; a warehouse that never posted has none yet, which
# reads as "nothing in NetSuite, no exception", not as an error.
OPTIONAL_RELATIONS = {
    "ops.submissions": "select null::varchar as channel, null::varchar as submission_key,"
    " null::varchar as status where false",
    "ops.exceptions": "select null::varchar as exception_type, null::varchar as severity,"
    " null::varchar as owner, null::timestamptz as first_seen_at,"
    " null::timestamptz as resolved_at where false",
}


class ClosePackError(RuntimeError):
    """Why a close pack cannot be produced, in one line (bad month, warehouse, finance layer)."""


def parse_month(text: str) -> date:
    """`YYYY-MM` (or a partition key `YYYY-MM-01`) as the first day of that month."""
    try:
        year, month = (int(part) for part in text.strip().split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        raise ClosePackError(f"month must be YYYY-MM, not {text!r}") from None


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


@contextmanager
def open_warehouse(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse, read-only; a missing, unreadable or locked file is a ClosePackError."""
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise ClosePackError(f"no warehouse at {path} (DUCKDB_PATH)")
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ClosePackError(f"cannot open the warehouse {path}: {first_line}") from None
    try:
        yield conn
    finally:
        conn.close()


# --- what the pack holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    """A native Excel chart over rows `first`..`last` (0-based data rows) of its sheet."""

    title: str
    kind: str  # xlsxwriter chart type: bar, column
    first: int
    last: int
    category_column: int
    value_columns: tuple[tuple[int, str], ...]  # (column, series name)
    x_title: str
    y_title: str


@dataclass(frozen=True)
class Sheet:
    title: str  # the Excel tab (at most 31 characters)
    slug: str  # the CSV's name part and the metadata key
    columns: tuple[str, ...]  # snake_case, as the CSV header and the warehouse name them
    kinds: tuple[str, ...]  # text | money | count | number | date | bool
    rows: list[tuple[Any, ...]]
    # Money cells take the currency of the row (index of its currency column) or, on the
    # summary and the roll-forward, of their own column (one amount column per currency).
    currency_column: int | None = None
    column_currencies: dict[int, str] = field(default_factory=dict)
    note: str | None = None
    charts: tuple[Chart, ...] = ()


@dataclass(frozen=True)
class CloseData:
    """Everything read from the warehouse for one month; written by `write_close_pack`."""

    month: date
    currencies: tuple[str, ...]
    sheets: tuple[Sheet, ...]
    # The three chart series (also shown in the Dagster UI): label(s) and amount per currency.
    deduction_mix: list[tuple[str, str, dict[str, Decimal]]]  # class, GL account, amounts
    variance_by_day: list[tuple[date, dict[str, Decimal]]]
    aging: list[tuple[str, int, dict[str, Decimal]]]  # bucket, open claims, amounts
    totals: dict[str, dict[str, Decimal]]  # measure -> currency -> amount
    counts: dict[str, int]


@dataclass(frozen=True)
class ClosePack:
    data: CloseData
    workbook: Path
    csv_files: dict[str, Path]

    @property
    def row_counts(self) -> dict[str, int]:
        return {sheet.slug: len(sheet.rows) for sheet in self.data.sheets}


def build_close_pack(conn: duckdb.DuckDBPyConnection, month: date, out_dir: Path) -> ClosePack:
    """Read `month` from the warehouse and write `close-YYYY-MM.xlsx` and its CSVs to `out_dir`."""
    return write_close_pack(read_close_pack(conn, month), out_dir)


# --- reading: one set-based query per sheet -----------------------------------------------


def _external_id_sql(prefix: str, column: str) -> str:
    # The SQL twin of netsuite_bodies.external_id: the key the ledger records a posting under.
    return f"'{prefix}-' || regexp_replace({column}, '[^A-Za-z0-9_-]', '-', 'g')"


PAYMENT_KEY = _external_id_sql("AMZ-PMT", "{column}")
JOURNAL_KEY = _external_id_sql("AMZ-JE", "{column}")

RECONCILIATION_SQL = f"""
with journals_needed as (
    select distinct settlement_id from finance.gl_postings
    where settlement_date between $month_start and $month_end
)
select r.settlement_date, r.settlement_id as payment_number, r.vendor_code, r.customer_id,
       r.currency, r.invoice_count, r.invoiced_amount, r.gross_applied, r.unapplied_cash,
       r.terms_discounts, r.identified_deductions, r.timing_items, r.unidentified_deductions,
       r.paid_amount, r.line_total, r.file_drift, r.unexplained_variance, r.is_postable,
       r.posting_blocked_reason,
       coalesce(p.status, 'not sent') as customer_payment_in_netsuite,
       case when j.status is not null then j.status
            when n.settlement_id is not null then 'not sent'
            else 'no journal needed' end as journal_in_netsuite
from finance.settlement_reconciliation r
left join {{submissions}} p
    on p.channel = '{PAYMENT_CHANNEL}'
    and p.submission_key = {PAYMENT_KEY.format(column="r.settlement_id")}
left join {{submissions}} j
    on j.channel = '{JOURNAL_CHANNEL}'
    and j.submission_key = {JOURNAL_KEY.format(column="r.settlement_id")}
left join journals_needed n on n.settlement_id = r.settlement_id
where r.grain = 'payment' and r.settlement_date between $month_start and $month_end
order by r.settlement_date, r.settlement_id
"""

CASH_APPLICATION_SQL = """
select c.settlement_date, c.payment_number, c.line_no, c.reference, c.record_kind,
       c.class_code, c.match_type, c.invoice_tranid as invoice_number, c.invoice_id,
       c.customer_id, c.vendor_code, s.currency, c.invoice_due_date, c.invoice_total,
       c.invoice_amount, c.discount_amount, c.cash_amount, c.apply_amount
from finance.cash_application c
left join finance.int_settlements s using (file_hash, payment_number)
where c.settlement_date between $month_start and $month_end
order by c.settlement_date, c.payment_number, c.line_no
"""


# Aging as of the month's last day: the model finance.open_deductions itself, rendered with the
# month end as its as-of day (finance.dbt_sql), not the view as stored, which is evaluated as of
# today: a claim reversed after the month would be missing from a past month's pack and every
# age would be wrong. One rule, in the model: claims netted with their own reversals, clocks
# from the adjusted invoice's due date for shortage and price claims, the 24-month cap, buckets.
def aging_sql(last: date) -> str:
    model = render_model("open_deductions", variables={"settlement_date_end": last.isoformat()})
    return f"""
select
    aging_bucket, deduction_key, class_code, claim_key, reference, original_invoice, vendor_code,
    customer_id, owner, gl_account_number, gl_account_name, currency, claimed_on,
    first_settlement_date, last_settlement_date, invoice_date, invoice_due_date, clock_start,
    clock_basis, line_count, deducted_amount, reversed_amount, open_amount, is_disputable,
    dispute_window_days, dispute_deadline, days_to_deadline, days_outstanding, as_of_date
from ({model}) as open_deductions
order by list_position($buckets, aging_bucket) desc, open_amount desc, deduction_key
"""


# The disputes as of the month's last day, rendered from the models as the aging is (a case won
# in the next month is still open in this month's pack, its days left counted from the month
# end): finance.dispute_cases with the month end as its as-of day, over its judgements rendered
# alike (the stored table judges the claims as of its build), and the recovery and root cause
# models over that rendering rather than over today's view. In ref order: each model reads the
# ones before it as rendered here.
DISPUTE_MODELS = (
    "int_dispute_case_fingerprints",
    "int_dispute_judgements",
    "dispute_cases",
    "dispute_recovery",
    "dispute_root_causes",
)
# Final statuses: the case is decided and off the open list.
DECIDED_STATUSES = ("won", "partly_won", "lost", "expired")


def dispute_models_sql(
    last: date, conn: duckdb.DuckDBPyConnection | None = None, also: tuple[str, ...] = ()
) -> dict[str, str]:
    """Each of DISPUTE_MODELS, then of `also` (models over them), rendered as of `last`,
    reading the ones before it so rendered."""
    variables = {"settlement_date_end": last.isoformat()}
    rendered: dict[str, str] = {}
    for name in DISPUTE_MODELS + also:
        # On lines of their own: a model may end in a `--` comment.
        refs = {model: f"(\n{sql}\n)" for model, sql in rendered.items()}
        rendered[name] = render_model(name, conn=conn, variables=variables, refs=refs)
    return rendered


def disputes_sql(cases: str) -> str:
    decided = ", ".join(f"'{status}'" for status in DECIDED_STATUSES)
    return f"""
select
    case_id, case_class, chargeback_type, status,
    {deadline_alert_sql("status", "days_left")} as deadline_alert,
    days_left, dispute_deadline, window_basis, judgement, judgement_reason, root_cause,
    claim_reference, invoice_number, po_number, vendor_code, customer_id, asin, claimed_units,
    currency, claimed_amount, recovered_amount, open_amount, claimed_on, invoice_due_date,
    submitted_at::date as submitted_on, submitted_by, as_of_date
from (
{cases}
) as dispute_cases
where status not in ({decided})
order by days_left nulls last, open_amount desc, case_id
"""


def dispute_recovery_sql(recovery: str) -> str:
    return f"""
select
    claim_month, case_class, currency, cases, claimed_amount, disputable_amount,
    disputed_amount,
    won_amount, recovered_amount, lost_amount, expired_amount, valid_amount, open_amount,
    round(recovery_rate * 100, 1)::double as recovery_rate_pct,
    median_days_to_decision::double as median_days_to_decision
from (
{recovery}
) as dispute_recovery
where claim_month <= $month_end
order by claim_month desc, case_class, currency
"""


def dispute_root_causes_sql(root_causes: str) -> str:
    return f"""
select claim_month, case_class, root_cause, currency, cases, units, amount
from (
{root_causes}
) as dispute_root_causes
where claim_month <= $month_end
order by claim_month desc, amount desc, case_class, root_cause
"""


GL_POSTINGS_SQL = f"""
select coalesce(g.gl_account_number, '(unmapped)') as gl_account_number, g.gl_account_name,
       g.settlement_id as payment_number, g.settlement_date, g.currency,
       {JOURNAL_KEY.format(column="g.settlement_id")} as journal_external_id,
       string_agg(distinct g.class_code, ', ' order by g.class_code) as deduction_classes,
       count(*) as journal_lines, sum(g.debit) as debit, sum(g.credit) as credit,
       sum(g.debit) - sum(g.credit) as net_debit,
       coalesce(any_value(j.status), 'not sent') as journal_in_netsuite
from finance.gl_postings g
left join {{submissions}} j
    on j.channel = '{JOURNAL_CHANNEL}'
    and j.submission_key = {JOURNAL_KEY.format(column="g.settlement_id")}
where g.settlement_date between $month_start and $month_end
group by all
order by gl_account_number, g.settlement_date, payment_number
"""

UNAPPLIED_CASH_SQL = """
select c.settlement_date, c.payment_number, c.line_no, c.reference, c.record_kind,
       c.vendor_code, s.currency, c.invoice_amount, c.discount_amount, c.cash_amount,
       r.is_postable as payment_postable, r.posting_blocked_reason
from finance.cash_application c
left join finance.int_settlements s using (file_hash, payment_number)
left join finance.settlement_reconciliation r
    on r.grain = 'payment' and r.settlement_id = c.payment_number
    and r.settlement_date = c.settlement_date
where c.match_type = 'UNMATCHED' and c.settlement_date between $month_start and $month_end
order by c.settlement_date, c.payment_number, c.line_no
"""

# Clearing (1010) moves only when NetSuite has the record (ledger status 'succeeded'), on the
# record's tranDate (= settlement date): the customer payment debits it with the gross invoice
# amounts it applies, the deduction journal's clearing line credits it with the net deductions.
ROLL_FORWARD_SQL = f"""
with payments as (
    select r.settlement_id, r.settlement_date, r.currency, r.paid_amount, r.gross_applied,
           p.submission_key is not null as posted
    from finance.settlement_reconciliation r
    left join {{submissions}} p
        on p.channel = '{PAYMENT_CHANNEL}' and p.status = 'succeeded'
        and p.submission_key = {PAYMENT_KEY.format(column="r.settlement_id")}
    where r.grain = 'payment' and r.settlement_date <= $month_end
),

clearing_lines as (
    select g.settlement_id, g.settlement_date, g.currency,
           sum(g.credit) - sum(g.debit) as moved_out
    from finance.gl_postings g
    join {{submissions}} j
        on j.channel = '{JOURNAL_CHANNEL}' and j.status = 'succeeded'
        and j.submission_key = {JOURNAL_KEY.format(column="g.settlement_id")}
    where g.gl_account_number = '{CLEARING_ACCOUNT}' and g.settlement_date <= $month_end
    group by all
),

movements as (
    select currency, settlement_date, 'in' as direction, gross_applied as amount
    from payments where posted
    union all
    select currency, settlement_date, 'out', moved_out from clearing_lines
),

moved as (
    select
        currency,
        coalesce(sum(case direction when 'in' then amount else -amount end)
                 filter (where settlement_date < $month_start), 0) as opening_balance,
        count(*) filter (where direction = 'in' and settlement_date >= $month_start)
            as payments_posted,
        coalesce(sum(amount) filter (where direction = 'in' and settlement_date >= $month_start),
                 0) as payments_in,
        count(*) filter (where direction = 'out' and settlement_date >= $month_start)
            as journals_posted,
        coalesce(sum(amount) filter (where direction = 'out'
                                     and settlement_date >= $month_start), 0) as postings_out
    from movements
    group by currency
),

received as (
    select currency, count(*) as payments_received, sum(paid_amount) as cash_received,
           count(*) filter (where not posted) as payments_not_posted,
           coalesce(sum(paid_amount) filter (where not posted), 0) as cash_not_posted
    from payments
    where settlement_date >= $month_start
    group by currency
)

select
    currency,
    coalesce(opening_balance, 0) as opening_balance,
    coalesce(payments_posted, 0) as payments_posted,
    coalesce(payments_in, 0) as payments_in,
    coalesce(journals_posted, 0) as journals_posted,
    coalesce(postings_out, 0) as postings_out,
    coalesce(payments_received, 0) as payments_received,
    coalesce(cash_received, 0) as cash_received,
    coalesce(payments_not_posted, 0) as payments_not_posted,
    coalesce(cash_not_posted, 0) as cash_not_posted
from moved
full outer join received using (currency)
order by currency
"""

INVOICES_SETTLED_SQL = """
select s.currency, count(distinct c.invoice_id) as invoices, sum(c.apply_amount) as gross_applied
from finance.cash_application c
left join finance.int_settlements s using (file_hash, payment_number)
where c.apply_amount <> 0 and c.settlement_date between $month_start and $month_end
group by all
order by s.currency
"""

# Every charge Amazon netted from the month's payments (deductions, reversals, terms discounts,
# tax withheld) on its mapped account; positive = deducted from the payment.
DEDUCTIONS_SQL = """
select c.class_code, m.gl_account_number, m.gl_account_name, s.currency,
       count(*) as charges, -sum(c.amount) as deducted
from finance.int_settlement_charges c
left join finance_config.deduction_gl_mapping m using (class_code)
left join finance.int_settlements s using (file_hash, payment_number)
where c.settlement_date between $month_start and $month_end
group by all
order by m.gl_account_number nulls first, c.class_code, s.currency
"""

OPEN_EXCEPTIONS_SQL = """
select exception_type, severity, count(*) as open_exceptions,
       min(first_seen_at)::date as oldest_first_seen
from {exceptions}
where owner = 'finance' and resolved_at is null
group by all
order by exception_type
"""


def _relations(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Placeholders of the optional tables: the table itself, or an empty relation."""
    present = {
        f"{schema}.{name}"
        for schema, name in conn.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_catalog = current_database()"
        ).fetchall()
    }
    missing = [name for name in REQUIRED_RELATIONS if name not in present]
    if missing:
        raise ClosePackError(
            f"the warehouse has no {missing[0]} yet: settle a day (nightly_settlement) first"
        )
    return {
        name.split(".")[1]: name if name in present else f"({empty})"
        for name, empty in OPTIONAL_RELATIONS.items()
    }


def _kind(type_name: str) -> str:
    if type_name.startswith("DECIMAL"):
        return "money"  # every decimal of the finance layer is an amount in its currency
    if type_name == "DATE":
        return "date"
    if type_name == "BOOLEAN":
        return "bool"
    if type_name in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT"):
        return "count"
    if type_name in ("DOUBLE", "FLOAT"):
        return "number"  # a rate or a median, not money
    return "text"


def _query(
    conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...], list[tuple[Any, ...]]]:
    used = {name: value for name, value in params.items() if f"${name}" in sql}
    cursor = conn.execute(sql, used)
    columns = tuple(d[0] for d in cursor.description)
    kinds = tuple(_kind(str(d[1])) for d in cursor.description)
    return columns, kinds, cursor.fetchall()


def _sheet(
    conn: duckdb.DuckDBPyConnection,
    title: str,
    slug: str,
    sql: str,
    params: dict[str, Any],
    **extra: Any,
) -> Sheet:
    columns, kinds, rows = _query(conn, sql, params)
    currency = columns.index("currency") if "currency" in columns else None
    return Sheet(title, slug, columns, kinds, rows, currency_column=currency, **extra)


def _sum(values: dict[str, Decimal], currency: str | None, amount: Any) -> None:
    values[currency or ""] = values.get(currency or "", ZERO) + Decimal(amount or 0)


def read_close_pack(conn: duckdb.DuckDBPyConnection, month: date) -> CloseData:
    month = month.replace(day=1)
    last = month_end(month)
    relations = _relations(conn)
    params = {"month_start": month, "month_end": last, "buckets": list(AGING_BUCKETS)}

    def sql(text: str) -> str:
        return text.replace("{submissions}", relations["submissions"]).replace(
            "{exceptions}", relations["exceptions"]
        )

    reconciliation = _sheet(
        conn,
        "settlement reconciliation",
        "settlement_reconciliation",
        sql(RECONCILIATION_SQL),
        params,
    )
    cash = _sheet(conn, "cash application", "cash_application", CASH_APPLICATION_SQL, params)
    aging = _sheet(
        conn,
        "open deductions aging",
        "open_deductions_aging",
        aging_sql(last),
        params,
        note=(
            f"Aged as of {last.isoformat()}: every charge settled up to that day, each claim "
            "net of its own reversals (the finance.open_deductions rule), so claims Amazon "
            "reversed after the month are still open here. Dispute deadline: the clock start "
            "plus the class's dispute window (finance_config.deduction_gl_mapping); the clock "
            "starts at the adjusted invoice's due date for shortage and price claims (never "
            "past 24 months from the invoice), else on the day Amazon took the deduction."
        ),
    )
    gl = _sheet(conn, "GL postings", "gl_postings", sql(GL_POSTINGS_SQL), params)
    unapplied = _sheet(conn, "unapplied cash", "unapplied_cash", UNAPPLIED_CASH_SQL, params)
    _, _, roll = _query(conn, sql(ROLL_FORWARD_SQL), params)
    _, _, invoices = _query(conn, INVOICES_SETTLED_SQL, params)
    _, _, deductions = _query(conn, DEDUCTIONS_SQL, params)
    _, _, exceptions = _query(conn, sql(OPEN_EXCEPTIONS_SQL), params)
    disputes, recovery, root_causes = _dispute_sheets(conn, month, last, params)

    # The series and totals below add up rows already read (a month's payments, its open
    # claims): small, and so the summary ties to its sheets by construction.
    col = {name: i for i, name in enumerate(reconciliation.columns)}
    cash_received: dict[str, Decimal] = {}
    variance: dict[str, Decimal] = {}
    by_day: dict[date, dict[str, Decimal]] = defaultdict(dict)
    day_payments: dict[date, int] = defaultdict(int)
    held = off_by = 0
    for row in reconciliation.rows:
        currency, day = row[col["currency"]], row[col["settlement_date"]]
        _sum(cash_received, currency, row[col["paid_amount"]])
        _sum(variance, currency, row[col["unexplained_variance"]])
        _sum(by_day[day], currency, row[col["unexplained_variance"]])
        day_payments[day] += 1
        held += row[col["is_postable"]] is not True
        off_by += (row[col["unexplained_variance"]] or 0) != 0

    a_col = {name: i for i, name in enumerate(aging.columns)}
    bucket_amounts: dict[str, dict[str, Decimal]] = {bucket: {} for bucket in AGING_BUCKETS}
    bucket_counts: dict[str, int] = dict.fromkeys(AGING_BUCKETS, 0)
    open_total: dict[str, Decimal] = {}
    for row in aging.rows:
        bucket, currency = row[a_col["aging_bucket"]], row[a_col["currency"]]
        _sum(bucket_amounts[bucket], currency, row[a_col["open_amount"]])
        _sum(open_total, currency, row[a_col["open_amount"]])
        bucket_counts[bucket] += 1

    d_col = {name: i for i, name in enumerate(disputes.columns)}
    disputes_open: dict[str, Decimal] = {}
    alerts: dict[str, tuple[int, dict[str, Decimal]]] = {}
    for row in disputes.rows:
        currency, amount = row[d_col["currency"]], row[d_col["open_amount"]]
        _sum(disputes_open, currency, amount)
        alert = row[d_col["deadline_alert"]]
        if alert:
            count, values = alerts.get(alert, (0, {}))
            _sum(values, currency, amount)
            alerts[alert] = (count + 1, values)

    gross_applied: dict[str, Decimal] = {}
    invoices_settled = 0
    for currency, count, amount in invoices:
        _sum(gross_applied, currency, amount)
        invoices_settled += int(count)

    mix: dict[tuple[str, str], dict[str, Decimal]] = {}
    mix_counts: dict[tuple[str, str], int] = defaultdict(int)
    deducted: dict[str, Decimal] = {}
    for class_code, account, account_name, currency, charges, amount in deductions:
        label = f"{account} {account_name}" if account else "(unmapped)"
        _sum(mix.setdefault((class_code, label), {}), currency, amount)
        _sum(deducted, currency, amount)
        mix_counts[(class_code, label)] += int(charges)

    currencies = tuple(
        sorted(
            {
                c
                for c in (*cash_received, *open_total, *deducted, *gross_applied, *disputes_open)
                if c
            }
            | {row[0] for row in roll if row[0]}
        )
    )
    roll_forward, closing = _roll_forward_sheet(roll, currencies, month, last)
    summary = _summary_sheet(
        currencies,
        month,
        last,
        payments=len(reconciliation.rows),
        cash_received=cash_received,
        invoices_settled=invoices_settled,
        gross_applied=gross_applied,
        mix=mix,
        mix_counts=mix_counts,
        deducted=deducted,
        variance=variance,
        held=held,
        off_by=off_by,
        by_day=by_day,
        day_payments=day_payments,
        bucket_amounts=bucket_amounts,
        bucket_counts=bucket_counts,
        open_total=open_total,
        disputes=len(disputes.rows),
        disputes_open=disputes_open,
        dispute_alerts=alerts,
        exceptions=exceptions,
    )
    return CloseData(
        month=month,
        currencies=currencies,
        sheets=(
            summary,
            reconciliation,
            cash,
            aging,
            gl,
            unapplied,
            roll_forward,
            disputes,
            recovery,
            root_causes,
        ),
        deduction_mix=[(cls, label, amounts) for (cls, label), amounts in mix.items()],
        variance_by_day=sorted(by_day.items()),
        aging=[(b, bucket_counts[b], bucket_amounts[b]) for b in AGING_BUCKETS],
        totals={
            "cash_received": cash_received,
            "gross_applied": gross_applied,
            "deductions": deducted,
            "unexplained_variance": variance,
            "open_deductions": open_total,
            "clearing_closing_balance": closing,
            "open_dispute_cases": disputes_open,
        },
        counts={
            "payments_received": len(reconciliation.rows),
            "payments_held": held,
            "invoices_settled": invoices_settled,
            "open_deductions": len(aging.rows),
            "unapplied_cash_lines": len(unapplied.rows),
            "open_dispute_cases": len(disputes.rows),
            "dispute_windows_closing": sum(alerts.get(a, (0, {}))[0] for a in ("warn", "error")),
            "open_finance_exceptions": sum(int(row[2]) for row in exceptions),
        },
    )


def _amount_columns(currencies: Sequence[str]) -> tuple[tuple[str, ...], dict[int, str]]:
    """One amount column per currency (a bare `amount` when the month has no money at all)."""
    names = tuple(f"amount_{c.lower()}" for c in currencies) or ("amount",)
    return names, dict(enumerate(currencies))


def _amounts(values: dict[str, Decimal], currencies: Sequence[str]) -> tuple[Decimal, ...]:
    return tuple(values.get(c, ZERO) for c in currencies) or (sum(values.values(), ZERO),)


# The summary's deadline lines, by the disputes sheet's deadline_alert (disputes.detections).
DEADLINE_WORDS = {
    "error": ("window closing, 2 days or fewer", "dispute_window_closing as an error"),
    "warn": ("window closing, 3 to 7 days", "dispute_window_closing as a warning"),
    "expired": ("window closed undisputed", "dispute_expired, not yet final at month end"),
}


def _dispute_sheets(
    conn: duckdb.DuckDBPyConnection, month: date, last: date, params: dict[str, Any]
) -> tuple[Sheet, Sheet, Sheet]:
    models = dispute_models_sql(last, conn)
    as_of = f"As of {last.isoformat()} (the models rendered with the month end as their as-of day)"
    disputes = _sheet(
        conn,
        "disputes",
        "disputes",
        disputes_sql(models["dispute_cases"]),
        params,
        note=(
            f"{as_of}: every claim case (finance.dispute_cases) not yet won, partly won, lost or "
            "expired at month end. Deadline alert: error with 2 days or fewer left, warn with 7 "
            "or fewer (dispute_window_closing), expired when the window closed undisputed "
            "(dispute_expired); days left are counted from the month end. Open amounts sit on "
            "1205 (chargebacks on 6200) until the case is decided."
        ),
    )
    recovery = _sheet(
        conn,
        "dispute recovery",
        "dispute_recovery",
        dispute_recovery_sql(models["dispute_recovery"]),
        params,
        note=(
            f"{as_of}: per claim month and class (finance.dispute_recovery). Recovery rate = "
            "recovered / disputed (submitted), in percent; days to decision from submission to "
            "the reversal or the loss (median). Valid claims go to 4170 (shortage) or 4160 "
            "(price); lost, expired and the unrecovered part of partly won ones to 6900."
        ),
    )
    root_causes = _sheet(
        conn,
        "dispute root causes",
        "dispute_root_causes",
        dispute_root_causes_sql(models["dispute_root_causes"]),
        params,
        note=(
            f"{as_of}: why valid claims were right (finance.dispute_root_causes): short-packed "
            "cartons, short shipments, invoices above the PO cost, ASN units that differ, late "
            "ASNs. Each is a fix at the source for operations or finance."
        ),
    )
    return disputes, recovery, root_causes


def _summary_sheet(currencies: tuple[str, ...], month: date, last: date, **s: Any) -> Sheet:
    names, by_offset = _amount_columns(currencies)
    rows: list[tuple[Any, ...]] = []
    blocks: dict[str, tuple[int, int]] = {}

    def add(section: str, item: Any, detail: str, count: int | None, values: dict) -> None:
        rows.append((section, item, detail, count, *_amounts(values, currencies)))

    def block(name: str, entries: list[tuple[Any, str, int | None, dict]]) -> None:
        # A chart needs at least one category: an empty month shows "none" at zero.
        first = len(rows)
        for item, detail, count, values in entries or [("none", "", 0, {})]:
            add(name, item, detail, count, values)
        blocks[name] = (first, len(rows) - 1)

    add("cash received", "Amazon payments", "", s["payments"], s["cash_received"])
    add(
        "invoices settled",
        "gross applied to invoices",
        "",
        s["invoices_settled"],
        s["gross_applied"],
    )
    block(
        "deductions by class",
        [(cls, label, s["mix_counts"][(cls, label)], v) for (cls, label), v in s["mix"].items()],
    )
    add("deductions by class", "total deducted", "", None, s["deducted"])
    add(
        "unexplained variance",
        "total",
        f"{s['held']} payment(s) held from posting",
        s["off_by"],
        s["variance"],
    )
    block(
        "unexplained variance by day",
        [(day, "", s["day_payments"][day], v) for day, v in sorted(s["by_day"].items())],
    )
    as_of = f"open deductions as of {last.isoformat()}"
    block(
        as_of,
        [(b, "", s["bucket_counts"][b], s["bucket_amounts"][b]) for b in AGING_BUCKETS],
    )
    add(as_of, "total open", "", sum(s["bucket_counts"].values()), s["open_total"])
    disputes_at = f"disputes as of {last.isoformat()}"
    add(
        disputes_at, "cases open", "not yet won, lost or expired", s["disputes"], s["disputes_open"]
    )
    for alert, words in DEADLINE_WORDS.items():
        count, values = s["dispute_alerts"].get(alert, (0, {}))
        add(disputes_at, words[0], words[1], count, values)
    for exception_type, severity, count, oldest in s["exceptions"]:
        detail = f"{severity}, oldest first seen {oldest.isoformat()}" if oldest else severity
        add("open finance exceptions (now)", exception_type, detail, int(count), {})
    if not s["exceptions"]:
        add("open finance exceptions (now)", "none", "", 0, {})

    amount_start = 4
    series = tuple(
        (amount_start + offset, f"{by_offset.get(offset, 'amount')}")
        for offset in range(len(names))
    )

    def chart(name: str, title: str, kind: str, x_title: str, y_title: str) -> Chart:
        first, last_row = blocks[name]
        return Chart(title, kind, first, last_row, 1, series, x_title, y_title)

    return Sheet(
        title="summary",
        slug="summary",
        columns=("section", "item", "detail", "count", *names),
        kinds=("text", "text", "text", "count", *("money",) * len(names)),
        rows=rows,
        column_currencies={amount_start + o: c for o, c in by_offset.items()},
        note=(
            f"Settlement month {month.isoformat()} to {last.isoformat()} (payment dates, finance "
            "timezone). Deductions: positive = netted from Amazon's payments, negative = paid "
            "back. Open deductions are aged as of the month's last day; open exceptions are "
            "those open when the pack was produced."
        ),
        charts=(
            chart("deductions by class", "Deduction mix by class", "bar", "class", "deducted"),
            chart(
                "unexplained variance by day",
                "Unexplained variance per settlement day",
                "column",
                "settlement day",
                "variance",
            ),
            chart(as_of, "Open deductions by aging bucket", "column", "aging bucket", "open"),
        ),
    )


def _roll_forward_sheet(
    roll: list[tuple[Any, ...]], currencies: tuple[str, ...], month: date, last: date
) -> tuple[Sheet, dict[str, Decimal]]:
    names, by_offset = _amount_columns(currencies)
    by_currency = {row[0]: row for row in roll}

    def values(index: int, sign: int = 1) -> dict[str, Decimal]:
        # ZERO + ...: an empty out line reads 0.00, not -0.00
        return {c: ZERO + sign * Decimal(r[index]) for c, r in by_currency.items()}

    def count(index: int) -> int:
        return sum(int(r[index]) for r in by_currency.values())

    opening, money_in, money_out = values(1), values(3), values(5, -1)
    closing = {c: opening[c] + money_in[c] + money_out[c] for c in by_currency}
    received, not_posted = values(7), values(9)
    check = {c: closing[c] - opening[c] - (received[c] - not_posted[c]) for c in by_currency}
    lines = [
        (f"opening balance (posted before {month.isoformat()})", None, opening),
        ("customer payments posted: gross applied to invoices (in)", count(2), money_in),
        ("deduction journals posted: net deductions off clearing (out)", count(4), money_out),
        (f"closing balance ({last.isoformat()})", None, closing),
        ("memo: cash received in the month (every payment)", count(6), received),
        ("memo: of which not in NetSuite (held, failed or not sent)", count(8), not_posted),
        ("check: movement minus cash of the payments posted (0 = ties)", None, check),
    ]
    rows = [(label, n, *_amounts(v, currencies)) for label, n, v in lines]
    note = (
        f"Rule: account {CLEARING_ACCOUNT} (Amazon settlement clearing) moves only by what "
        "NetSuite accepted (ops.submissions status 'succeeded'), dated by the record's tranDate "
        "= the payment's settlement date. In: each customer payment (channel "
        f"{PAYMENT_CHANNEL}, AMZ-PMT-<payment>) deposits the gross invoice amounts it applies "
        "(settlement_reconciliation.gross_applied). Out: each deduction journal (channel "
        f"{JOURNAL_CHANNEL}, AMZ-JE-<payment>) moves the payment's net deductions off clearing "
        f"(its {CLEARING_ACCOUNT} line in finance.gl_postings, credit minus debit; a net "
        "pay-back comes in). Opening = every such movement dated before the month; closing = "
        "opening + in - out, which is the cash of the posted payments still to be cleared by "
        "their bank deposits (booked in NetSuite outside this pipeline). Held or failed "
        "payments are not in NetSuite and so not here: see the memo line."
    )
    sheet = Sheet(
        title=f"clearing {CLEARING_ACCOUNT} roll-forward",
        slug="clearing_roll_forward",
        columns=("line", "count", *names),
        kinds=("text", "count", *("money",) * len(names)),
        rows=rows,
        column_currencies={2 + o: c for o, c in by_offset.items()},
        note=note,
    )
    return sheet, closing


# --- writing ------------------------------------------------------------------------------


def money_format(currency: str | None) -> str:
    """Excel currency format of an ISO code (`[$EUR] #,##0.00`): unambiguous in a pack that
    holds several currencies; plain two decimals when the currency is unknown."""
    if not currency:
        return "#,##0.00;-#,##0.00"
    return f"[${currency}] #,##0.00;-[${currency}] #,##0.00"


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return value  # Decimal prints to the cent, exactly as the warehouse holds it


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self._workbook = workbook
        self._money: dict[str | None, Any] = {}
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DDE4EE", "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.count = workbook.add_format({"num_format": "#,##0"})
        self.number = workbook.add_format({"num_format": "#,##0.0"})
        self.note = workbook.add_format({"italic": True, "text_wrap": True, "valign": "top"})

    def money(self, currency: str | None) -> Any:
        if currency not in self._money:
            self._money[currency] = self._workbook.add_format(
                {"num_format": money_format(currency)}
            )
        return self._money[currency]


WIDTH_SAMPLE_ROWS = 2000  # column widths are measured on the first rows (and money maxima)


def _widths(sheet: Sheet) -> list[int]:
    widths = [min(max(len(name), 8), 40) for name in sheet.columns]
    sample = sheet.rows[:WIDTH_SAMPLE_ROWS]
    for c, kind in enumerate(sheet.kinds):
        if kind == "money":
            largest = max((abs(row[c]) for row in sheet.rows if row[c] is not None), default=0)
            width = len(f"{largest:,.2f}") + 6  # the currency code and a minus sign
        elif kind == "date":
            width = 10
        else:
            width = max((len(str(row[c])) for row in sample if row[c] is not None), default=0)
        widths[c] = min(max(widths[c], width), 60)
    return widths


def _write_sheet(workbook: xlsxwriter.Workbook, formats: _Formats, sheet: Sheet) -> None:
    ws = workbook.add_worksheet(sheet.title)
    ws.freeze_panes(1, 0)
    ws.set_row(0, 30)
    for c, name in enumerate(sheet.columns):
        ws.write_string(0, c, name.replace("_", " "), formats.header)
    currency_col = sheet.currency_column
    for r, row in enumerate(sheet.rows, start=1):
        currency = row[currency_col] if currency_col is not None else None
        for c, value in enumerate(row):
            if value is None:
                continue
            kind = sheet.kinds[c]
            if kind == "money":
                fmt = formats.money(sheet.column_currencies.get(c, currency))
                ws.write_number(r, c, float(value), fmt)
            elif kind == "count":
                ws.write_number(r, c, int(value), formats.count)
            elif kind == "number":
                ws.write_number(r, c, float(value), formats.number)
            elif isinstance(value, date):  # also a text column's dates (summary by-day rows)
                ws.write_datetime(r, c, value, formats.date)
            elif kind == "bool":
                ws.write_boolean(r, c, value)
            else:
                # write_string, never write(): remittance text starting with '=' stays text.
                ws.write_string(r, c, str(value))
    for c, width in enumerate(_widths(sheet)):
        ws.set_column(c, c, width + 2)
    if sheet.rows:
        ws.autofilter(0, 0, len(sheet.rows), len(sheet.columns) - 1)
    if sheet.note:
        note_row = len(sheet.rows) + 2
        ws.set_row(note_row, 15 * (1 + len(sheet.note) // 110))
        ws.merge_range(note_row, 0, note_row, len(sheet.columns) - 1, sheet.note, formats.note)
    for index, spec in enumerate(sheet.charts):
        chart = workbook.add_chart({"type": spec.kind})
        for column, name in spec.value_columns:
            chart.add_series(
                {
                    "name": name,
                    "categories": [
                        sheet.title,
                        spec.first + 1,
                        spec.category_column,
                        spec.last + 1,
                        spec.category_column,
                    ],
                    "values": [sheet.title, spec.first + 1, column, spec.last + 1, column],
                }
            )
        chart.set_title({"name": spec.title})
        chart.set_x_axis({"name": spec.x_title})
        chart.set_y_axis({"name": spec.y_title})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 640, "height": 320})
        ws.insert_chart(1 + index * 17, len(sheet.columns) + 1, chart)


def _write_csv(path: Path, sheet: Sheet) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(sheet.columns)
        writer.writerows([_csv_value(v) for v in row] for row in sheet.rows)


def write_close_pack(data: CloseData, out_dir: Path) -> ClosePack:
    """Write the workbook and the CSVs, each to a temporary name swapped in when complete, so a
    reader (or the last pack of the month) never meets half a file."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"close-{data.month:%Y-%m}"
    workbook_path = out_dir / f"{stem}.xlsx"
    temporary = out_dir / f".{stem}.xlsx.{os.getpid()}.tmp"
    # constant_memory streams rows to disk: a month of cash application lines stays small.
    workbook = xlsxwriter.Workbook(
        str(temporary), {"constant_memory": True, "remove_timezone": True}
    )
    workbook.set_properties(
        {"title": f"Month-end close pack {data.month:%Y-%m}", "subject": "Amazon settlements"}
    )
    formats = _Formats(workbook)
    try:
        for sheet in data.sheets:
            _write_sheet(workbook, formats, sheet)
        workbook.close()
        os.replace(temporary, workbook_path)
    finally:
        temporary.unlink(missing_ok=True)
    csv_files = {}
    for sheet in data.sheets:
        path = out_dir / f"{stem}-{sheet.slug}.csv"
        partial = out_dir / f".{path.name}.{os.getpid()}.tmp"
        try:
            _write_csv(partial, sheet)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        csv_files[sheet.slug] = path
    return ClosePack(data, workbook_path, csv_files)
