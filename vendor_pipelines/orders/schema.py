"""Warehouse tables of the order sync flow (DuckDB). Asset key = [schema, table].

raw.*     landed from the APIs, latest state per business key plus history;
config.*  operator-maintained mappings (vendor code -> ship-from warehouse);
orders.*  derived plans (sales orders, acknowledgements) rebuilt set-based each run, what the
          PO window closing closed, and the resolution view every plan reads.

Applied with every other domain's tables by `vendor_pipelines.warehouse_schema`.
"""

from __future__ import annotations

import duckdb

from vendor_pipelines.orders.resolution import RESOLUTION_VIEW

MONEY = "decimal(18, 4)"

DDL = f"""
create schema if not exists raw;
create schema if not exists config;
create schema if not exists orders;

-- Latest state of every purchase order, RP and DF, across vendor codes and regions.
create table if not exists raw.amazon_purchase_orders (
    purchase_order_number varchar primary key,
    program varchar not null,              -- RP | DF
    region varchar not null,               -- NA | EU | FE
    vendor_code varchar not null,          -- sellingParty.partyId
    purchase_order_state varchar not null, -- RP: New/Acknowledged/Closed; DF: NEW/ACCEPTED/...
    purchase_order_type varchar,
    purchase_order_date timestamptz not null,
    changed_date timestamptz,
    state_changed_date timestamptz,
    ship_window_start timestamptz,
    ship_window_end timestamptz,
    delivery_window_start timestamptz,
    delivery_window_end timestamptz,
    ship_to_party_id varchar,              -- RP: Amazon FC code; DF: null (a consumer)
    ship_from_party_id varchar,            -- DF: vendor warehouse; RP: null (from config)
    customer_order_number varchar,         -- DF only
    ship_method varchar,                   -- DF only
    payload_hash varchar not null,
    first_seen_at timestamptz not null,
    last_changed_at timestamptz not null
);

-- Every distinct version of a purchase order we have seen (its history of states).
create table if not exists raw.amazon_purchase_order_versions (
    purchase_order_number varchar not null,
    payload_hash varchar not null,
    purchase_order_state varchar not null,
    seen_at timestamptz not null,
    payload json not null,
    primary key (purchase_order_number, payload_hash)
);

create table if not exists raw.amazon_purchase_order_lines (
    purchase_order_number varchar not null,
    item_sequence_number varchar not null,
    asin varchar,
    vendor_sku varchar,
    ordered_quantity integer not null,     -- eaches (cases x unit size)
    unit_of_measure varchar,
    unit_size integer,
    is_backorder_allowed boolean not null,
    net_cost {MONEY},
    currency varchar,
    list_price {MONEY},
    primary key (purchase_order_number, item_sequence_number)
);

-- Payloads that failed validation: kept whole with the reason, never silently dropped.
create table if not exists raw.amazon_quarantined_payloads (
    payload_kind varchar not null,
    payload_key varchar not null,
    reason varchar not null,
    payload json,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    primary key (payload_kind, payload_key)
);

-- The NetSuite catalogue snapshot. netsuite_items.cost is NetSuite's item cost (= COGS for
-- finance's margin models); weight is one unit's weight in weight_unit (kg, lb, g or oz), what
-- a carton's scale weight is checked against when a shortage claim is judged.
create table if not exists raw.netsuite_items (
    item_id VARCHAR PRIMARY KEY,
    sku VARCHAR NOT NULL,
    asin VARCHAR,
    price DECIMAL(18, 4),
    cost DECIMAL(18, 4),
    upc VARCHAR,
    is_inactive BOOLEAN NOT NULL DEFAULT false,
    weight DECIMAL(18, 4),
    weight_unit VARCHAR
);
create table if not exists raw.netsuite_locations (
    location_id varchar primary key,
    name varchar not null,
    amazon_party_id varchar
);
create table if not exists raw.netsuite_customers (
    customer_id varchar primary key,
    external_id varchar,
    name varchar,
    vendor_code varchar
);
create table if not exists raw.netsuite_item_stock (
    item_id varchar not null,
    location_id varchar not null,
    quantity_on_hand integer not null,
    quantity_available integer not null,
    quantity_committed integer not null,
    quantity_backordered integer not null,
    primary key (item_id, location_id)
);

-- Operator mapping for Retail Procurement: which warehouse ships a vendor code's POs.
create table if not exists config.ship_from_by_vendor_code (
    vendor_code varchar primary key,
    ship_from_party_id varchar not null
);

-- Encrypted DF ship-to addresses, kept only until the retention purge (df_addresses.py).
create table if not exists raw.df_ship_to_addresses (
    purchase_order_number varchar primary key,
    encrypted_address blob not null,
    city varchar,
    state_or_region varchar,
    postal_code varchar,
    country_code varchar,
    captured_at timestamptz not null,
    purge_after timestamptz not null
);

-- What the PO window closing closed, and how each PO was processed (windows.py).
create table if not exists orders.closed_po_lines (
    purchase_order_number varchar not null,
    sales_order_id varchar not null,
    line integer not null,
    item_id varchar,
    open_quantity double not null,
    ship_window_end timestamptz,
    closed_at timestamptz not null,
    primary key (purchase_order_number, line)
);
create table if not exists orders.po_window_closures (
    purchase_order_number varchar primary key,
    ship_window_end timestamptz,
    status varchar not null,         -- closed | nothing_open | no_sales_order | failed
    lines_closed integer not null,
    detail varchar,
    processed_at timestamptz not null
);
"""

# Columns added after the first release: warehouses created before gain them.
MIGRATIONS = tuple(
    f"ALTER TABLE raw.netsuite_items ADD COLUMN IF NOT EXISTS {column}"
    for column in ("weight DECIMAL(18, 4)", "weight_unit VARCHAR")
)


def apply(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the order flow's tables if missing and add later columns (idempotent), then the
    resolution view over them."""
    conn.execute(DDL)
    for statement in MIGRATIONS:
        conn.execute(statement)
    conn.execute(RESOLUTION_VIEW)
