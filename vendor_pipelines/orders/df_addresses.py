"""Encrypted Direct Fulfillment ship-to addresses, kept only until the retention purge.

The warehouse never holds a consumer address in clear: order payloads are scrubbed to a tax
location before landing (`pii.scrub_payload`), and the full address needed to ship lives here
encrypted, with the date after which the purge deletes it (table `raw.df_ship_to_addresses`,
declared in `orders/schema.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
from cryptography.fernet import Fernet

from vendor_pipelines.pii import RETENTION_DAYS, encrypt_address, tax_location


def store_df_addresses(
    conn: duckdb.DuckDBPyConnection,
    cipher: Fernet,
    payloads: list[dict[str, Any]],
    now: datetime | None = None,
) -> int:
    """Encrypt and keep each DF order's ship-to address; return how many were stored."""
    now = now or datetime.now(UTC)
    rows = []
    for payload in payloads:
        address = (payload.get("orderDetails") or {}).get("shipToParty")
        number = payload.get("purchaseOrderNumber")
        if not address or not number:
            continue
        location = tax_location(address)
        # Kept until 30 days after the shipment (fulfilment/df_retention.py); purge_after is the
        # latest date for an order that never ships.
        rows.append(
            (
                number,
                encrypt_address(cipher, address),
                location["city"],
                location["stateOrRegion"],
                location["postalCode"],
                location["countryCode"],
                now,
                now + timedelta(days=RETENTION_DAYS),
            )
        )
    if not rows:
        return 0
    conn.executemany(
        """insert into raw.df_ship_to_addresses values (?, ?, ?, ?, ?, ?, ?, ?)
           on conflict (purchase_order_number) do nothing""",
        rows,
    )
    return len(rows)


def encrypted_address(conn: duckdb.DuckDBPyConnection, purchase_order_number: str) -> bytes | None:
    # fetchall, not fetchone: the result is finished, so the caller's next statement on this
    # connection (a registered frame's insert, say) may run.
    rows = conn.execute(
        "select encrypted_address from raw.df_ship_to_addresses where purchase_order_number = ?",
        [purchase_order_number],
    ).fetchall()
    return bytes(rows[0][0]) if rows else None
