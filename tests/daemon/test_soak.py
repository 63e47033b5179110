"""A short soak with chaos: the production topology alone with a live sandbox for two minutes.

`vendor-pipelines soak --minutes 8 --chaos` is the full proof (README); this is its short form,
run by the suite: the same code, a shorter live period and drain.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vendor_sandbox.soak.runner import SoakOptions, run_soak

pytestmark = pytest.mark.slow


def test_two_minutes_alone_with_chaos_end_clean(tmp_path: Path) -> None:
    lines: list[str] = []
    report = run_soak(
        SoakOptions(minutes=2, chaos=True, root=tmp_path, drain_seconds=75), say=lines.append
    )
    assert report.clean, "\n".join(lines + report.lines())
    assert report.summary_line == "stuck=0 duplicates=0 lost=0 other_launched=0 unrecovered=0"
    # It really ran by itself, and chaos really struck.
    assert report.runs_by_launcher.get("schedule", 0) >= 2
    assert report.chaos["daemon_restarted"]
    assert report.chaos["runs_killed"], lines
    assert report.failed_runs >= len(report.chaos["runs_killed"])
    assert report.stages["acknowledged"] >= report.purchase_orders["created"] // 2
