"""The sandbox where it used to differ from NetSuite, over real HTTP (issue 15, NetSuite bullets).

* unknown body fields and wrongly typed values, under X-NetSuite-PropertyName/ValueValidation;
* listing a record collection with limit/offset/q, and JSON errors for anything unrouted;
* SuiteQL's BUILTIN.DF;
* the metadata catalog, its JSON Schema and OpenAPI flavours.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
import pytest
from jsonschema import Draft6Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT6

from vendor_pipelines.netsuite import NetSuiteClient, NetSuiteUserError, SalesOrder, SalesOrderLine
from vendor_sandbox.netsuite.credentials import ACCOUNT_ID, sandbox_tba_auth
from vendor_sandbox.netsuite.records import RECORD_TYPES
from vendor_sandbox.server import LoopbackServer
from vendor_sandbox.world import World

CUSTOMER = 2000
RECORD = "/services/rest/record/v1"
WARNING = "X-NetSuite-PropertyValidation"
NAME_VALIDATION = "X-NetSuite-PropertyNameValidation"
VALUE_VALIDATION = "X-NetSuite-PropertyValueValidation"


def call(
    sandbox: LoopbackServer,
    method: str,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One TBA-signed request, answered as NetSuite's wire has it (no client in between)."""
    url = httpx.URL(sandbox.url + path, params=params or None)
    signed = {"Authorization": sandbox_tba_auth().authorization_header(method, url, ACCOUNT_ID)}
    return httpx.request(method, url, json=json, headers=signed | (headers or {}), timeout=30)


def _order_body(world: World, other_ref: str, **extra: Any) -> dict[str, Any]:
    location = world.mapped_warehouses[0].netsuite_location_id
    item = next(i for i in world.items if world.stock[(i.sku, location)] >= 4)
    order = SalesOrder(
        customer_id=CUSTOMER,
        other_ref_num=other_ref,
        location_id=location,
        lines=[SalesOrderLine(item_id=item.netsuite_internal_id, quantity=2, line=1)],
        custom_fields={"custbody_amazon_vendor_code": world.vendors[0].vendor_code},
    )
    return order.payload() | extra


def _created_id(response: httpx.Response) -> str:
    assert response.status_code == 204, response.text
    return response.headers["Location"].rsplit("/", 1)[-1]


def _detail_paths(response: httpx.Response) -> list[str]:
    body = response.json()
    assert body["status"] == response.status_code
    return [d.get("o:errorPath") for d in body["o:errorDetails"]]


# -- 1. unknown fields and wrong values ----------------------------------------------------


def test_unknown_fields_are_ignored_with_a_warning_by_default(
    sandbox: LoopbackServer, world: World
) -> None:
    body = _order_body(world, "PO-WARN", custbody_amazon_vendorcode="typo")
    body["item"]["items"][0]["custcol_asin_typo"] = "B000000000"
    created = call(sandbox, "POST", f"{RECORD}/salesOrder", json=body)
    record_id = _created_id(created)
    warnings = created.headers.get_list(WARNING)
    assert len(warnings) == 2
    assert any('"custbody_amazon_vendorcode"' in w for w in warnings)
    assert any('"custcol_asin_typo"' in w for w in warnings)
    stored = call(
        sandbox, "GET", f"{RECORD}/salesOrder/{record_id}", params={"expandSubResources": "true"}
    ).json()
    assert "custbody_amazon_vendorcode" not in stored
    assert "custcol_asin_typo" not in stored["item"]["items"][0]
    # The known fields of the same body were applied.
    assert stored["custbody_amazon_vendor_code"] == world.vendors[0].vendor_code
    assert stored["otherRefNum"] == "PO-WARN"


@pytest.mark.parametrize("header_value", ["error", "ERROR", "Error"])
def test_unknown_fields_are_refused_when_the_header_asks_for_error(
    sandbox: LoopbackServer, world: World, header_value: str
) -> None:
    other_ref = f"PO-STRICT-{header_value}"
    body = _order_body(world, other_ref, custbody_amazon_vendorcode="typo")
    body["item"]["items"][0]["custcol_asin_typo"] = "B000000000"
    body["shippingAddress"] = {"city": "Reno", "zipcode": "89501"}
    refused = call(
        sandbox,
        "POST",
        f"{RECORD}/salesOrder",
        json=body,
        headers={NAME_VALIDATION: header_value},
    )
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/vnd.oracle.resource+json")
    assert {d["o:errorCode"] for d in refused.json()["o:errorDetails"]} == {"INVALID_CONTENT"}
    assert sorted(_detail_paths(refused)) == sorted(
        ["custbody_amazon_vendorcode", "item.items[0].custcol_asin_typo", "shippingAddress.zipcode"]
    )
    listed = call(
        sandbox, "GET", f"{RECORD}/salesOrder", params={"q": f"otherRefNum IS {other_ref}"}
    )
    assert listed.json()["totalResults"] == 0  # nothing was created


