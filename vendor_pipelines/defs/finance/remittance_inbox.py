"""The remittance inbox as a resource: how load runs get REMITTANCE_INBOX and its size limit.

Its own module because a module with a `@dg.definitions` function contributes only what that
function returns; `remittances.py` keeps its assets, checks, job and sensor as plain objects.
"""

from pathlib import Path

import dagster as dg

from vendor_pipelines.finance.inbox import (
    DEFAULT_MAX_FILE_BYTES,
    InboxEntry,
    read_inbox_file,
    scan_inbox,
)
from vendor_pipelines.settings import load_settings


class RemittanceInboxResource(dg.ConfigurableResource):
    """Where remittance files arrive (REMITTANCE_INBOX), the largest one read
    (REMITTANCE_MAX_FILE_BYTES) and the finance timezone that dates an arrival."""

    path: str
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    finance_timezone: str = "UTC"

    @property
    def folder(self) -> Path:
        return Path(self.path)

    def scan(self) -> list[InboxEntry]:
        return scan_inbox(self.folder, self.max_file_bytes)

    def read(self, path: Path) -> bytes:
        return read_inbox_file(path, self.max_file_bytes)


@dg.definitions
def remittance_inbox() -> dg.Definitions:
    settings = load_settings()
    return dg.Definitions(
        resources={
            "remittance_inbox": RemittanceInboxResource(
                path=str(settings.remittance_inbox),
                max_file_bytes=settings.remittance_max_file_bytes,
                finance_timezone=settings.finance_timezone,
            )
        }
    )
