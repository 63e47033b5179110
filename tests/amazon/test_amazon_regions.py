"""Regional hosts over real HTTP: each region's token opens only its host and its orders."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from vendor_pipelines.amazon.errors import AmazonForbiddenError, AmazonNotFoundError
from vendor_pipelines.amazon.regions import AmazonCredentials, AmazonRegions
from vendor_sandbox.embedded import (
    SANDBOX_LWA_CLIENT_ID,
    SANDBOX_LWA_CLIENT_SECRET,
    RunningSandbox,
    sandbox_refresh_token,
    start_sandbox,
)


@pytest.fixture(scope="module")
def two_regions() -> Iterator[RunningSandbox]:
    sandbox = start_sandbox(None, seed=7, scale="tiny", regions=("NA", "EU"))
    yield sandbox
    sandbox.stop()


def _credentials(sandbox: RunningSandbox, region: str, token_region: str) -> AmazonCredentials:
    url = sandbox.amazon_urls[region]
    return AmazonCredentials(
        region,
        url,
        SANDBOX_LWA_CLIENT_ID,
        SANDBOX_LWA_CLIENT_SECRET,
        sandbox_refresh_token(token_region),
        f"{url}/auth/o2/token",
    )


def test_each_host_lists_only_its_regions_orders(two_regions: RunningSandbox) -> None:
    world = two_regions.world
    regions = AmazonRegions(
        {r: _credentials(two_regions, r, r).client() for r in two_regions.amazon_urls}
    )
    with regions:
        seen = {}
        for region, client in regions.items():
            orders = list(client.iter_purchase_orders(created_after=world_start(two_regions)))
            assert orders, region
            seen[region] = {o.purchaseOrderNumber for o in orders}
            vendors = {o.orderDetails.sellingParty.partyId for o in orders if o.orderDetails}
            assert vendors <= world.vendor_codes_in(region)
        assert not seen["NA"] & seen["EU"]
        # An EU purchase order does not exist on the NA host.
        eu_po = sorted(seen["EU"])[0]
        with pytest.raises(AmazonNotFoundError):
            regions["NA"].get_purchase_order(eu_po)
        assert regions["EU"].get_purchase_order(eu_po).purchaseOrderNumber == eu_po


def test_a_token_of_one_region_does_not_open_another(two_regions: RunningSandbox) -> None:
    start = world_start(two_regions)
    with (
        _credentials(two_regions, "EU", "NA").client() as client,
        pytest.raises(AmazonForbiddenError) as caught,
    ):
        next(iter(client.iter_purchase_orders(created_after=start)))
    assert caught.value.status_code == 403
    assert "granted for the NA region" in str(caught.value.errors)


def test_unconfigured_region_is_named() -> None:
    regions = AmazonRegions.single(_client_stub(), "NA")
    assert regions.home == "NA" and regions[None] is regions["NA"]
    with pytest.raises(KeyError, match="FE is not configured"):
        regions["FE"]


def world_start(sandbox: RunningSandbox):
    from datetime import timedelta

    from vendor_sandbox.amazon.state import AmazonSandboxState

    anchor = AmazonSandboxState(sandbox.amazon_store, sandbox.world).anchor
    return anchor - timedelta(days=sandbox.world.scale.days + 1)


def _client_stub():
    from vendor_pipelines.amazon.client import AmazonVendorClient

    return AmazonVendorClient("http://127.0.0.1:9", "id", "secret", "token", "http://127.0.0.1:9/t")