def test_ignore_applies_the_known_fields_silently(sandbox: LoopbackServer, world: World) -> None:
    body = _order_body(world, "PO-IGNORE", memo_typo="x")
    created = call(
        sandbox, "POST", f"{RECORD}/salesOrder", json=body, headers={NAME_VALIDATION: "Ignore"}
    )
    record_id = _created_id(created)
    assert WARNING not in created.headers
    assert "memo_typo" not in call(sandbox, "GET", f"{RECORD}/salesOrder/{record_id}").json()


def test_values_of_the_wrong_syntax_are_refused_by_default(
    sandbox: LoopbackServer, world: World
) -> None:
    body = _order_body(world, "PO-VALUES", tranDate="31/01/2025", location=["100"])
    body["item"]["items"][0]["quantity"] = "2"
    body["item"]["items"][0]["isClosed"] = "false"
    refused = call(sandbox, "POST", f"{RECORD}/salesOrder", json=body)
    assert refused.status_code == 400
    assert sorted(_detail_paths(refused)) == sorted(
        ["tranDate", "location", "item.items[0].quantity", "item.items[0].isClosed"]
    )


def test_values_of_the_wrong_syntax_are_left_out_under_warning(
    sandbox: LoopbackServer, world: World
) -> None:
    body = _order_body(world, "PO-VALUE-WARN", tranDate="31/01/2025")
    created = call(
        sandbox, "POST", f"{RECORD}/salesOrder", json=body, headers={VALUE_VALIDATION: "warning"}
    )
    record_id = _created_id(created)
    (warning,) = created.headers.get_list(WARNING)
    assert '"tranDate"' in warning
    stored = call(sandbox, "GET", f"{RECORD}/salesOrder/{record_id}").json()
    assert stored["tranDate"] != "31/01/2025"
    dt.date.fromisoformat(stored["tranDate"])  # the default date, in NetSuite's date format


def test_an_unknown_header_value_is_an_invalid_header(
    sandbox: LoopbackServer, world: World
) -> None:
    refused = call(
        sandbox,
        "POST",
        f"{RECORD}/salesOrder",
        json=_order_body(world, "PO-HEADER"),
        headers={NAME_VALIDATION: "strict"},
    )
    assert refused.status_code == 400
    (detail,) = refused.json()["o:errorDetails"]
    assert detail["o:errorCode"] == "INVALID_HEADER"
    assert detail["o:errorHeader"] == NAME_VALIDATION


def test_the_project_client_makes_a_misspelt_field_fail_loudly(
    client: NetSuiteClient, world: World
) -> None:
    body = _order_body(world, "PO-CLIENT")
    so_id = client.create("salesOrder", body)  # every real field: accepted
    with pytest.raises(NetSuiteUserError) as raised:
        client.patch("salesOrder", so_id, {"custbody_amazon_vendorcode": "typo"})
    assert raised.value.status == 400 and raised.value.path == "custbody_amazon_vendorcode"
    with pytest.raises(NetSuiteUserError) as on_upsert:
        client.upsert_by_external_id("salesOrder", "amzn-typo-1", body | {"shipdate": "x"})
    assert on_upsert.value.path == "shipdate"
    # Opting out restores NetSuite's default: the field is dropped and the write succeeds.
    with NetSuiteClient(
        client.transport.base_url,
        ACCOUNT_ID,
        sandbox_tba_auth(),
        property_name_validation="warning",
    ) as lenient:
        lenient.patch("salesOrder", so_id, {"custbody_amazon_vendorcode": "typo"})
    assert "custbody_amazon_vendorcode" not in client.get("salesOrder", so_id)


# -- 2. collections and unrouted requests --------------------------------------------------


def _sales_order_ids(client: NetSuiteClient, where: str = "", params: tuple = ()) -> list[str]:
    query = f"SELECT id FROM transaction WHERE type = 'SalesOrd' {where} ORDER BY id"
    return [row["id"] for row in client.suiteql(query, list(params))]


