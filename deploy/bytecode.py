"""Compile an environment's installed packages, and the folders named, to bytecode on every
core, without the packages' test suites: `python deploy/bytecode.py [FOLDER ...]`.

`make sync` and `make runtime` run it after `uv sync` (the Makefile says why bytecode is made
at install). Run it with the environment's own Python: bytecode belongs to one interpreter.
Standard library only: it runs before anything of the project is importable. A file whose
bytecode is up to date is only checked (0.2 s for all of them), so it runs at every install.
"""

from __future__ import annotations

import compileall
import os
import sys
import sysconfig
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

# The packages' own test suites (nothing the product or its suite imports them, and they are a
# fifth of the files: pandas alone ships 1,100), and bytecode folders.
SKIPPED_FOLDERS = {"tests", "test", "__pycache__"}


def sources(root: str) -> Iterator[str]:
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS]
        yield from (os.path.join(folder, name) for name in files if name.endswith(".py"))


def compile_share(paths: list[str]) -> None:
    for path in paths:
        # quiet=2: a file that does not compile (a template, another Python's syntax) is left to
        # compile on import, as uv leaves it.
        compileall.compile_file(path, quiet=2)


def main() -> None:
    roots = [sysconfig.get_path("purelib"), *sys.argv[1:]]
    files = sorted(path for root in roots for path in sources(root))
    workers = os.cpu_count() or 1
    # One share of the files per process, handed over once: `compileall -j` hands over one
    # file at a time, and took 12.9-14.7 s here where this took 7.7-10.6 s.
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(compile_share, [files[index::workers] for index in range(workers)]))


if __name__ == "__main__":
    main()
