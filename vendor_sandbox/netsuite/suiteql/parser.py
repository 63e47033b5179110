"""A deliberately small, honest SuiteQL subset: what the pipelines' queries use, no more.

Grammar:
  SELECT [DISTINCT] * | col [[AS] alias], ...  FROM table [alias]
    [[INNER | LEFT [OUTER]] JOIN table [alias] ON col = col]...
    [WHERE condition] [ORDER BY col [ASC|DESC], ...]
  condition: AND / OR / NOT / parentheses over  col op value | col [NOT] IN (values)
             | col IS [NOT] NULL | col [NOT] LIKE 'pattern' | col BETWEEN value AND value
  col: [table_alias.]field | BUILTIN.DF([table_alias.]field)
  value: 'string' | number | ? | col
`BUILTIN.DF(field)` is the field's display text (a customer's name for `entity`, "Sales Order
: Billed" for a sales order's `status`); unaliased, it comes back as `expr1`, `expr2`, ... as
SuiteQL names every unaliased expression. Any other function (COUNT, SUM, BUILTIN.CF, TO_DATE
...), GROUP BY, HAVING, sub-queries, arithmetic and UNION raise `SuiteQLSyntaxError`, which the
app answers as NetSuite does (400 USER_ERROR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)"
    r"|(?P<op><=|>=|<>|!=|=|<|>|\(|\)|,|\*|\?))"
)
KEYWORDS = {
    "select",
    "distinct",
    "from",
    "where",
    "and",
    "or",
    "not",
    "in",
    "is",
    "null",
    "like",
    "between",
    "order",
    "by",
    "asc",
    "desc",
    "as",
    "join",
    "inner",
    "left",
    "outer",
    "on",
}


DISPLAY_FUNCTION = "builtin.df"


class SuiteQLSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Column:
    qualifier: str | None
    name: str
    display: bool = False  # BUILTIN.DF(column): the display text instead of the raw value


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Param:
    index: int


@dataclass
class Condition:
    kind: str  # compare | in | null | like | between | and | or | not
    op: str = ""
    args: list[Any] = field(default_factory=list)
    negated: bool = False


@dataclass
class Join:
    table: str
    alias: str
    left: Column
    right: Column
    outer: bool


@dataclass
class Query:
    columns: list[tuple[Column, str]] | None  # None = *
    table: str
    alias: str
    joins: list[Join]
    where: Condition | None
    order_by: list[tuple[Column, bool]]  # (column, descending)
    distinct: bool
    param_count: int


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        text = text.strip().rstrip(";")
        while position < len(text):
            match = _TOKEN.match(text, position)
            if not match or match.end() == position:
                raise SuiteQLSyntaxError(
                    f"Unexpected text near: {text[position : position + 20]!r}"
                )
            kind = match.lastgroup or ""
            value = match.group(kind)
            if kind == "name" and value.lower() in KEYWORDS:
                kind, value = "kw", value.lower()
            self.tokens.append((kind, value))
            position = match.end()
            while position < len(text) and text[position].isspace():
                position += 1
        self.i = 0
        self.params = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else ("end", "")

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        token_kind, token_value = self.peek()
        if (kind and token_kind != kind) or (value and token_value != value):
            wanted = value or kind
            raise SuiteQLSyntaxError(f"Expected {wanted} but found {token_value or 'end of query'}")
        self.i += 1
        return token_value

    def accept(self, kind: str, value: str | None = None) -> bool:
        token_kind, token_value = self.peek()
        if token_kind == kind and (value is None or token_value == value):
            self.i += 1
            return True
        return False

    def column(self) -> Column:
        name = self.take("name").lower()
        if self.peek() == ("op", "("):
            if name != DISPLAY_FUNCTION:
                raise SuiteQLSyntaxError(f"Function {name.upper()} is not supported")
            self.take("op", "(")
            inner = self.column()
            if inner.display:
                raise SuiteQLSyntaxError("BUILTIN.DF takes a field, not an expression")
            self.take("op", ")")
            return Column(inner.qualifier, inner.name, display=True)
        qualifier, _, column = name.rpartition(".")
        return Column(qualifier or None, column)

    def value(self) -> Column | Literal | Param:
        kind, token = self.peek()
        if kind == "num":
            self.i += 1
            return Literal(float(token) if "." in token else int(token))
        if kind == "str":
            self.i += 1
            return Literal(token[1:-1].replace("''", "'"))
        if kind == "op" and token == "?":
            self.i += 1
            self.params += 1
            return Param(self.params - 1)
        if kind == "name":
            return self.column()
        raise SuiteQLSyntaxError(f"Expected a value but found {token or 'end of query'}")

    def parse(self) -> Query:
        self.take("kw", "select")
        distinct = self.accept("kw", "distinct")
        columns: list[tuple[Column, str]] | None = None
        if not self.accept("op", "*"):
            columns = []
            expressions = 0
            while True:
                col = self.column()
                if self.accept("kw", "as") or self.peek()[0] == "name":
                    alias = self.take("name").lower()
                elif col.display:
                    expressions += 1  # unaliased expressions are numbered left to right
                    alias = f"expr{expressions}"
                else:
                    alias = col.name
                columns.append((col, alias))
                if not self.accept("op", ","):
                    break
        self.take("kw", "from")
        table = self.take("name").lower()
        alias = self.take("name").lower() if self.peek()[0] == "name" else table
        joins = []
        while self.peek()[1] in ("join", "inner", "left"):
            outer = self.accept("kw", "left")
            self.accept("kw", "outer")
            self.accept("kw", "inner")
            self.take("kw", "join")
            joined = self.take("name").lower()
            joined_alias = self.take("name").lower() if self.peek()[0] == "name" else joined
            self.take("kw", "on")
            left = self.column()
            self.take("op", "=")
            joins.append(Join(joined, joined_alias, left, self.column(), outer))
        where = self.condition() if self.accept("kw", "where") else None
        order_by: list[tuple[Column, bool]] = []
        if self.accept("kw", "order"):
            self.take("kw", "by")
            while True:
                col = self.column()
                descending = self.accept("kw", "desc")
                if not descending:
                    self.accept("kw", "asc")
                order_by.append((col, descending))
                if not self.accept("op", ","):
                    break
        if self.peek()[0] != "end":
            raise SuiteQLSyntaxError(f"Unsupported SuiteQL near {self.peek()[1]!r}")
        return Query(columns, table, alias, joins, where, order_by, distinct, self.params)

    def condition(self) -> Condition:
        parts = [self.conjunction()]
        while self.accept("kw", "or"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Condition("or", args=parts)

    def conjunction(self) -> Condition:
        parts = [self.predicate()]
        while self.accept("kw", "and"):
            parts.append(self.predicate())
        return parts[0] if len(parts) == 1 else Condition("and", args=parts)

    def predicate(self) -> Condition:
        if self.accept("kw", "not"):
            return Condition("not", args=[self.predicate()])
        if self.accept("op", "("):
            inner = self.condition()
            self.take("op", ")")
            return inner
        left = self.value()
        negated = self.accept("kw", "not")
        if self.accept("kw", "in"):
            self.take("op", "(")
            values = [self.value()]
            while self.accept("op", ","):
                values.append(self.value())
            self.take("op", ")")
            return Condition("in", args=[left, *values], negated=negated)
        if self.accept("kw", "like"):
            return Condition("like", args=[left, self.value()], negated=negated)
        if self.accept("kw", "between"):
            low = self.value()
            self.take("kw", "and")
            return Condition("between", args=[left, low, self.value()], negated=negated)
        if not negated and self.accept("kw", "is"):
            is_not = self.accept("kw", "not")
            self.take("kw", "null")
            return Condition("null", args=[left], negated=is_not)
        kind, op = self.peek()
        if kind != "op" or op not in ("=", "<>", "!=", "<", "<=", ">", ">="):
            raise SuiteQLSyntaxError(f"Unsupported condition near {op or 'end of query'!r}")
        self.i += 1
        return Condition("compare", op="<>" if op == "!=" else op, args=[left, self.value()])


def parse(text: str) -> Query:
    return _Parser(text).parse()
