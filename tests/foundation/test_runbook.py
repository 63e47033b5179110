"""The exceptions runbook: complete for every type, generated (never hand-edited), true to the code.

docs/runbook.md is rendered from the exception type registry; these tests fail when a type has
no runbook entry, when the file differs from what the registry renders, when the code detects a
type the registry does not know (or the registry keeps a type nothing detects), and when an
entry names other assets than the ones carrying its asset check.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.cli import main
from vendor_pipelines.exceptions.runbook import REGENERATE, render_runbook
from vendor_pipelines.exceptions.types import EXCEPTION_TYPES

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "vendor_pipelines"
RUNBOOK = REPO / "docs" / "runbook.md"
RUNBOOK_FIELDS = ("meaning", "holds", "fix", "clears")

# A type name as it appears in code: lower snake case with at least one underscore.
TYPE_NAME = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+"
AS_EXCEPTION_TYPE = re.compile(rf"'({TYPE_NAME})'\s+as\s+exception_type\b")
# Rows after the first of a detection query (`union all select 'x', ...`).
SELECTED_LITERAL = re.compile(rf"\bselect\s+(?:distinct\s+)?'({TYPE_NAME})'", re.IGNORECASE)
CASE_AS_EXCEPTION_TYPE = re.compile(r"\bcase\b(.*?)\bend\s+as\s+exception_type\b", re.DOTALL)
QUOTED = re.compile(rf"'({TYPE_NAME})'")


def test_every_type_has_every_runbook_field() -> None:
    missing = [
        f"{kind.name}.{name}"
        for kind in EXCEPTION_TYPES.values()
        for name in RUNBOOK_FIELDS
        if len(getattr(kind, name).strip()) < 20
    ]
    assert missing == [], (
        "exception types without a runbook entry (fill these fields of their ExceptionType in "
        f"vendor_pipelines/exceptions/types.py): {missing}"
    )


def test_every_checked_type_says_where_it_shows() -> None:
    # info types have no asset check (nothing to fix); every other type has one somewhere.
    wrong = [
        kind.name
        for kind in EXCEPTION_TYPES.values()
        if bool(kind.shown_on) == (kind.severity == "info")
    ]
    assert wrong == []


def test_the_runbook_file_is_what_the_registry_renders() -> None:
    assert RUNBOOK.exists(), f"docs/runbook.md is missing: generate it with `{REGENERATE}`"
    assert RUNBOOK.read_text() == render_runbook(), (
        f"docs/runbook.md differs from the exception type registry: regenerate it with "
        f"`{REGENERATE}` (edit vendor_pipelines/exceptions/types.py, not the file)"
    )


def test_the_runbook_has_one_entry_per_type_grouped_by_owner() -> None:
    text = render_runbook()
    headings = re.findall(r"^(##+) (.+)$", text, re.MULTILINE)
    owners = [title for level, title in headings if level == "##" and title != "Index"]
    assert owners == ["Operations", "Finance"]
    entries = [title for level, title in headings if level == "###"]
    assert entries == list(EXCEPTION_TYPES)
    # Each entry under its owner's heading.
    for kind in EXCEPTION_TYPES.values():
        owner_at = text.index(f"\n## {kind.owner.title()}\n")
        assert text.index(f"\n### {kind.name}\n") > owner_at
        for name in RUNBOOK_FIELDS:
            first_words = " ".join(getattr(kind, name).split()[:4])
            assert first_words in " ".join(text.split()), (kind.name, name)


def test_the_runbook_command_writes_and_checks_the_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "runbook.md"
    assert main(["runbook", "--out", str(target)]) == 0
    assert target.read_text() == render_runbook()
    assert main(["runbook", "--check", "--out", str(target)]) == 0
    target.write_text(render_runbook() + "hand edit\n")
    assert main(["runbook", "--check", "--out", str(target)]) == 1
    assert REGENERATE in capsys.readouterr().err


def test_the_exception_types_table_carries_the_runbook(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    # A warehouse from before the runbook columns existed.
    conn.execute(
        """create schema ops;
           create table ops.exception_types (exception_type varchar primary key,
               owner varchar not null, severity varchar not null, description varchar not null,
               blocks varchar)"""
    )
    conn.execute("insert into ops.exception_types values ('posting_failed', 'x', 'x', 'x', null)")
    warehouse_schema.apply(conn)
    warehouse_schema.apply(conn)  # idempotent
    rows = conn.execute(
        "select exception_type, owner, meaning, holds, fix, clears from ops.exception_types"
    ).fetchall()
    conn.close()
    assert {row[0] for row in rows} == set(EXCEPTION_TYPES)
    for name, owner, *runbook in rows:
        kind = EXCEPTION_TYPES[name]
        assert owner == kind.owner
        assert runbook == [getattr(kind, field) for field in RUNBOOK_FIELDS]


# --- the types the code detects -----------------------------------------------------------------


def _string_texts(tree: ast.AST) -> list[str]:
    """Every string literal of a module; an f-string as one text, `{}` where it interpolates."""
    texts, inside = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            pieces = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
            texts.append("".join(pieces))
            inside.update(id(v) for v in node.values)
    texts += [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside
    ]
    return texts


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _argument(node: ast.Call, position: int, keyword: str) -> ast.AST | None:
    if len(node.args) > position:
        return node.args[position]
    return next((k.value for k in node.keywords if k.arg == keyword), None)


def _names(node: ast.AST | None, constants: dict[str, str]) -> list[str]:
    """String values a node stands for: literals, module constants, and their collections."""
    if node is None:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name):
        return [constants[node.id]] if node.id in constants else []
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [value for element in node.elts for value in _names(element, constants)]
    if isinstance(node, ast.IfExp):
        return _names(node.body, constants) + _names(node.orelse, constants)
    return []


def _modules(root: Path) -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text()) for path in sorted(root.rglob("*.py"))}


def _constants(modules: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level `NAME = "text"` across the package (e.g. REFUSED = "remittance_...")."""
    found = {}
    for tree in modules.values():
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found[node.targets[0].id] = node.value.value
    return found


