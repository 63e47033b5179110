"""`vendor-pipelines bench NAME`: benchmarks that print figures and ratios.

Each module in `vendor_sandbox.bench` defines `HELP`, `add_arguments(parser)` and
`run(args) -> int`; the module name is the benchmark name. A benchmark's module is imported
only when it is the one asked for: importing all of them to register them loaded pandas and the
warehouse schema into every command of the console (0.3 s of each).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import pkgutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import vendor_sandbox.bench as bench_package
from vendor_pipelines.arguments import OneLineParser


def available() -> dict[str, str]:
    return {
        info.name: f"{bench_package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(bench_package.__path__)
        if not info.name.startswith("_")
    }


def one_line_help(module_name: str) -> str:
    """The module's `HELP`, read from its source without running it."""
    spec = importlib.util.find_spec(module_name)
    source = Path(spec.origin).read_text(encoding="utf-8") if spec and spec.origin else ""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "HELP" for target in node.targets
        ):
            return str(ast.literal_eval(node.value))
    return module_name.rsplit(".", 1)[-1]


class BenchParser(OneLineParser):
    """A benchmark's own parser: its options and handler come from its module once it is the
    benchmark chosen (argparse hands a chosen subcommand's arguments to `parse_known_args`)."""

    def __init__(self, *args: Any, module_name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.module_name = module_name

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.module_name:
            module = importlib.import_module(self.module_name)
            module.add_arguments(self)
            self.set_defaults(handler=module.run)
            self.module_name = ""  # options added once
        return super().parse_known_args(args, namespace)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="run a benchmark and print figures and ratios")
    subparsers_for_benches = parser.add_subparsers(
        dest="bench", required=True, parser_class=BenchParser
    )
    for name, module_name in sorted(available().items()):
        subparsers_for_benches.add_parser(
            name, help=one_line_help(module_name), module_name=module_name
        )
