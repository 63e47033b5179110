"""The dbt project's own SQL, rendered outside dbt, for Python that must say what a model says.

Two places need a model's logic without a dbt run: `remittance check` (classification and the
per-line charges, with no warehouse at all) and the month-end close pack (open deductions as of
a past month's last day, where the view `finance.open_deductions` is evaluated as of today).
Rather than carry copies, they render the project's model and macro files with Jinja, handing
them the `ref`, `source`, `var`, `env_var`, `config` and `run_query` dbt would, so a change to
the model is a change to both. Only plain Jinja and SQL the models already use is supported; a
model using more fails loudly (StrictUndefined), never silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from vendor_pipelines.dbt_project import DBT_PROJECT_DIR
from vendor_pipelines.finance.dbt_command import RUN_VAR_PREFIX

MODELS = DBT_PROJECT_DIR / "models"
MACROS = DBT_PROJECT_DIR / "macros"
SEEDS = DBT_PROJECT_DIR / "seeds"
SEED_SCHEMA = "finance_config"


@dataclass(frozen=True)
class _Rows:
    """What dbt's `run_query` returns, as far as the macros use it."""

    rows: list[tuple[Any, ...]]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


def model_path(name: str) -> Path:
    (path,) = MODELS.rglob(f"{name}.sql")
    return path


def relation(name: str) -> str:
    """Where dbt puts `name`: its folder's schema for a model (staging, finance, marts), the
    seeds' schema for a seed (see dbt_project.yml)."""
    if (SEEDS / f"{name}.csv").exists():
        return f"{SEED_SCHEMA}.{name}"
    return f"{model_path(name).parent.name}.{name}"


def render(
    sql: str,
    *,
    conn: duckdb.DuckDBPyConnection | None = None,
    variables: Mapping[str, object] | None = None,
    refs: Mapping[str, str] | None = None,
    source: Callable[[str, str], str] | None = None,
) -> str:
    """`sql` (a model's text, or a call of a macro) rendered with the project's macros.

    `refs` overrides where `ref(name)` points (default: the relation dbt builds); `conn` runs
    the macros' `run_query`; `variables` are dbt vars (missing ones take the call's default).
    """
    overrides = dict(refs or {})
    values = dict(variables or {})

    def ref(name: str) -> str:
        return overrides.get(name) or relation(name)

    def var(name: str, default: object = None) -> object:
        return values.get(name, default)

    def run_query(query: str) -> _Rows:
        if conn is None:
            raise RuntimeError("this SQL runs queries while rendering: pass a connection")
        return _Rows(conn.execute(query).fetchall())

    def raw_source(schema: str, table: str) -> str:
        return f"{schema}.{table}"

    def env_var(name: str, default: object = None) -> object:
        # Only `run_var` reads the environment, after its var: `variables` already hold the run's.
        if not name.startswith(RUN_VAR_PREFIX):
            raise RuntimeError(f"the dbt project reads {name} from the environment: not rendered")
        return default

    context: dict[str, Any] = {
        "execute": True,
        "ref": ref,
        "var": var,
        "env_var": env_var,
        "run_query": run_query,
        "source": source or raw_source,
        "config": lambda **_: "",
        "is_incremental": lambda: False,
    }
    text = "\n".join(path.read_text() for path in sorted(MACROS.glob("*.sql")))
    macros = _environment().from_string(text).make_module(context)
    for name in dir(macros):
        if not name.startswith("_"):
            context[name] = getattr(macros, name)
    return _environment().from_string(sql).render(context)


def render_model(name: str, **kwargs: Any) -> str:
    """The SELECT of model `name` as dbt would compile it (see `render`)."""
    return render(model_path(name).read_text(), **kwargs)


def create_model_views(
    conn: duckdb.DuckDBPyConnection, names: Iterable[str], **kwargs: Any
) -> None:
    """Models `names`, in the order given (a model after those it refs), as views of `conn`
    where dbt puts them (`relation`), so the models after them read them as in the warehouse.
    Each is rendered by `render_model` with `conn` and `kwargs`."""
    for name in names:
        target = relation(name)
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {target.split('.')[0]}")
        conn.execute(
            f"CREATE OR REPLACE VIEW {target} AS {render_model(name, conn=conn, **kwargs)}"
        )


def load_seeds(conn: duckdb.DuckDBPyConnection) -> None:
    """The finance seeds as tables of an in-memory warehouse, typed where the SQL compares them."""
    integers = {"deduction_rules": ("priority",)}
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SEED_SCHEMA}")
    for path in sorted(SEEDS.glob("*.csv")):
        replace = ", ".join(f"CAST({c} AS INTEGER) AS {c}" for c in integers.get(path.stem, ()))
        select = f"* REPLACE ({replace})" if replace else "*"
        conn.execute(
            f"CREATE OR REPLACE TABLE {SEED_SCHEMA}.{path.stem} AS SELECT {select}"
            " FROM read_csv(?, header = true, all_varchar = true)",
            [str(path)],
        )