def detected_types(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Exception type names the package records as detections -> the files doing it.

    SQL detections (`'x' as exception_type`, the rows after it in the same query, a CASE that
    ends `as exception_type`), `Detection("x", ...)`, `rejections_sql(channels, "x", ...)`,
    `record_detections(..., types=(...))` and an `exception_type` property's return values.
    """
    modules = _modules(root)
    constants = _constants(modules)
    found: dict[str, set[str]] = defaultdict(set)
    for path, tree in modules.items():
        where = str(path.relative_to(root))
        names: list[str] = []
        for text in _string_texts(tree):
            if "exception_type" not in text:
                continue
            names += AS_EXCEPTION_TYPE.findall(text) + SELECTED_LITERAL.findall(text)
            for case in CASE_AS_EXCEPTION_TYPE.findall(text):
                names += QUOTED.findall(case)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                called = _call_name(node)
                if called == "Detection":
                    names += _names(_argument(node, 0, "exception_type"), constants)
                elif called == "rejections_sql":
                    names += _names(_argument(node, 1, "exception_type"), constants)
                elif called == "record_detections":
                    types = next((k.value for k in node.keywords if k.arg == "types"), None)
                    names += _names(types, constants)
            elif isinstance(node, ast.FunctionDef) and node.name == "exception_type":
                for returned in ast.walk(node):
                    if isinstance(returned, ast.Return):
                        names += _names(returned.value, constants)
        for name in names:
            found[name].add(where)
    return found


def test_the_scan_finds_each_shape_of_detection(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text(
        '''
ODD = "odd_constant_type"
PROBLEMS = f"""
select 'first_sql_type' as exception_type, key as entity_key from {TABLE}
union all
select distinct 'second_sql_type', key from t
union all
select case kind when 'A' then 'case_type_a' else 'case_type_b' end as exception_type from t
"""
found = [Detection("python_type", "key", "detail"), Detection(exception_type=ODD, entity_key="k")]
query = rejections_sql(("channel",), "rejection_type", "document")
record_detections(conn, "source", types=("typed_type",))
'''
    )
    assert set(detected_types(tmp_path)) == {
        "odd_constant_type",
        "first_sql_type",
        "second_sql_type",
        "case_type_a",
        "case_type_b",
        "python_type",
        "rejection_type",
        "typed_type",
    }


def test_every_type_the_code_detects_is_registered() -> None:
    detected = detected_types()
    # The scan must see the detections it is meant to see, or it proves nothing.
    assert {"sku_mapping_gap", "remittance_file_refused", "posting_failed"} <= set(detected)
    unknown = {
        name: sorted(files) for name, files in detected.items() if name not in EXCEPTION_TYPES
    }
    assert unknown == {}, (
        "detected in code but not in vendor_pipelines/exceptions/types.py (register them, "
        f"with their runbook fields): {unknown}"
    )


def test_every_registered_type_is_detected_somewhere() -> None:
    never = sorted(set(EXCEPTION_TYPES) - set(detected_types()))
    assert never == [], (
        f"registered but detected nowhere (the runbook would document them): {never}"
    )


@pytest.fixture(scope="module")
def asset_checks() -> dict[str, set[str]]:
    from vendor_pipelines.definitions import defs

    checks: dict[str, set[str]] = defaultdict(set)
    for key in defs().resolve_asset_graph().asset_check_keys:
        if key.name in EXCEPTION_TYPES:
            checks[key.name].add(key.asset_key.to_user_string())
    return checks


def test_every_entry_names_the_assets_that_carry_its_check(asset_checks) -> None:
    wrong = {
        name: {"runbook": sorted(kind.shown_on), "definitions": sorted(asset_checks[name])}
        for name, kind in EXCEPTION_TYPES.items()
        if set(kind.shown_on) != asset_checks[name]
    }
    assert wrong == {}, f"fix `shown_on` in vendor_pipelines/exceptions/types.py: {wrong}"
