"""`vendor-pipelines query "SQL"`: analysts query their copy of the marts, read-only."""

from __future__ import annotations

import argparse
import csv
import sys
from decimal import Decimal
from pathlib import Path

from vendor_pipelines.settings import ConfigurationError, load_settings, one_line


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run SQL on the analysts' copy (read-only) and print a table",
        description=(
            "Opens ANALYTICS_DUCKDB_PATH (the copy of finance, marts and staging published after "
            "each finance run) read-only, never the warehouse itself, so it can run while "
            "the pipeline does. Prints the result as a table, or as CSV with --csv. Exit 2 when "
            "the copy does not exist yet or the SQL is refused."
        ),
    )
    parser.add_argument(
        "sql",
        metavar="SQL",
        help='e.g. "select * from marts.asin_profitability"; - reads it from stdin (a .sql file)',
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=100,
        metavar="N",
        help="rows to print in a table (default 100; 0 = all); --csv prints all",
    )
    parser.add_argument("--csv", action="store_true", help="print CSV (header + every row)")
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="another read-only DuckDB file (default: ANALYTICS_DUCKDB_PATH)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import duckdb

    if args.database is not None:
        path, source = args.database.resolve(), "--database"
    else:
        # Reading needs no writable folder: analysts may not own the deployment's files.
        settings = load_settings(check_paths=False)
        path, source = settings.analytics_duckdb_path, "ANALYTICS_DUCKDB_PATH"
    if not path.is_file():
        raise ConfigurationError(
            f"{source}={str(path)!r}: no such file; the analysts' copy is published by each "
            "finance run (`vendor-pipelines demo` makes one)"
        )
    sql = sys.stdin.read() if args.sql == "-" else args.sql
    try:
        with duckdb.connect(str(path), read_only=True) as conn:
            cursor = conn.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        raise ConfigurationError(f"SQL: {_first_lines(str(exc))}") from None
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return 0
    if not columns:
        print("(no result)")
        return 0
    shown = rows if args.max_rows <= 0 else rows[: args.max_rows]
    print(render_table(columns, shown))
    more = f"; first {len(shown)} shown, --max-rows N for more" if len(shown) < len(rows) else ""
    print(f"({len(rows)} row{'' if len(rows) == 1 else 's'}{more})")
    return 0


def _first_lines(message: str) -> str:
    # DuckDB's message, without the echo of the statement and its caret below it.
    kept = []
    for line in message.splitlines():
        if line.startswith("LINE ") or not line.strip():
            break
        kept.append(line)
    return one_line(" ".join(kept) or message)


def _cell(value: object) -> str:
    return "NULL" if value is None else str(value)


def render_table(columns: list[str], rows: list[tuple]) -> str:
    """A plain text table: numbers right-aligned, everything else left-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [
        bool(rows) and all(isinstance(r[i], int | float | Decimal) or r[i] is None for r in rows)
        for i in range(len(columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join(
        [line(list(columns)), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    )
