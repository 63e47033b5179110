"""Shared scaffolding of the alert tests, in-process (tests/foundation/test_alerts.py) and under a
real daemon (tests/daemon/test_alerts_daemon.py): the owners' addresses, the e-mail settings,
a clean ALERT_* environment and a failed run.

A module of its own, not conftest.py: test folders each have a conftest, and importing one by
name picks whichever was imported first."""

from __future__ import annotations

import os

import dagster as dg
import pytest
from alert_receivers import SmtpReceiver

OPS, FINANCE = "ops-oncall@example.com", "finance-close@example.com"


def clear_alert_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ALERT_* variable from the machine's environment: alerts are off until a test says."""
    for name in [n for n in os.environ if n.startswith("ALERT_")]:
        monkeypatch.delenv(name)


def email_settings(smtp: SmtpReceiver) -> dict[str, str]:
    """ALERT_* settings of e-mail alerts through `smtp`, operations to OPS, finance to FINANCE."""
    return {
        "ALERT_SMTP_HOST": "127.0.0.1",
        "ALERT_SMTP_PORT": str(smtp.port),
        "ALERT_FROM": "vendor-pipelines@example.com",
        "ALERT_TO_OPERATIONS": OPS,
        "ALERT_TO_FINANCE": FINANCE,
    }


def fail_a_run(instance: dg.DagsterInstance, loop: str | None = None) -> str:
    """Run a job that fails (tagged with `loop`, when given) on `instance`; its run id."""

    @dg.op
    def post_to_netsuite() -> None:
        raise RuntimeError("NetSuite answered 503 three times")

    @dg.job(name=f"failing_{loop or 'adhoc'}", tags={"loop": loop} if loop else {})
    def failing() -> None:
        post_to_netsuite()

    result = failing.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    return result.run_id