def test_a_collection_lists_ids_and_links_page_by_page(
    sandbox: LoopbackServer, client: NetSuiteClient, world: World
) -> None:
    for n in range(5):
        client.create("salesOrder", _order_body(world, f"PO-LIST-{n}"))
    expected = _sales_order_ids(client)
    seen: list[str] = []
    offset = 0
    while True:
        page = call(
            sandbox, "GET", f"{RECORD}/salesorder", params={"limit": 2, "offset": offset}
        ).json()
        assert page["totalResults"] == len(expected) and page["offset"] == offset
        assert page["count"] == len(page["items"])
        rels = {link["rel"]: link["href"] for link in page["links"]}
        assert rels["self"].endswith(f"limit=2&offset={offset}")
        for item in page["items"]:
            assert item["links"][0]["href"].endswith(f"/salesorder/{item['id']}")
        seen += [item["id"] for item in page["items"]]
        if not page["hasMore"]:
            assert "next" not in rels
            break
        assert "next" in rels and "last" in rels
        offset += 2
    assert seen == expected
    bad = call(sandbox, "GET", f"{RECORD}/salesOrder", params={"limit": 2, "offset": 3})
    assert bad.status_code == 400
    assert bad.json()["o:errorDetails"][0]["o:errorQueryParam"] == "offset"


def test_q_filters_with_the_documented_operators(
    sandbox: LoopbackServer, client: NetSuiteClient, world: World
) -> None:
    ids = {}
    for n, (ref, day, approved) in enumerate(
        [
            ("PO Q 1", "2025-01-10", True),
            ("PO-Q-2", "2025-01-20", False),
            ("PO-Q-3", "2025-02-01", True),
        ]
    ):
        body = _order_body(world, ref, tranDate=day, memo=f"batch {n}")
        body["orderStatus"] = {"id": "B" if approved else "A"}
        ids[ref] = client.create("salesOrder", body)

    def listed(q: str) -> list[str]:
        response = call(sandbox, "GET", f"{RECORD}/salesOrder", params={"q": q})
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert listed('otherRefNum IS "PO Q 1"') == [ids["PO Q 1"]]
    assert listed("otherrefnum START_WITH po-q") == [ids["PO-Q-2"], ids["PO-Q-3"]]
    assert listed(f"id EQUAL {ids['PO-Q-3']}") == [ids["PO-Q-3"]]
    pending = _sales_order_ids(client, "AND entity = ? AND status = 'A'", (CUSTOMER,))
    assert listed(f"entity EQUAL {CUSTOMER} AND orderStatus ANY_OF [A]") == pending
    january = listed('tranDate ON_OR_AFTER "1/1/2025" AND tranDate BEFORE "2/1/2025"')
    assert january == [ids["PO Q 1"], ids["PO-Q-2"]]
    either = listed('(memo IS "batch 0" OR memo IS "batch 2") AND otherRefNum CONTAIN Q')
    assert either == [ids["PO Q 1"], ids["PO-Q-3"]]
    assert listed(f"id BETWEEN_NOT [{ids['PO Q 1']}, {ids['PO-Q-3']}]") == [
        i for i in _sales_order_ids(client) if i not in ids.values()
    ]
    inactive = call(sandbox, "GET", f"{RECORD}/customer", params={"q": "isInactive IS false"})
    every_customer = [row["id"] for row in client.suiteql("SELECT id FROM customer ORDER BY id")]
    assert [item["id"] for item in inactive.json()["items"]] == every_customer


