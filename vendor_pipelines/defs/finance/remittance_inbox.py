"""The remittance inbox as a resource: how load runs get REMITTANCE_INBOX and its size limit.

Built with the other resources from the settings, in `defs/resources.py`.
"""

from pathlib import Path

import dagster as dg

from vendor_pipelines.finance.inbox import (
    DEFAULT_MAX_FILE_BYTES,
    InboxEntry,
    read_inbox_file,
    scan_inbox,
)


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
