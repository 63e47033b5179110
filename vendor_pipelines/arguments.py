"""What the console commands share (the product's and the simulator's): one-line usage errors
and argument types that say what fits.

A mistake in a flag or a setting is one line on stderr naming the flag or variable and what is
accepted, with exit code 2; never a usage dump or a traceback.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import NoReturn

from vendor_pipelines.settings import ConfigurationError, one_line, path_problem


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (`error: argument --x: ...`), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {one_line(message)} (see `{self.prog} --help`)\n")


def configuration_error_in(exc: BaseException) -> ConfigurationError | None:
    """The ConfigurationError behind `exc`, also when a framework wrapped it (definitions)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ConfigurationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if math.isnan(value) or math.isinf(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def share(text: str) -> float:
    """A share of requests: 0 to 1."""
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1 (e.g. 0.05)")
    return value


def positive_number(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a number above 0")
    return value


def non_negative_number(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is not a number of 0 or more")
    return value


def port(text: str) -> int:
    """A TCP port on 127.0.0.1; 0 asks the system for a free one."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535; 0 = any free port)")
    return value


def regions(text: str) -> tuple[str, ...]:
    """SP-API regions, comma-separated (`NA,EU`)."""
    from vendor_pipelines.amazon.regions import parse_regions

    try:
        parsed = parse_regions(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if not parsed:
        raise argparse.ArgumentTypeError("no region given; choose from NA, EU, FE (e.g. NA,EU)")
    return parsed


def check_folder(flag: str, path: Path) -> Path:
    """A folder the command will create or write in; a ConfigurationError naming the flag."""
    problem = path_problem(path, folder=True)
    if problem:
        raise ConfigurationError(f"{flag} {path}: {problem}; it needs a folder this user can write")
    return path
