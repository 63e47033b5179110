"""Account id -> REST host rules.

NetSuite gives every account its own domain. The host label is the account id lower-cased with
`_` replaced by `-` (`1234567_SB1` -> `1234567-sb1`), while the OAuth 1.0 `realm` keeps the
original upper-case form; mixing the two up is a classic cause of INVALID_LOGIN.
"""

from __future__ import annotations

import re

# Production (digits), sandbox (`_SB1`...), release preview (`_RP`), test drive (`TSTDRV123`).
_ACCOUNT_ID = re.compile(r"^(?:\d+|TSTDRV\d+)(?:_(?:SB|RP)\d*)?$", re.IGNORECASE)


def normalise_account_id(account_id: str) -> str:
    """The realm form: upper case, underscores kept. Rejects anything that is not an account id."""
    value = account_id.strip().replace("-", "_").upper()
    if not _ACCOUNT_ID.match(value):
        raise ValueError(f"not a NetSuite account id: {account_id!r}")
    return value


def host_label(account_id: str) -> str:
    return normalise_account_id(account_id).lower().replace("_", "-")


def rest_base_url(account_id: str) -> str:
    """The account root, e.g. `https://1234567-sb1.suitetalk.api.netsuite.com`."""
    return f"https://{host_label(account_id)}.suitetalk.api.netsuite.com"


def is_sandbox_account(account_id: str) -> bool:
    return "_SB" in normalise_account_id(account_id)


def token_endpoint(base_url: str) -> str:
    return base_url.rstrip("/") + "/services/rest/auth/oauth2/v1/token"
