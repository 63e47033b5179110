"""SuiteQL paging: offset pages of at most 1000 rows, and keyset paging past the 100k ceiling.

A query can be paged by offset only up to 100,000 rows (1000 pages). Beyond that the documented
workaround is keyset paging: `WHERE id > :last ORDER BY id ASC`, restarting the offset window
from the last key seen. Offsets must be multiples of the limit, and paged queries need a unique
ORDER BY or rows can repeat or go missing between pages.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from vendor_pipelines.netsuite.errors import SuiteQLRowCeilingReached

if TYPE_CHECKING:
    from vendor_pipelines.netsuite.transport import GovernedTransport

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
MAX_PAGE_SIZE = 1000


class SuiteQLPage(BaseModel):
    count: int
    has_more: bool = Field(alias="hasMore")
    offset: int = 0
    total_results: int | None = Field(default=None, alias="totalResults")
    items: list[dict[str, Any]] = Field(default_factory=list)


class SuiteQLPager:
    def __init__(self, transport: GovernedTransport, row_ceiling: int = 100_000) -> None:
        self.transport = transport
        self.row_ceiling = row_ceiling

    def page(self, query: str, params: Sequence[Any], *, limit: int, offset: int) -> SuiteQLPage:
        body: dict[str, Any] = {"q": query}
        if params:
            body["params"] = [str(p) for p in params]
        outcome = self.transport.request(
            "POST",
            SUITEQL_PATH,
            params={"limit": limit, "offset": offset},
            json=body,
            headers={"Prefer": "transient"},
            repeatable=True,  # read-only
        )
        return SuiteQLPage.model_validate(outcome.response.json())

    def offset_rows(
        self, query: str, params: Sequence[Any], *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        for rows, truncated in self._window(query, params, page_size):
            yield from rows
            if truncated:
                raise SuiteQLRowCeilingReached(
                    400,
                    f"query has more than {self.row_ceiling} rows; page it with suiteql_by_key",
                )

    def keyset_rows(
        self,
        select: str,
        table: str,
        *,
        where: str | None,
        params: Sequence[Any],
        key: str,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        key_column = key.rsplit(".", 1)[-1].lower()
        last: int | None = None
        while True:
            conditions = [f"({where})"] if where else []
            if last is not None:
                conditions.append(f"{key} > {int(last)}")
            query = f"SELECT {select} FROM {table}"
            if conditions:
                query += " WHERE " + " AND ".join(conditions)
            query += f" ORDER BY {key} ASC"
            truncated = False
            for rows, window_truncated in self._window(query, params, page_size):
                truncated = window_truncated
                for row in rows:
                    if key_column not in row:
                        raise ValueError(f"keyset paging needs {key_column!r} in the SELECT list")
                    last = int(row[key_column])
                    yield row
            if not truncated:
                return

    def _window(
        self, query: str, params: Sequence[Any], page_size: int
    ) -> Iterator[tuple[list[dict[str, Any]], bool]]:
        """Offset pages of one query; the flag says the ceiling stopped us with rows left."""
        if not 0 < page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"SuiteQL page size must be 1..{MAX_PAGE_SIZE}")
        offset = 0
        while True:
            page = self.page(query, params, limit=page_size, offset=offset)
            rows = [{k: v for k, v in row.items() if k != "links"} for row in page.items]
            offset += page_size  # offsets must stay multiples of the limit
            if not page.has_more:
                yield rows, False
                return
            if offset >= self.row_ceiling:
                yield rows, True
                return
            yield rows, False
