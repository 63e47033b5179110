"""The retention purge of DF ship-to addresses: 30 days after the shipment Amazon accepted.

The addresses are landed with the orders (`orders/df_addresses.py`); when they may go is a
fulfilment fact (the DF shipment confirmation), so the rule lives here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from vendor_pipelines.fulfilment.df import DF_CONFIRM_CHANNEL
from vendor_pipelines.pii import RETENTION_DAYS


def purge_expired_addresses(conn: duckdb.DuckDBPyConnection, now: datetime | None = None) -> int:
    """Delete addresses past retention; return how many were purged.

    Amazon's data protection policy keeps a consumer's address no longer than 30 days after
    the order's delivery. The last event we know of is the shipment confirmation Amazon
    accepted (delivery follows it by days, so counting from it is never late); an order that
    never shipped (rejected, cancelled) counts from when its address was captured.
    """
    purged = conn.execute(
        f"""
        delete from raw.df_ship_to_addresses a
        where coalesce(
                (select max(s.last_attempt_at) from ops.submissions s
                 where s.channel = '{DF_CONFIRM_CHANNEL}' and s.status = 'succeeded'
                   and s.submission_key = a.purchase_order_number),
                a.captured_at) + interval {RETENTION_DAYS} day <= ?
        returning 1
        """,
        [now or datetime.now(UTC)],
    ).fetchall()
    return len(purged)
