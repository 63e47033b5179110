"""`vendor-pipelines bench NAME`: benchmarks that print figures and ratios.

Each module in `vendor_sandbox.bench` defines `HELP`, `add_arguments(parser)` and
`run(args) -> int`; the module name is the benchmark name.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import vendor_sandbox.bench as bench_package


def available() -> dict[str, str]:
    return {
        info.name: f"{bench_package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(bench_package.__path__)
        if not info.name.startswith("_")
    }


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="run a benchmark and print figures and ratios")
    subparsers_for_benches = parser.add_subparsers(dest="bench", required=True)
    for name, module_name in sorted(available().items()):
        module = importlib.import_module(module_name)
        sub = subparsers_for_benches.add_parser(name, help=getattr(module, "HELP", name))
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
