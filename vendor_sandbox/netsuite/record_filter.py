"""`q` on a record collection (`GET /record/v1/{type}?q=...`), the way N/query reads it.

    q := condition | q AND q | q OR q | ( q )        (AND binds tighter than OR)
    condition := field OPERATOR [value | [value, value, ...]]

Fields are the record type's body fields (records/fields.py; the metadata marks them
`x-ns-filterable`), named case-insensitively; sublists and subrecords cannot be filtered and
there are no joins. Operators by the field's type, each also with a `_NOT` form:

* boolean: IS (`true`/`false`);
* number, integer, select (by internal id), and `id`: ANY_OF, BETWEEN, EQUAL, GREATER,
  GREATER_OR_EQUAL, LESS, LESS_OR_EQUAL, WITHIN (`[a, b]`; ANY_OF takes `[1, 2, 3]`);
* text: CONTAIN, IS, START_WITH, END_WITH (case-insensitive, as NetSuite's searches are);
* date and date-time: AFTER, BEFORE, ON, ON_OR_AFTER, ON_OR_BEFORE, with the date in the
  user's date format preference, which in the sandbox is M/D/YYYY (`"1/31/2025"`): N/query does
  not read ISO dates, and answers them with 400 "Unparseable date" as NetSuite does;
* enumerations (status, orderStatus, shipStatus): IS and ANY_OF on the internal id (`B`);
* any field: EMPTY, EMPTY_NOT (no value).

Values with spaces are double-quoted. Anything else is 400 INVALID_PARAMETER on `q`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vendor_sandbox.netsuite.errors import NetSuiteProblem
from vendor_sandbox.netsuite.records.base import enum_id, ref_id
from vendor_sandbox.netsuite.records.fields import Field, Kind, RecordFields

Record = dict[str, Any]
Predicate = Callable[[Record], bool]
USER_DATE_FORMAT = "M/D/YYYY"  # the sandbox user's date format preference

_TOKEN = re.compile(
    r'\s*(?:(?P<quoted>"(?:[^"\\]|\\.)*")|(?P<list>\[[^\]]*\])|(?P<open>\()|(?P<close>\))'
    r'|(?P<word>[^\s()\[\]"]+))'
)
_USER_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NUMERIC = (Kind.INTEGER, Kind.NUMBER, Kind.SELECT)
_DATES = (Kind.DATE, Kind.DATETIME)
_OPERATORS: dict[str, tuple[Kind, ...]] = {
    "ANY_OF": (*_NUMERIC, Kind.ENUM),
    "BETWEEN": _NUMERIC,
    "WITHIN": _NUMERIC,
    "EQUAL": _NUMERIC,
    "GREATER": _NUMERIC,
    "GREATER_OR_EQUAL": _NUMERIC,
    "LESS": _NUMERIC,
    "LESS_OR_EQUAL": _NUMERIC,
    "IS": (Kind.BOOLEAN, Kind.TEXT, Kind.ENUM),
    "CONTAIN": (Kind.TEXT,),
    "START_WITH": (Kind.TEXT,),
    "END_WITH": (Kind.TEXT,),
    "AFTER": _DATES,
    "BEFORE": _DATES,
    "ON": _DATES,
    "ON_OR_AFTER": _DATES,
    "ON_OR_BEFORE": _DATES,
    "EMPTY": tuple(Kind),
}
_ALIASES = {"ENDWITH": "END_WITH"}  # Oracle's operator table prints it so
_TWO_VALUES = frozenset({"BETWEEN", "WITHIN"})
_NO_VALUE = frozenset({"EMPTY"})


def bad_query(detail: str) -> NetSuiteProblem:
    return NetSuiteProblem(
        400, "INVALID_PARAMETER", f"Invalid search query: {detail}", query_param="q"
    )


@dataclass(frozen=True)
class _Token:
    kind: str  # quoted | list | open | close | word
    text: str


def parse_filter(q: str, fields: RecordFields, record_type: str) -> Predicate:
    """A predicate over stored records of one type; raises 400 for anything it cannot read."""
    tokens = _tokens(q)
    if not tokens:
        raise bad_query("the query is empty.")
    parser = _Parser(tokens, fields, record_type)
    predicate = parser.disjunction()
    if parser.i < len(tokens):
        raise bad_query(f"unexpected {tokens[parser.i].text!r}.")
    return predicate


def _tokens(q: str) -> list[_Token]:
    out: list[_Token] = []
    position = 0
    text = q.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise bad_query(f"cannot read {text[position : position + 20]!r}.")
        kind = match.lastgroup or "word"
        out.append(_Token(kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return out


class _Parser:
    def __init__(self, tokens: list[_Token], fields: RecordFields, record_type: str) -> None:
        self.tokens = tokens
        self.fields = fields
        self.record_type = record_type
        self.i = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _next(self, wanted: str) -> _Token:
        token = self._peek()
        if token is None:
            raise bad_query(f"expected {wanted} but the query ended.")
        self.i += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "word" and token.text.upper() == word:
            self.i += 1
            return True
        return False

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self._keyword("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunction(self) -> Predicate:
        parts = [self.term()]
        while self._keyword("AND"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def term(self) -> Predicate:
        token = self._peek()
        if token is not None and token.kind == "open":
            self.i += 1
            inner = self.disjunction()
            if self._next("')'").kind != "close":
                raise bad_query("a '(' is not closed.")
            return inner
        return self.condition()

    def condition(self) -> Predicate:
        name = self._next("a field name")
        if name.kind != "word":
            raise bad_query(f"expected a field name, found {name.text!r}.")
        target = self.fields.filterable(name.text)
        if target is None:
            raise bad_query(f"{name.text!r} is not a filterable body field of {self.record_type}.")
        spelled = self._next("an operator").text.upper()
        negated = spelled.endswith("_NOT")
        operator = _ALIASES.get(spelled.removesuffix("_NOT"), spelled.removesuffix("_NOT"))
        kind = target.filter_kind
        if operator not in _OPERATORS:
            raise bad_query(f"unknown operator {spelled}.")
        if kind not in _OPERATORS[operator]:
            raise bad_query(f"operator {spelled} does not apply to {target.name} ({kind}).")
        test = self._test(target, operator)
        return (lambda r: not test(r)) if negated else test

    def _test(self, target: Field, operator: str) -> Predicate:
        if operator in _NO_VALUE:
            return lambda r: _value_of(target, r) in (None, "")
        raw = self._values(operator)
        kind = target.filter_kind
        wanted = [_operand(kind, text) for text in raw]

        def test(record: Record) -> bool:
            have = _value_of(target, record)
            if have is None:
                return False
            return _compare(operator, have, wanted)

        return test

    def _values(self, operator: str) -> list[str]:
        token = self._next("a value")
        if token.kind == "list":
            values = _list_items(token.text[1:-1])
        elif token.kind in ("quoted", "word"):
            values = [_unquote(token.text)]
        else:
            raise bad_query(f"expected a value, found {token.text!r}.")
        if operator in _TWO_VALUES and len(values) != 2:
            raise bad_query(f"{operator} takes two values: [a, b].")
        if operator not in _TWO_VALUES and operator != "ANY_OF" and len(values) != 1:
            raise bad_query(f"{operator} takes one value.")
        if not values:
            raise bad_query(f"{operator} needs at least one value.")
        return values


def _list_items(inside: str) -> list[str]:
    items = re.findall(r'\s*("(?:[^"\\]|\\.)*"|[^,]+)\s*(?:,|$)', inside)
    return [_unquote(item.strip()) for item in items if item.strip()]


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _operand(kind: Kind, text: str) -> Any:
    if kind in _NUMERIC:
        try:
            return float(text)
        except ValueError:
            raise bad_query(f"{text!r} is not a number.") from None
    if kind is Kind.BOOLEAN:
        if text.lower() not in ("true", "false"):
            raise bad_query(f"{text!r} is not true or false.")
        return text.lower() == "true"
    if kind in _DATES:
        match = _USER_DATE.match(text)
        if match is None:
            raise NetSuiteProblem(
                400,
                "INVALID_PARAMETER",
                f"Unparseable date: {text!r} (use your date format preference, "
                f"{USER_DATE_FORMAT}).",
                query_param="q",
            )
        month, day, year = (int(part) for part in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise bad_query(f"{text!r} is not a date.") from None
    return text.casefold()


def _value_of(target: Field, record: Record) -> Any:
    """The record's value of the field, in the type `q` compares it as."""
    value = record.get(target.name)
    if value is None:
        return None
    kind = target.filter_kind
    if kind in _NUMERIC:
        found = ref_id(value) if target.kind is Kind.SELECT else value
        try:
            return float(found)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
    if kind is Kind.BOOLEAN:
        return bool(value)
    if kind is Kind.DATE:
        return dt.date.fromisoformat(str(value)[:10])
    if kind is Kind.DATETIME:
        moment = dt.datetime.fromisoformat(str(value))
        return moment.astimezone(dt.UTC).date()
    if kind is Kind.ENUM:
        found = enum_id(value)
        return None if found is None else str(found).casefold()
    return str(value).casefold()


def _compare(operator: str, have: Any, wanted: list[Any]) -> bool:
    one = wanted[0]
    if operator == "ANY_OF":
        return have in wanted
    if operator in _TWO_VALUES:
        low, high = sorted(wanted)
        return low <= have <= high
    comparisons: dict[str, Callable[[], bool]] = {
        "EQUAL": lambda: have == one,
        "IS": lambda: have == one,
        "ON": lambda: have == one,
        "GREATER": lambda: have > one,
        "AFTER": lambda: have > one,
        "GREATER_OR_EQUAL": lambda: have >= one,
        "ON_OR_AFTER": lambda: have >= one,
        "LESS": lambda: have < one,
        "BEFORE": lambda: have < one,
        "LESS_OR_EQUAL": lambda: have <= one,
        "ON_OR_BEFORE": lambda: have <= one,
        "CONTAIN": lambda: one in have,
        "START_WITH": lambda: have.startswith(one),
        "END_WITH": lambda: have.endswith(one),
    }
    return comparisons[operator]()
