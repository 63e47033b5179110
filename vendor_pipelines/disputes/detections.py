"""Dispute deadlines as exceptions: set-based SQL over `finance.dispute_cases`.

A claim Amazon took is money back only if it is disputed in time. Every case still ours to
dispute (not yet submitted: `open`, not judged for want of records, or `disputable`, our records
prove Amazon wrong) raises `dispute_window_closing` in its last WARN_DAYS days, as a warning,
and as an error in its last ERROR_DAYS (per-detection severity, see exceptions.store; the rule
is `finance.dispute_deadlines`). A case whose window closed undisputed raises
`dispute_expired`.

Days left are counted from the day the detection runs (`today`, in the finance timezone), not
from the view's own `as_of_date`: the view is as of the settlement day last built, which lags a
day (the nightly run settles yesterday) and more when an old day is settled again, while a
deadline is a calendar fact. A case the view still shows open whose deadline is behind us is
expired for the same reason.

`dispute_expired` stays open while finance still has something to see through: for a shortage
or price claim until its write-off journal (`AMZ-DJE-<case id>`, 1205 to 6900) is in NetSuite,
and in any case for EXPIRED_NOTICE_DAYS after the deadline (a chargeback needs no journal: it
was expensed on 6200 when Amazon took it).

Pure SQL and constants, no Dagster: `defs/disputes/deadlines.py` records them each run, and the
close pack uses `deadline_alert_sql` to show the same rule as of a month's last day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from vendor_pipelines.finance.dispute_deadlines import deadline_alert_sql, quoted
from vendor_pipelines.finance.posting import JOURNAL_CHANNEL

EXPIRED_NOTICE_DAYS = 30  # dispute_expired stays open at least this long after the deadline
# Classes whose open amount sits on 1205 until a reclass journal moves it (chargebacks: 6200).
JOURNALED_CLASSES = ("SHORTAGE", "PRICE_CLAIM")
JOURNAL_PREFIX = "AMZ-DJE"


def _journal_key(case_id: str) -> str:
    # The SQL twin of netsuite_bodies.external_id: the key the ledger records the journal under.
    return f"'{JOURNAL_PREFIX}-' || regexp_replace({case_id}, '[^A-Za-z0-9_-]', '-', 'g')"


_CASE_WORDS = """case c.case_class when 'SHORTAGE' then 'Shortage claim'
                            when 'PRICE_CLAIM' then 'Price claim'
                            when 'CHARGEBACK' then 'Chargeback'
                            else c.case_class end"""
_MONEY = "coalesce(c.currency || ' ', '') || cast(c.open_amount as decimal(18, 2))::varchar"
_WHAT = f"""{_CASE_WORDS} || ' ' || c.case_id || ' (' || coalesce(c.claim_reference, '?')
        || coalesce(', invoice ' || c.invoice_number, '')
        || coalesce(', PO ' || c.po_number, '') || ')'"""
_JUDGEMENT = """coalesce(c.judgement, 'unjudged')
        || coalesce(': ' || rtrim(c.judgement_reason, '.'), '')"""

DEADLINE_PROBLEMS = f"""
with counted as (
    select c.*, c.dispute_deadline - ?::date as days_to_go
    from finance.dispute_cases c
    where c.dispute_deadline is not null or c.status = 'expired'
),

cases as (
    select *, {deadline_alert_sql("status", "days_to_go")} as alert from counted
),

write_offs_posted as (
    select submission_key from ops.submissions
    where channel = '{JOURNAL_CHANNEL}' and status = 'succeeded'
      and submission_key like '{JOURNAL_PREFIX}-%'
)

select 'dispute_window_closing' as exception_type, c.case_id as entity_key, c.vendor_code,
       c.po_number as purchase_order_number, c.asin, null as sku,
       c.claim_reference as reference,
       {_WHAT} || ': ' || {_MONEY} || ' still held by Amazon; dispute deadline '
       || strftime(c.dispute_deadline, '%Y-%m-%d') || ', ' || c.days_to_go || ' day(s) left; '
       || {_JUDGEMENT} || '. Owner finance: upload the evidence packet (vendor-pipelines'
       || ' disputes packet ' || c.case_id || ') in Vendor Central and record it submitted.'
       as detail,
       c.alert as severity
from cases c
where c.alert in ('warn', 'error')
union all
select 'dispute_expired', c.case_id, c.vendor_code, c.po_number, c.asin, null,
       c.claim_reference,
       {_WHAT} || ': dispute deadline '
       || coalesce(strftime(c.dispute_deadline, '%Y-%m-%d'), 'unknown')
       || ' passed without a dispute; ' || {_MONEY} || ' lost; ' || {_JUDGEMENT}
       || '. Owner finance: '
       || case when c.case_class in ({quoted(JOURNALED_CLASSES)})
               then 'written off from 1205 to 6900 by journal ' || {_journal_key("c.case_id")}
                    || case when w.submission_key is null then ' (not yet in NetSuite)'
                            else ' (in NetSuite)' end
               else 'stays expensed on 6200' end
       || '.',
       'error'
from cases c
left join write_offs_posted w on w.submission_key = {_journal_key("c.case_id")}
where c.alert = 'expired'
  and (c.days_to_go >= -{EXPIRED_NOTICE_DAYS}
       or (c.case_class in ({quoted(JOURNALED_CLASSES)}) and w.submission_key is null))
"""


def dispute_deadline_problems(today: date) -> tuple[str, list[Any]]:
    """The deadline detections as of `today` (the finance timezone's date): query and params
    for `record_detections`. Entity key = case_id."""
    return DEADLINE_PROBLEMS, [today]
