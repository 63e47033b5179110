"""SuiteQL over HTTP: paging past 1000 rows, keyset paging past the row ceiling, errors."""

from __future__ import annotations

import pytest

from vendor_pipelines.netsuite import NetSuiteClient, NetSuiteUserError, SuiteQLRowCeilingReached
from vendor_pipelines.netsuite.rows import CatalogueItem, InventoryLevel
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_tba_auth
from vendor_sandbox.world import Scale, generate_world

BIG = generate_world(11, Scale(vendor_codes=1, items=1_250, warehouses=2))


@pytest.fixture
def big_client(serve):
    # A 1,000-row ceiling stands in for NetSuite's 100,000 so the test stays small.
    server = serve(world_=BIG, suiteql_row_ceiling=1_000)
    with NetSuiteClient(
        server.url, ACCOUNT_ID, sandbox_tba_auth(), suiteql_row_ceiling=1_000
    ) as client:
        yield client


def test_paging_across_more_than_1000_rows(client: NetSuiteClient, serve) -> None:
    server = serve(world_=BIG)
    with NetSuiteClient(server.url, ACCOUNT_ID, sandbox_tba_auth()) as big:
        items = list(
            big.suiteql(
                "SELECT id, itemid, custitem_amazon_asin, baseprice FROM item ORDER BY id",
                row_model=CatalogueItem,
            )
        )
    assert len(items) == 1_250
    assert [i.id for i in items] == sorted({i.id for i in items})
    assert items[-1].itemid == BIG.items[-1].sku
    assert items[0].custitem_amazon_asin == BIG.items[0].asin


def test_keyset_paging_passes_the_row_ceiling(big_client: NetSuiteClient) -> None:
    query = "SELECT id, itemid FROM item ORDER BY id"
    with pytest.raises(SuiteQLRowCeilingReached):
        list(big_client.suiteql(query, page_size=500))
    rows = list(big_client.suiteql_by_key("id, itemid", "item", page_size=500))
    assert len(rows) == 1_250 and len({r["id"] for r in rows}) == 1_250
    filtered = list(
        big_client.suiteql_by_key(
            "id, itemid", "item", where="itemid LIKE ?", params=["SKU-01%"], page_size=300
        )
    )
    assert {r["itemid"] for r in filtered} == {
        i.sku for i in BIG.items if i.sku.startswith("SKU-01")
    }


def test_values_are_strings_and_nulls_are_left_out(client: NetSuiteClient, world) -> None:
    row = next(iter(client.suiteql("SELECT id, isinactive, externalid FROM item WHERE id = 1000")))
    assert row == {"id": "1000", "isinactive": "F"}
    levels = list(
        client.suiteql(
            "SELECT item, location, quantityonhand, quantityavailable FROM inventoryitemlocations "
            "WHERE item IN (1000, 1001) ORDER BY item, location",
            row_model=InventoryLevel,
        )
    )
    assert [(lv.item, lv.location, int(lv.quantityonhand)) for lv in levels] == [
        (
            item.netsuite_internal_id,
            w.netsuite_location_id,
            world.stock[(item.sku, w.netsuite_location_id)],
        )
        for item in world.items[:2]
        for w in world.mapped_warehouses
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT id FROM nosuchtable", "Record 'nosuchtable' was not found"),
        ("SELECT nosuchfield FROM item", "Field 'nosuchfield'"),
        ("SELECT COUNT(*) FROM item", "not supported"),
        ("SELECT id FROM item GROUP BY id", "Unsupported"),
        ("DELETE FROM item", "Expected select"),
    ],
)
def test_unsupported_queries_get_netsuites_error_shape(
    client: NetSuiteClient, query: str, message: str
) -> None:
    with pytest.raises(NetSuiteUserError, match=message) as raised:
        list(client.suiteql(query))
    assert raised.value.status == 400 and raised.value.code == "USER_ERROR"
