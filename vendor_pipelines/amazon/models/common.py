"""Building blocks shared by every SP-API vendor model.

Field names follow the official models exactly (camelCase), so a model dumped with
`to_amazon()` is the wire payload. The types encode the models' conventions and tolerate
their documented quirks:

* `AmzDecimal`: money, rates and weights travel as JSON *strings* holding a number
  (`^-?(0|([1-9]\\d*))(\\.\\d+)?([eE][+-]?\\d+)?$`); parsed to `decimal.Decimal`, written back as
  plain strings without exponent. Numbers are accepted on input (report documents use them).
* `AmzDateTime`: ISO-8601 date-times; values without an offset (seen in Amazon's examples) are
  read as UTC; written as UTC with a `Z` suffix.
* `DateTimeInterval`: the `start--end` window string of 1P ship/delivery windows.
* `AmzEnum`: enumerations that match case-insensitively (`CASES` -> `Cases`, `EACH` -> `Each`)
  but still reject values that are not in the model, with an error naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    PlainSerializer,
)
from pydantic_core import core_schema

DECIMAL_PATTERN = re.compile(r"^-?(0|([1-9]\d*))(\.\d+)?([eE][+-]?\d+)?$")


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("expected a decimal string, got a boolean")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip()
        # Amazon's pattern forbids a leading zero ("007") and "+"; also accept ".5"-less forms only.
        if not DECIMAL_PATTERN.match(text):
            # Be lenient with harmless variants some partners send ("0.90" passes, ".90" not).
            try:
                parsed = Decimal(text)
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a decimal string") from None
            if not parsed.is_finite():
                raise ValueError(f"{value!r} is not a finite decimal")
            return parsed
        return Decimal(text)
    raise ValueError(f"expected a decimal string, got {type(value).__name__}")


def format_decimal(value: Decimal) -> str:
    """A Decimal as Amazon's Decimal string: plain notation, no exponent, no '+'."""
    text = format(value, "f")
    if text in ("-0", "-0.0") or (text.startswith("-") and Decimal(text) == 0):
        text = text.lstrip("-")
    return text


AmzDecimal = Annotated[
    Decimal,
    BeforeValidator(_parse_decimal),
    PlainSerializer(format_decimal, return_type=str, when_used="json"),
]


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO-8601 date-time") from None
    else:
        raise ValueError(f"expected an ISO-8601 date-time string, got {type(value).__name__}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


def format_datetime(value: datetime) -> str:
    """UTC ISO-8601 with `Z`, seconds precision unless there are sub-seconds."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


AmzDateTime = Annotated[
    datetime,
    BeforeValidator(_parse_datetime),
    PlainSerializer(format_datetime, return_type=str, when_used="json"),
]


class DateTimeInterval:
    """`2019-08-21T07:00:00Z--2019-08-27T07:00:00Z`: a window as one string (1P orders)."""

    __slots__ = ("end", "start")

    def __init__(self, start: datetime, end: datetime) -> None:
        self.start = _parse_datetime(start)
        self.end = _parse_datetime(end)

    @classmethod
    def parse(cls, value: str) -> DateTimeInterval:
        if not isinstance(value, str) or "--" not in value:
            raise ValueError(f"{value!r} is not a 'start--end' date-time interval")
        start, _, end = value.partition("--")
        return cls(_parse_datetime(start), _parse_datetime(end))

    def contains(self, moment: datetime) -> bool:
        return self.start <= _parse_datetime(moment) <= self.end

    def __str__(self) -> str:
        return f"{format_datetime(self.start)}--{format_datetime(self.end)}"

    def __repr__(self) -> str:
        return f"DateTimeInterval({self})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DateTimeInterval)
            and self.start == other.start
            and self.end == other.end
        )

    def __hash__(self) -> int:
        return hash((self.start, self.end))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> DateTimeInterval:
            if isinstance(value, DateTimeInterval):
                return value
            return cls.parse(value)

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: str(v), when_used="json"
            ),
        )


_ENUM_ALIASES: dict[type, dict[str, str]] = {}


class AmzEnum(StrEnum):
    """A model enumeration matched case-insensitively (Amazon's own examples mix cases)."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if isinstance(value, str):
            folded = value.strip().casefold()
            for member in cls:
                if member.value.casefold() == folded:
                    return member
            alias = _ENUM_ALIASES.get(cls, {}).get(folded)
            if alias is not None:
                return cls(alias)
        return None


def enum_aliases(enum: type[AmzEnum], aliases: dict[str, str]) -> None:
    """Accept documented misspellings (e.g. `Each` where the model says `Eaches`)."""
    _ENUM_ALIASES.setdefault(enum, {}).update({k.casefold(): v for k, v in aliases.items()})


class AmzModel(BaseModel):
    """Base for every payload model: official field names, tolerant of fields added later."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        coerce_numbers_to_str=True,
        validate_assignment=False,
    )

    def to_amazon(self) -> dict[str, Any]:
        """The JSON body Amazon expects (no nulls, decimals as strings, UTC date-times)."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


class Error(AmzModel):
    """One entry of Amazon's `errors[]`."""

    code: str
    message: str
    details: str | None = None


class Pagination(AmzModel):
    nextToken: str | None = None


class TransactionReference(AmzModel):
    """`{transactionId}`: what every asynchronous submission answers with (202)."""

    transactionId: str | None = None


class SortOrder(AmzEnum):
    ASC = "ASC"
    DESC = "DESC"


class TransactionStatusCode(AmzEnum):
    Failure = "Failure"
    Processing = "Processing"
    Success = "Success"


def to_body(value: Any) -> Any:
    """Models, lists of models or plain dicts -> JSON-ready structures."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True, by_alias=True)
    if isinstance(value, list | tuple):
        return [to_body(v) for v in value]
    if isinstance(value, dict):
        return {k: to_body(v) for k, v in value.items() if v is not None}
    return value
