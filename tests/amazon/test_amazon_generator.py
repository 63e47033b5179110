"""The deterministic generator, scenario fixtures, and several processes sharing one store."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from vendor_sandbox.amazon import create_app
from vendor_sandbox.amazon.generator import FixtureError, generate_orders, load_fixtures
from vendor_sandbox.amazon.spec_validation import iter_examples
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import FULFILMENT_CENTRES, Scale, generate_world

ANCHOR = datetime(2024, 5, 1, 12, tzinfo=UTC)


def test_same_seed_same_orders(world):
    first = generate_orders(world, ANCHOR)
    second = generate_orders(generate_world(7, Scale.named("small")), ANCHOR)
    assert json.dumps(first.rp_orders) == json.dumps(second.rp_orders)
    assert json.dumps(first.df_orders) == json.dumps(second.df_orders)
    other = generate_orders(generate_world(8, Scale.named("small")), ANCHOR)
    assert other.rp_orders[0]["purchaseOrderNumber"] != first.rp_orders[0]["purchaseOrderNumber"]


def test_orders_follow_the_scale_and_the_catalogue(world):
    batch = generate_orders(world, ANCHOR)
    scale = world.scale
    assert len(batch.rp_orders) == scale.purchase_orders_per_day * scale.days
    assert len(batch.df_orders) == scale.df_orders_per_day * scale.days
    by_asin = {i.asin: i for i in world.items}
    lines = [line for o in batch.rp_orders for line in o["orderDetails"]["items"]]
    for line in lines:
        item = by_asin.get(line["amazonProductIdentifier"])
        if item is not None:  # the PO carries Amazon's cost, which is the catalogue's
            assert Decimal(line["netCost"]["amount"]) == item.amazon_net_cost
    mismatched = {
        by_asin[line["amazonProductIdentifier"]].sku
        for line in lines
        if line["amazonProductIdentifier"] in by_asin
    } & world.price_mismatch_skus
    assert mismatched, "price-mismatch items must be ordered"
    assert any(line["amazonProductIdentifier"] in world.unknown_asins for line in lines)
    assert any(line["isBackOrderAllowed"] for line in lines)
    assert any(line["orderedQuantity"]["unitOfMeasure"] == "Cases" for line in lines)
    assert any(line["orderedQuantity"]["amount"] == 0 for line in lines)  # cancelled lines
    assert {o["orderDetails"]["shipToParty"]["partyId"] for o in batch.rp_orders} <= set(
        FULFILMENT_CENTRES
    )
    windows = [
        o["orderDetails"].get("shipWindow") or o["orderDetails"]["deliveryWindow"]
        for o in batch.rp_orders
    ]
    ends = [datetime.fromisoformat(w.split("--")[1]) for w in windows]
    assert any(end < ANCHOR for end in ends) and any(end > ANCHOR for end in ends)
    assert any("deliveryWindow" in o["orderDetails"] for o in batch.rp_orders)
    ship_from = {o["orderDetails"]["shipFromParty"]["partyId"] for o in batch.df_orders}
    assert world.unmapped_warehouse.party_id in ship_from
    assert ship_from <= {w.party_id for w in world.warehouses}
    created = [
        datetime.fromisoformat(o["orderDetails"]["purchaseOrderDate"]) for o in batch.rp_orders
    ]
    assert min(created) >= ANCHOR - timedelta(days=scale.days) and max(created) <= ANCHOR


def test_fixtures_load_official_shapes(tmp_path: Path, specs):
    example = next(
        e
        for e in iter_examples("vendorOrders.json")
        if e.operation_id == "getPurchaseOrder" and e.status == "200"
    )
    (tmp_path / "rp.json").write_text(json.dumps(example.body))
    df = next(
        e
        for e in iter_examples("vendorDirectFulfillmentOrders_2021-12-28.json")
        if e.operation_id == "getOrders" and e.status == "200"
    )
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "df.json").write_text(json.dumps(df.body))
    batch = load_fixtures(tmp_path)
    assert [o["purchaseOrderNumber"] for o in batch.rp_orders] == [
        example.body["payload"]["purchaseOrderNumber"]
    ]
    assert len(batch.df_orders) == len(df.body["orders"])
    world = generate_world(7, Scale.named("tiny"))
    app = create_app(world, SandboxStore(None), fixtures_dir=tmp_path, generate=False)
    assert set(app.state.rp_orders()) == {example.body["payload"]["purchaseOrderNumber"]}
    (tmp_path / "broken.json").write_text(
        json.dumps({"purchaseOrderNumber": "X", "orderDetails": {"items": []}})
    )
    with pytest.raises(FixtureError) as info:
        load_fixtures(tmp_path)
    assert "broken.json" in str(info.value) and "purchaseOrderDate" in str(info.value)


def _serve_and_count(path: str, queue) -> None:
    world = generate_world(7, Scale.named("tiny"))
    app = create_app(world, SandboxStore(path))
    queue.put((sorted(app.state.rp_orders()), app.state.store.get_meta("amazon.anchor")))


def test_processes_sharing_a_state_file_agree(tmp_path: Path):
    path = str(tmp_path / "amazon.sqlite")
    world = generate_world(7, Scale.named("tiny"))
    app = create_app(world, SandboxStore(path))
    mine = sorted(app.state.rp_orders())
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_serve_and_count, args=(path, queue))
    proc.start()
    theirs, anchor = queue.get(timeout=60)
    proc.join(timeout=30)
    assert theirs == mine  # not re-seeded: same POs, same anchor
    assert anchor == app.state.store.get_meta("amazon.anchor")
    # A write in one app is seen by another app over the same file.
    other = create_app(world, SandboxStore(path))
    po = mine[0]
    with app.state.write():
        doc = app.state.rp_orders()[po]
        doc["order"]["purchaseOrderState"] = "Acknowledged"
        app.state.save_rp(doc)
    assert other.state.purchase_order_state(po) == "Acknowledged"


def test_advance_creates_new_orders(world):
    app = create_app(world, SandboxStore(None))
    before = len(app.state.rp_orders())
    batch = app.state.advance(1)
    assert len(app.state.rp_orders()) == before + len(batch.rp_orders)
    assert len(batch.rp_orders) == world.scale.purchase_orders_per_day