@pytest.mark.parametrize(
    ("q", "says"),
    [
        ('tranDate ON "2025-01-10"', "Unparseable date"),
        ("nosuchfield IS x", "not a filterable body field"),
        ("item IS x", "not a filterable body field"),  # a sublist
        ("memo GREATER 3", "does not apply"),
        ("memo IS", "the query ended"),
    ],
)
def test_unreadable_q_is_an_invalid_parameter(sandbox: LoopbackServer, q: str, says: str) -> None:
    response = call(sandbox, "GET", f"{RECORD}/salesOrder", params={"q": q})
    assert response.status_code == 400
    (detail,) = response.json()["o:errorDetails"]
    assert detail["o:errorCode"] == "INVALID_PARAMETER" and detail["o:errorQueryParam"] == "q"
    assert says in detail["detail"]


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("DELETE", f"{RECORD}/salesOrder", 405, "INVALID_METHOD"),
        ("GET", f"{RECORD}/salesOrder/5001/!transform/invoice", 405, "INVALID_METHOD"),
        ("POST", "/services/rest/system/v1/serverTime", 405, "INVALID_METHOD"),
        ("GET", "/services/rest/auth/oauth2/v1/token", 405, "INVALID_METHOD"),
        ("GET", "/services/rest/nosuchservice/v1/thing", 404, "NONEXISTENT_ID"),
        ("GET", f"{RECORD}/nosuchrecord", 404, "NONEXISTENT_ID"),
        ("GET", "/", 404, "NONEXISTENT_ID"),
    ],
)
def test_unrouted_requests_answer_netsuites_json_error(
    sandbox: LoopbackServer, method: str, path: str, status: int, code: str
) -> None:
    response = call(sandbox, method, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(
        "application/vnd.oracle.resource+json; type=error"
    )
    body = response.json()
    assert body["status"] == status and body["o:errorDetails"][0]["o:errorCode"] == code
    if status == 405:
        assert method not in response.headers["Allow"].split(", ")


# -- 3. SuiteQL BUILTIN.DF -----------------------------------------------------------------


def test_builtin_df_gives_display_text(client: NetSuiteClient, world: World) -> None:
    so_id = client.create("salesOrder", _order_body(world, "PO-DF"))
    order = client.get("salesOrder", so_id, expand_sub_resources=True)
    customer = client.get("customer", CUSTOMER)
    (row,) = client.suiteql(
        "SELECT t.id, BUILTIN.DF(t.entity) AS customer, BUILTIN.DF(t.status), "
        "BUILTIN.DF(t.tranid) AS number, t.tranid FROM transaction t WHERE t.id = ?",
        [so_id],
    )
    assert row["customer"] == customer["entityId"]
    assert row["expr1"] == f"Sales Order : {order['status']['refName']}"
    assert row["number"] == row["tranid"] == order["tranId"]  # a plain field shows as itself
    (line,) = client.suiteql(
        "SELECT BUILTIN.DF(l.item) AS sku, BUILTIN.DF(l.location) AS warehouse, "
        "BUILTIN.DF(l.transaction) AS parent FROM transactionline l WHERE l.transaction = ?",
        [so_id],
    )
    item_id = order["item"]["items"][0]["item"]["id"]
    assert line["sku"] == client.get("inventoryItem", item_id)["itemId"]
    location_id = world.mapped_warehouses[0].netsuite_location_id
    assert line["warehouse"] == client.get("location", location_id)["name"]
    assert line["parent"] == f"Sales Order #{order['tranId']}"
    by_name = client.suiteql(
        "SELECT id FROM transaction WHERE BUILTIN.DF(entity) = ? ORDER BY BUILTIN.DF(status)",
        [customer["entityId"]],
    )
    assert so_id in {r["id"] for r in by_name}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("SELECT BUILTIN.DF(account) FROM transactionline", "BUILTIN.DF(account)"),
        ("SELECT BUILTIN.CF(status) FROM transaction", "Function BUILTIN.CF is not supported"),
        ("SELECT BUILTIN.DF(BUILTIN.DF(entity)) FROM transaction", "takes a field"),
        ("SELECT BUILTIN.DF(nosuch) FROM transaction", "Field 'nosuch'"),
    ],
)
def test_builtin_df_refusals(client: NetSuiteClient, query: str, says: str) -> None:
    with pytest.raises(NetSuiteUserError, match=re.escape(says)) as raised:
        list(client.suiteql(query))
    assert raised.value.status == 400 and raised.value.code == "USER_ERROR"


# -- 4. metadata catalog -------------------------------------------------------------------

CATALOG = f"{RECORD}/metadata-catalog"
SCHEMA = {"Accept": "application/schema+json"}
SWAGGER = {"Accept": "application/swagger+json"}


def test_the_catalog_lists_every_record_type_with_its_flavours(sandbox: LoopbackServer) -> None:
    catalog = call(sandbox, "GET", CATALOG).json()
    assert [item["name"] for item in catalog["items"]] == list(RECORD_TYPES)
    for item in catalog["items"]:
        media = {link.get("mediaType") for link in item["links"]}
        assert media == {
            "application/json",
            "application/swagger+json",
            "application/schema+json",
            None,
        }
    chosen = call(sandbox, "GET", CATALOG, params={"select": "customer,salesorder"}).json()
    assert [item["name"] for item in chosen["items"]] == ["customer", "salesOrder"]
    unknown = call(sandbox, "GET", CATALOG, params={"select": "customer,nosuch"})
    assert unknown.status_code == 400
    assert unknown.json()["o:errorDetails"][0]["o:errorQueryParam"] == "select"
    assert call(sandbox, "GET", f"{CATALOG}/nosuch", headers=SCHEMA).status_code == 404


