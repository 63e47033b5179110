"""Warehouse tables of the fulfilment flow (DuckDB): what NetSuite shipped and billed.

raw.netsuite_item_fulfilments (+ _lines, raw.netsuite_fulfilment_packages) land NetSuite item
fulfilments with their package sublist; `fulfilment.package_contents` unpacks each carton's
contents; `fulfilment_sscc_ok` is the GS1 mod-10 check in SQL so the gate stays set-based.
raw.netsuite_invoices/_lines (landed here, read by the finance layer's dbt sources) hold what
NetSuite billed: `total` = lines + shipping + discount + tax.

Applied with every other domain's tables by `vendor_pipelines.warehouse_schema`.
"""

from __future__ import annotations

import duckdb

MONEY = "DECIMAL(18, 2)"

DDL = f"""
create schema if not exists raw;
create schema if not exists fulfilment;

-- NetSuite invoices: invoice_id (internal id), tranid (= the invoice number sent to Amazon).
create table if not exists raw.netsuite_invoices (
    invoice_id VARCHAR PRIMARY KEY,
    tranid VARCHAR NOT NULL,
    external_id VARCHAR,
    po_number VARCHAR,
    vendor_code VARCHAR,
    customer_id VARCHAR NOT NULL,
    trandate DATE NOT NULL,
    due_date DATE,
    total {MONEY} NOT NULL,
    amount_remaining {MONEY},
    status VARCHAR,
    currency VARCHAR NOT NULL,
    tax_total {MONEY} NOT NULL DEFAULT 0,      -- SuiteTax total (VAT on EU invoices)
    shipping_cost {MONEY} NOT NULL DEFAULT 0,  -- header freight charge
    discount_total {MONEY} NOT NULL DEFAULT 0, -- header discount, negative as in NetSuite
    terms VARCHAR,                             -- payment terms (e.g. Net 90) that set due_date
    tax_rate DECIMAL(9, 4)                     -- tax rate charged, percent (e.g. 19)
);
create table if not exists raw.netsuite_invoice_lines (
    invoice_id VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    sku VARCHAR,
    asin VARCHAR,
    quantity DECIMAL(18, 4) NOT NULL,
    rate DECIMAL(18, 4) NOT NULL,
    amount {MONEY} NOT NULL,
    PRIMARY KEY (invoice_id, line)
);

create table if not exists raw.netsuite_item_fulfilments (
    fulfilment_id varchar primary key,
    tranid varchar not null,               -- also the ASN shipmentIdentifier
    external_id varchar,
    sales_order_id varchar not null,
    purchase_order_number varchar,
    program varchar,                       -- RP | DF
    vendor_code varchar,
    ship_status varchar,                   -- A picked, B packed, C shipped
    trandate date,
    created_at timestamptz not null,       -- also the ASN confirmation and shipped date
    last_modified varchar,
    loaded_at timestamptz not null
);
create table if not exists raw.netsuite_item_fulfilment_lines (
    fulfilment_id varchar not null,
    line integer not null,
    order_line integer,
    item_id varchar,
    item_sequence_number varchar,
    asin varchar,
    quantity integer not null,
    location_id varchar,
    primary key (fulfilment_id, line)
);
-- One row per NetSuite package (= one carton), in sublist order.
create table if not exists raw.netsuite_fulfilment_packages (
    fulfilment_id varchar not null,
    package_number integer not null,       -- 1-based position in the package sublist
    sscc varchar,                          -- packageCartonNumber
    weight_lb decimal(12, 2),              -- packageWeight (NetSuite keeps pounds)
    tracking_number varchar,
    description varchar,
    length_in decimal(10, 2),
    width_in decimal(10, 2),
    height_in decimal(10, 2),
    pallet_sscc varchar,
    contents varchar,                      -- "orderLine:qty,orderLine:qty"
    primary key (fulfilment_id, package_number)
);
-- Invoice -> fulfilment link (custbody_item_fulfillment); finance's table has no such column.
create table if not exists raw.netsuite_invoice_fulfilments (
    invoice_id varchar primary key,
    fulfilment_id varchar,
    program varchar,
    created_at timestamptz
);
-- Invoice lines with the Amazon line they bill (finance's line table has sku/asin only).
create table if not exists raw.netsuite_invoice_line_refs (
    invoice_id varchar not null,
    line integer not null,
    order_line integer,
    item_sequence_number varchar,
    primary key (invoice_id, line)
);
-- Exactly what each sent ASN / DF confirmation said, per item (for the manifest check).
create table if not exists fulfilment.sent_shipment_lines (
    shipment_key varchar not null,
    fulfilment_id varchar not null,
    item_sequence_number varchar not null,
    quantity integer not null,
    primary key (shipment_key, fulfilment_id, item_sequence_number)
);
-- Last availability sent per DF warehouse and item (partial updates send only changes).
create table if not exists fulfilment.df_inventory_sent (
    warehouse_id varchar not null,
    vendor_code varchar not null,
    asin varchar not null,
    available integer not null,
    sent_at timestamptz not null,
    primary key (warehouse_id, vendor_code, asin)
);

create or replace macro fulfilment_sscc_ok(s) as
    coalesce(
        regexp_full_match(s, '(00)?[0-9]{{18}}')
        and (10 - list_sum(list_transform(range(17), lambda i:
                cast(substr(right(s, 18), 17 - i, 1) as integer)
                * case when i % 2 = 0 then 3 else 1 end)) % 10) % 10
            = cast(right(s, 1) as integer),
        false);

create or replace view fulfilment.package_contents as
select p.fulfilment_id, p.package_number,
       cast(split_part(entry, ':', 1) as integer) as order_line,
       cast(split_part(entry, ':', 2) as integer) as quantity
from raw.netsuite_fulfilment_packages p,
     unnest(string_split(coalesce(p.contents, ''), ',')) as t(entry)
where entry <> '';
"""


# Columns added after the first release: warehouses created before gain them.
MIGRATIONS = tuple(
    f"ALTER TABLE raw.netsuite_invoices ADD COLUMN IF NOT EXISTS {column}"
    for column in (
        f"tax_total {MONEY} DEFAULT 0",
        f"shipping_cost {MONEY} DEFAULT 0",
        f"discount_total {MONEY} DEFAULT 0",
        "terms VARCHAR",
        "tax_rate DECIMAL(9, 4)",
    )
)


def apply(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the fulfilment tables, macro and view if missing; add later columns (idempotent)."""
    conn.execute(DDL)
    for statement in MIGRATIONS:
        conn.execute(statement)
