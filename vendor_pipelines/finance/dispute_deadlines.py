"""The dispute deadline rule finance works by: how close a window may come before it is chased.

One rule, read by the deadline exceptions (`disputes.detections`, as of the day they run) and by
the close pack (as of a month's last day): a case still ours to dispute is a warning in its last
WARN_DAYS days, an error in its last ERROR_DAYS, and expired once its window closed undisputed.
"""

from __future__ import annotations

WARN_DAYS = 7  # dispute_window_closing from this many days left (warn)
ERROR_DAYS = 2  # ... and an error from this many
# Cases nobody has submitted yet and which are still ours to dispute.
DISPUTABLE_STATUSES = ("open", "disputable")


def quoted(values: tuple[str, ...]) -> str:
    """SQL string literals of `values`, comma separated."""
    return ", ".join(f"'{value}'" for value in values)


def deadline_alert_sql(status: str = "status", days_left: str = "days_left") -> str:
    """The deadline rule as a SQL expression over a case's `status` and days left: 'error',
    'warn' (dispute_window_closing), 'expired' (dispute_expired) or null (nothing to chase)."""
    disputable = f"{status} in ({quoted(DISPUTABLE_STATUSES)})"
    return f"""case
        when {status} = 'expired' or ({disputable} and {days_left} < 0) then 'expired'
        when {disputable} and {days_left} <= {ERROR_DAYS} then 'error'
        when {disputable} and {days_left} <= {WARN_DAYS} then 'warn'
    end"""