def test_json_schema_is_generated_from_the_field_lists(sandbox: LoopbackServer) -> None:
    for name, kind in RECORD_TYPES.items():
        schema = call(sandbox, "GET", f"{CATALOG}/{name}", headers=SCHEMA).json()
        assert schema["$schema"] == "https://json-schema.org/draft-06/hyper-schema#"
        Draft6Validator.check_schema(schema)
        properties = schema["properties"]
        declared = (
            [f.name for f in kind.fields.body]
            + [s.name for s in kind.fields.sublists]
            + [s.name for s in kind.fields.subrecords]
        )
        assert set(properties) == {"links", *declared}
        for body_field in kind.fields.body:
            assert properties[body_field.name]["x-ns-filterable"] is True
            assert properties[body_field.name].get("x-ns-custom-field", False) is body_field.custom
        for sublist in kind.fields.sublists:
            line = properties[sublist.name]["properties"]["items"]["items"]["properties"]
            assert set(line) == {"links", *(f.name for f in sublist.fields)}


def _validator(sandbox: LoopbackServer, name: str) -> Draft6Validator:
    """The record type's JSON Schema, its `$ref`s to other types fetched from the sandbox."""

    def retrieve(uri: str) -> Resource:
        path = uri.removeprefix(sandbox.url)
        return DRAFT6.create_resource(call(sandbox, "GET", path, headers=SCHEMA).json())

    schema = call(sandbox, "GET", f"{CATALOG}/{name}", headers=SCHEMA).json()
    return Draft6Validator(schema, registry=Registry(retrieve=retrieve))


def test_records_the_sandbox_returns_validate_against_its_own_schemas(
    sandbox: LoopbackServer, client: NetSuiteClient, world: World
) -> None:
    body = _order_body(world, "PO-SCHEMA")
    body["shippingAddress"] = {"city": "Reno", "state": "NV", "zip": "89501", "country": "US"}
    so_id = client.create("salesOrder", body)
    fulfilment_id = client.fulfill_sales_order(so_id, {1: 2})
    invoice_id = client.transform("salesOrder", so_id, "invoice")
    records = {
        "salesOrder": so_id,
        "itemFulfillment": fulfilment_id,
        "invoice": invoice_id,
        "customer": CUSTOMER,
        "inventoryItem": world.items[0].netsuite_internal_id,
        "location": world.mapped_warehouses[0].netsuite_location_id,
    }
    for name, record_id in records.items():
        record = call(
            sandbox, "GET", f"{RECORD}/{name}/{record_id}", params={"expandSubResources": "true"}
        ).json()
        errors = list(_validator(sandbox, name).iter_errors(record))
        assert errors == [], (name, [e.message for e in errors])
    # The schema refuses what the sandbox refuses: a quantity written as a string.
    body["item"]["items"][0]["quantity"] = "2"
    assert not _validator(sandbox, "salesOrder").is_valid(body)
    assert call(sandbox, "POST", f"{RECORD}/salesOrder", json=body).status_code == 400


def test_openapi_flavour_of_the_catalog_and_of_one_type(sandbox: LoopbackServer) -> None:
    document = call(
        sandbox, "GET", CATALOG, params={"select": "salesOrder,customer"}, headers=SWAGGER
    ).json()
    assert document["openapi"] == "3.0.1"
    assert document["info"]["title"] == "NetSuite REST Record API"
    schemas = document["components"]["schemas"]
    assert {"salesOrder", "customer", "salesOrder-itemCollection", "salesOrder-itemElement"} <= set(
        schemas
    )
    order = schemas["salesOrder"]["properties"]
    assert order["entity"]["$ref"] == "#/components/schemas/customer"
    assert order["item"]["$ref"] == "#/components/schemas/salesOrder-itemCollection"
    element = schemas["salesOrder-itemElement"]["properties"]
    sales_order = RECORD_TYPES["salesOrder"]
    item_sublist = sales_order.fields.sublist("item")
    assert item_sublist is not None
    assert set(element) == {"links", *(f.name for f in item_sublist.fields)}
    assert {"get", "post"} <= set(document["paths"]["/salesOrder"])
    assert {"get", "patch", "put", "delete"} <= set(document["paths"]["/salesOrder/{id}"])
    for target in sales_order.transforms:
        assert f"/salesOrder/{{id}}/!transform/{target}" in document["paths"]
    # One type, default Accept: the same document for that type alone, where a select to a
    # record type outside the selection is an object with no structure.
    alone = call(sandbox, "GET", f"{CATALOG}/salesOrder").json()
    assert alone["openapi"] == "3.0.1" and "customer" not in alone["components"]["schemas"]
    assert alone["components"]["schemas"]["salesOrder"]["properties"]["entity"]["type"] == "object"
