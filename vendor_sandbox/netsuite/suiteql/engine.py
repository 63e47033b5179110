"""Run a parsed SuiteQL query over the sandbox tables and page the result NetSuite's way."""

from __future__ import annotations

import fnmatch
from typing import Any

from vendor_sandbox.netsuite.errors import NetSuiteProblem, user_error
from vendor_sandbox.netsuite.records import Books
from vendor_sandbox.netsuite.suiteql.parser import (
    Column,
    Condition,
    Literal,
    Param,
    Query,
    SuiteQLSyntaxError,
    parse,
)
from vendor_sandbox.netsuite.suiteql.tables import TABLES, DisplayNames, Table

Joined = dict[str, dict[str, Any]]  # alias -> row of that table


def _invalid_query(detail: str) -> NetSuiteProblem:
    return user_error("Invalid search query. Detailed unprocessed description follows. " + detail)


class _Compiled:
    def __init__(self, query: Query, params: list[Any], names: DisplayNames) -> None:
        if query.param_count != len(params):
            raise _invalid_query(
                f"Query has {query.param_count} parameters but {len(params)} values were bound."
            )
        self.query = query
        self.params = params
        self.names = names
        self.tables: dict[str, Table] = {}
        for name, alias in [(query.table, query.alias)] + [(j.table, j.alias) for j in query.joins]:
            if name not in TABLES:
                raise _invalid_query(f"Search error occurred: Record '{name}' was not found.")
            self.tables[alias] = TABLES[name]
        for column in self._columns_used():
            alias = self.owner(column)
            if column.display and column.name in self.tables[alias].unnamed:
                raise _invalid_query(
                    f"BUILTIN.DF({column.name}) is not available in the sandbox: it keeps no "
                    f"{column.name} records to name."
                )

    def _columns_used(self) -> list[Column]:
        used = [c for c, _ in self.query.columns or []] + [c for c, _ in self.query.order_by]
        for join in self.query.joins:
            used += [join.left, join.right]

        def walk(condition: Condition | None) -> None:
            if condition is None:
                return
            for arg in condition.args:
                if isinstance(arg, Condition):
                    walk(arg)
                elif isinstance(arg, Column):
                    used.append(arg)

        walk(self.query.where)
        return used

    def owner(self, column: Column) -> str:
        """The alias whose table has this column; unknown fields are NetSuite's 400."""
        candidates = [column.qualifier] if column.qualifier else list(self.tables)
        for alias in candidates:
            table = self.tables.get(alias or "")
            if table is None:
                raise _invalid_query(f"Search error occurred: Unknown identifier '{alias}'.")
            if column.name in table.columns or column.name.startswith(table.custom_prefix):
                return alias or ""
        record = self.tables[candidates[0] or ""].name if column.qualifier else self.query.table
        raise _invalid_query(
            f"Search error occurred: Field '{column.name}' for record '{record}' was not found."
        )

    def value(self, row: Joined, operand: Any) -> Any:
        if isinstance(operand, Literal):
            return operand.value
        if isinstance(operand, Param):
            return self.params[operand.index]
        alias = self.owner(operand)
        table_row = row.get(alias) or {}
        value = table_row.get(operand.name)
        if not operand.display or value is None:
            return value
        rule = self.tables[alias].display.get(operand.name)
        return value if rule is None else rule(self.names, table_row, value)

    def matches(self, row: Joined, condition: Condition) -> bool:
        kind = condition.kind
        if kind == "and":
            return all(self.matches(row, c) for c in condition.args)
        if kind == "or":
            return any(self.matches(row, c) for c in condition.args)
        if kind == "not":
            return not self.matches(row, condition.args[0])
        values = [self.value(row, arg) for arg in condition.args]
        if kind == "null":
            result = values[0] is None
        elif values[0] is None:
            return False  # SQL: comparisons with NULL are never true
        elif kind == "compare":
            result = _compare(values[0], condition.op, values[1])
        elif kind == "in":
            result = any(_compare(values[0], "=", v) for v in values[1:])
        elif kind == "like":
            pattern = str(values[1]).replace("%", "*").replace("_", "?")
            result = fnmatch.fnmatchcase(str(values[0]), pattern)
        else:  # between
            result = _compare(values[0], ">=", values[1]) and _compare(values[0], "<=", values[2])
        return result != condition.negated


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(left: Any, op: str, right: Any) -> bool:
    a, b = _number(left), _number(right)
    if a is None or b is None:
        a, b = str(left), str(right)  # type: ignore[assignment]
    return {
        "=": a == b,
        "<>": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,  # type: ignore[operator]
    }[op]


def _sort_key(value: Any) -> tuple[int, float, str]:
    number = _number(value)
    if value is None:
        return (2, 0.0, "")  # Oracle puts NULLs last when ascending
    return (0, number, "") if number is not None else (1, 0.0, str(value))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def run_query(books: Books, text: str, params: list[Any]) -> list[dict[str, str]]:
    try:
        query = parse(text)
    except SuiteQLSyntaxError as exc:
        raise _invalid_query(str(exc)) from None
    compiled = _Compiled(query, params, DisplayNames(books))
    base = compiled.tables[query.alias].rows(books)
    joined: list[Joined] = [{query.alias: row} for row in base]
    for join in query.joins:
        right_rows = compiled.tables[join.alias].rows(books)
        near, far = (join.left, join.right)
        if compiled.owner(near) == join.alias:
            near, far = far, near
        index: dict[str, list[dict[str, Any]]] = {}
        for row in right_rows:
            index.setdefault(_text(row.get(far.name)), []).append(row)
        next_rows: list[Joined] = []
        for row in joined:
            key = compiled.value(row, near)
            partners = index.get(_text(key), []) if key is not None else []
            if not partners and join.outer:
                partners = [{}]
            next_rows += [row | {join.alias: partner} for partner in partners]
        joined = next_rows
    if query.where is not None:
        joined = [row for row in joined if compiled.matches(row, query.where)]
    for column, descending in reversed(query.order_by):
        joined.sort(key=lambda row, c=column: _sort_key(compiled.value(row, c)), reverse=descending)
    if query.columns is None:
        selected: list[tuple[Column, str]] = [
            (Column(alias, name), name)
            for alias, table in compiled.tables.items()
            for name in sorted(table.columns)
        ]
    else:
        selected = query.columns
    out: list[dict[str, str]] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    for row in joined:
        values = {alias: compiled.value(row, column) for column, alias in selected}
        rendered = {k: _render(v) for k, v in values.items() if v is not None}
        if query.distinct:
            signature = tuple(sorted(rendered.items()))
            if signature in seen:
                continue
            seen.add(signature)
        out.append(rendered)
    return out


def _render(value: Any) -> str:
    if isinstance(value, bool):
        return "T" if value else "F"
    return _text(value)
