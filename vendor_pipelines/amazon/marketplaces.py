"""Marketplaces: which SP-API region serves each, and whose vendor reports a deployment pulls.

Only the Reports API takes a marketplace; every other vendor operation is per region (host).
"""

from __future__ import annotations

# Marketplace id -> the SP-API region whose host serves it (reference §1.1).
MARKETPLACE_REGIONS = {
    **dict.fromkeys(("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8", "A2Q3Y263D00KWC"), "NA"),
    **dict.fromkeys(
        (
            "A1F83G8C2ARO7P",
            "A1PA6795UKMFR9",
            "A13V1IB3VIYZZH",
            "APJ6JRA9NG5V4",
            "A1RKKUPIHCS9HS",
            "A1805IZSGTT6HS",
            "A2NODRKZP88ZB9",
            "A1C3SOZRARQ6R3",
            "A33AVAJ2PDY3EV",
            "A2VIGQ35RCS4UG",
            "A17E79C6D8DWNP",
            "ARBP9OOSHTCHU",
            "A21TJRUUN4KGV",
        ),
        "EU",
    ),
    **dict.fromkeys(("A1VC38T7YXB528", "A39IBJ37TRP1C6", "A19VAU5U5O7RUS"), "FE"),
}
# The marketplace a region's vendor reports come from when none is configured (US, DE, JP).
DEFAULT_MARKETPLACES = {"NA": "ATVPDKIKX0DER", "EU": "A1PA6795UKMFR9", "FE": "A1VC38T7YXB528"}


def report_marketplaces(configured: str, regions: tuple[str, ...]) -> list[tuple[str, str]]:
    """(marketplace id, region) of every marketplace whose vendor reports are pulled.

    `configured` is a comma-separated list of marketplace ids; empty means each region's main
    marketplace. A marketplace of a region the deployment does not sell in raises ValueError.
    """
    ids = [m.strip() for m in configured.split(",") if m.strip()]
    if not ids:
        return [(DEFAULT_MARKETPLACES[region], region) for region in regions]
    out = []
    for marketplace in ids:
        region = MARKETPLACE_REGIONS.get(marketplace)
        if region is None:
            raise ValueError(f"unknown marketplace id {marketplace!r}")
        if region not in regions:
            raise ValueError(
                f"marketplace {marketplace} is served by the {region} region, which"
                f" AMAZON_REGIONS does not include ({', '.join(regions)})"
            )
        out.append((marketplace, region))
    return out
