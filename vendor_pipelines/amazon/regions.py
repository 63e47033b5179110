"""SP-API regions: which host serves which region, and one client per region a vendor sells in.

A vendor selling to Amazon in North America and Europe holds one authorization (refresh token)
per region, and each region's purchase orders, acknowledgements, shipment notices and invoices
live only on that region's host: an EU purchase order is unknown to the NA host. So every
document goes to the client of its purchase order's region, and every transaction is polled
where it was submitted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .client import AmazonVendorClient
from .client_core import DEFAULT_TIMEOUT_SECONDS

REGIONS = ("NA", "EU", "FE")
REGION_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}


def region_of(endpoint: str) -> str:
    """NA / EU / FE from an SP-API host; anything else (a sandbox on loopback) counts as NA."""
    for region in ("eu", "fe"):
        if f"-{region}." in endpoint:
            return region.upper()
    return "NA"


def parse_regions(value: str) -> tuple[str, ...]:
    """`"na, EU"` -> `("NA", "EU")`, in the order given, without repeats; unknown names raise."""
    regions: list[str] = []
    for part in value.split(","):
        name = part.strip().upper()
        if not name:
            continue
        if name not in REGIONS:
            raise ValueError(f"unknown SP-API region {name!r}; choose from {', '.join(REGIONS)}")
        if name not in regions:
            regions.append(name)
    return tuple(regions)


@dataclass(frozen=True)
class AmazonCredentials:
    """One region's authorization: its host and the refresh token the vendor granted for it."""

    region: str
    endpoint: str
    lwa_client_id: str
    lwa_client_secret: str
    lwa_refresh_token: str
    lwa_token_url: str

    def __repr__(self) -> str:  # never show secrets
        return f"AmazonCredentials(region={self.region!r}, endpoint={self.endpoint!r})"

    def client(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> AmazonVendorClient:
        """The region's client; `timeout`: seconds a call waits for its answer (a retry then)."""
        return AmazonVendorClient(
            self.endpoint,
            self.lwa_client_id,
            self.lwa_client_secret,
            self.lwa_refresh_token,
            self.lwa_token_url,
            timeout=timeout,
        )


@dataclass(frozen=True)
class AmazonAppConfig:
    """The raw Amazon settings of a deployment, whatever their source (environment, resource).

    `endpoint`/`lwa_refresh_token` are the single-region variables; the `*_by_region` maps hold
    the per-region ones (`AMAZON_SPAPI_ENDPOINT_EU`, `AMAZON_LWA_REFRESH_TOKEN_EU`, ...).
    """

    regions: tuple[str, ...]
    endpoint: str | None
    lwa_client_id: str | None
    lwa_client_secret: str | None
    lwa_refresh_token: str | None
    lwa_token_url: str
    endpoint_by_region: Mapping[str, str | None]
    refresh_token_by_region: Mapping[str, str | None]

    @property
    def is_live(self) -> bool:
        values = (self.endpoint, self.lwa_client_id, self.lwa_client_secret, self.lwa_refresh_token)
        per_region = (*self.endpoint_by_region.values(), *self.refresh_token_by_region.values())
        return any(v is not None for v in (*values, *per_region))


SINGLE_REGION_VARS = (
    "AMAZON_SPAPI_ENDPOINT",
    "AMAZON_LWA_CLIENT_ID",
    "AMAZON_LWA_CLIENT_SECRET",
    "AMAZON_LWA_REFRESH_TOKEN",
)


def regional_credentials(config: AmazonAppConfig) -> list[AmazonCredentials]:
    """Each configured region's credentials; a gap raises ValueError naming the variable to set.

    With `AMAZON_REGIONS` unset the four single-region variables describe the one region (taken
    from the endpoint's host). With it set, each region takes its own endpoint (default: the
    production host) and refresh token; the single-region variables still serve the region their
    endpoint belongs to, so adding a second region to a working deployment adds two variables.
    """
    values = dict(
        zip(
            SINGLE_REGION_VARS,
            (
                config.endpoint,
                config.lwa_client_id,
                config.lwa_client_secret,
                config.lwa_refresh_token,
            ),
            strict=True,
        )
    )
    if not config.regions:
        missing = [name for name, value in values.items() if value is None]
        if missing:
            raise ValueError(
                f"{missing[0]} is not set: Amazon live mode needs {', '.join(SINGLE_REGION_VARS)}"
                " (unset all of them to use the embedded sandbox; AMAZON_REGIONS lists several"
                " regions)"
            )
        assert config.endpoint is not None
        regions: tuple[str, ...] = (region_of(config.endpoint),)
    else:
        regions = config.regions
        for name in ("AMAZON_LWA_CLIENT_ID", "AMAZON_LWA_CLIENT_SECRET"):
            if values[name] is None:
                raise ValueError(f"{name} is not set: every SP-API region shares the LWA app")
    home = region_of(config.endpoint) if config.endpoint else None
    credentials = []
    for region in regions:
        endpoint = config.endpoint_by_region.get(region) or (
            config.endpoint if home == region else REGION_ENDPOINTS[region]
        )
        # The unsuffixed token belongs to the endpoint's region (or to the only region).
        serves_home = home == region or (home is None and len(regions) == 1)
        token = config.refresh_token_by_region.get(region) or (
            config.lwa_refresh_token if serves_home else None
        )
        if not token:
            raise ValueError(
                f"AMAZON_LWA_REFRESH_TOKEN_{region} is not set: each SP-API region needs the"
                f" refresh token of the vendor's {region} authorization"
            )
        credentials.append(
            AmazonCredentials(
                region,
                endpoint,
                config.lwa_client_id or "",
                config.lwa_client_secret or "",
                token,
                config.lwa_token_url,
            )
        )
    return credentials


class AmazonRegions(Mapping[str, AmazonVendorClient]):
    """The clients of a deployment by region; the first region is the home region.

    `amazon[None]` is the home region's client: documents whose purchase order the warehouse
    does not know (never the case for a pulled order) and region-less work (reports) go there.
    """

    def __init__(self, clients: Mapping[str, AmazonVendorClient]) -> None:
        if not clients:
            raise ValueError("at least one SP-API region is needed")
        self._clients = dict(clients)

    @classmethod
    def single(cls, client: AmazonVendorClient, region: str | None = None) -> AmazonRegions:
        return cls({region or region_of(client.endpoint): client})

    @property
    def home(self) -> str:
        return next(iter(self._clients))

    def __getitem__(self, region: str | None) -> AmazonVendorClient:
        key = region or self.home
        if key not in self._clients:
            raise KeyError(
                f"SP-API region {key} is not configured (AMAZON_REGIONS has"
                f" {', '.join(self._clients)})"
            )
        return self._clients[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clients)

    def __len__(self) -> int:
        return len(self._clients)

    def close(self) -> None:
        for client in self._clients.values():
            client.close()

    def __enter__(self) -> AmazonRegions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
