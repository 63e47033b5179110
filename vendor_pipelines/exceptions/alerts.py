"""Alerts to owners: new error exceptions and failed runs, by e-mail and/or a Slack webhook.

No Dagster here: `defs/exceptions/alerts.py` holds the sensor that calls this module once per tick.

What is told, and how often:

* **A new error-severity exception**, once per *occurrence*. An occurrence is the exception's id
  and its `first_seen_at`: `record_detections` keeps `first_seen_at` while the cause stays open
  and sets it anew when a resolved cause comes back, so a re-opened exception is a new event and
  is told again; a cause that stays open is never told twice. Severity is the exception's
  effective one (a detection may be louder than its type): a warning that turns into an error
  while open (a dispute window down to its last days) is told when it does, its occurrence
  dated by `ops.exception_error_since` instead of its first sighting. Exceptions derived from
  failed runs (source `dagster/run_failures`) are not told again: the failed run itself was.
* **A failed run**, once per run-failure event in the instance's event log.

Where the sensor learns about exceptions without opening DuckDB: a read-only connection takes a
lock too, so a run step opening the warehouse while the sensor reads would fail, and while a run
holds the writer the sensor could not read at all. Instead every `record_detections` (the only
path that opens, refreshes or resolves an exception) rewrites, after its commit and while it
still holds the writer, a small JSON **feed** beside the warehouse: every error exception still
open or resolved within FEED_WINDOW. It is a complete snapshot written atomically (temporary
file, then rename), not a delta: a write that fails is made good by the next detecting step,
and an exception is found by the sensor whether or not it saw the previous snapshot.

What the sensor remembers (its cursor, `AlertState`): the last run-failure event handled and
the last exception handled, in the feed's (error since, exception_id) order, both starting where
alerting was switched on (what is open or failed then is the queue, not news); and the alerts
still owed on a channel whose send failed (`pending`), retried at each tick on that channel
only. No list of what was told: Dagster stores the cursor with every tick.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import duckdb
import httpx

from vendor_pipelines.tls import tls_context

log = logging.getLogger(__name__)

OWNERS = ("finance", "operations")
EMAIL, SLACK = "email", "slack"
# Error exceptions resolved this recently stay in the feed: one that opened and resolved between
# two ticks of the sensor is still told (as resolved).
FEED_WINDOW = timedelta(days=7)
FEED_VERSION = 1
# Exceptions already told as what they come from.
TOLD_AS_RUN_FAILURES = frozenset({"dagster/run_failures"})
# A tick delivers at most this many alerts and stops starting new ones after TICK_BUDGET_SECONDS
# (a sensor evaluation has a deadline, 60 s by default); the rest go out at the next tick.
MAX_ALERTS_PER_TICK = 40
TICK_BUDGET_SECONDS = 20.0
SEND_TIMEOUT_SECONDS = 10.0
# A pending alert whose channel stays broken this long is given up (and logged), as are the
# oldest beyond MAX_PENDING (the cursor, stored with every tick, stays small).
PENDING_GIVE_UP = timedelta(days=7)
MAX_PENDING = 200
DETAIL_LENGTH = 1500


# --------------------------------------------------------------------------------------------
# The feed: written by the detecting step, read by the sensor.


def exception_feed_file(duckdb_path: Path | str) -> Path:
    """Where the feed of the warehouse at `duckdb_path` lives (beside it, named after it)."""
    path = Path(duckdb_path)
    return path.with_name(f"{path.stem}.error_exceptions.json")


FEED_QUERY = """
select e.exception_id, e.exception_type, e.owner, e.severity, e.source, e.entity_key,
       e.vendor_code, e.purchase_order_number, e.asin, e.sku, e.reference, e.detail,
       epoch_us(e.first_seen_at) as first_seen_us, epoch_us(e.resolved_at) as resolved_us,
       epoch_us(coalesce(s.error_since, e.first_seen_at)) as error_since_us,
       t.description, t.blocks
from ops.exceptions e left join ops.exception_types t using (exception_type)
left join ops.exception_error_since s using (exception_id)
where e.severity = 'error' and (e.resolved_at is null or e.resolved_at >= ?)
order by coalesce(s.error_since, e.first_seen_at), e.exception_id
"""


def write_exception_feed(
    conn: duckdb.DuckDBPyConnection, now: datetime | None = None
) -> Path | None:
    """Rewrite the feed of the connection's warehouse file (none for an in-memory database)."""
    row = conn.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()
    if row is None or not row[0]:
        return None
    path = exception_feed_file(Path(row[0]).resolve())
    cursor = conn.execute(FEED_QUERY, [(now or datetime.now(UTC)) - FEED_WINDOW])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    payload = json.dumps({"version": FEED_VERSION, "exceptions": rows}, sort_keys=True).encode()
    try:
        if path.read_bytes() == payload:
            return path
    except OSError:
        pass
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def refresh_exception_feed(conn: duckdb.DuckDBPyConnection) -> None:
    """`write_exception_feed` for `record_detections`: a failed write never fails the step (its
    exceptions are committed; the next detecting step writes the whole feed again)."""
    try:
        write_exception_feed(conn)
    except (OSError, duckdb.Error) as exc:
        log.warning("exception feed for alerts not written: %s", exc)


class FeedUnavailable(Exception):
    """The feed is missing or unreadable: the sensor tells no exception and forgets nothing."""


@dataclass(frozen=True)
class ExceptionEvent:
    """One error exception of the feed."""

    exception_id: str
    exception_type: str
    owner: str
    severity: str
    source: str
    entity_key: str
    detail: str
    first_seen_us: int
    resolved_us: int | None = None
    vendor_code: str | None = None
    purchase_order_number: str | None = None
    asin: str | None = None
    sku: str | None = None
    reference: str | None = None
    description: str | None = None
    blocks: str | None = None
    # When it became an error: its first sighting, or later for a warning that escalated (a feed
    # written before escalations has none: the first sighting).
    error_since_us: int | None = None

    @property
    def news_at_us(self) -> int:
        """When this occurrence became news: the moment it was first an error."""
        return self.error_since_us if self.error_since_us is not None else self.first_seen_us

    @property
    def key(self) -> str:
        return f"x:{self.exception_id}:{self.news_at_us}"


def read_exception_feed(path: Path) -> list[ExceptionEvent]:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise FeedUnavailable(f"no exception feed yet at {path}") from None
    except (OSError, ValueError) as exc:
        raise FeedUnavailable(f"exception feed {path} unreadable: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != FEED_VERSION:
        raise FeedUnavailable(f"exception feed {path} has an unknown format")
    fields_ = set(ExceptionEvent.__dataclass_fields__)
    try:
        return [
            ExceptionEvent(**{k: v for k, v in row.items() if k in fields_})
            for row in data["exceptions"]
        ]
    except (KeyError, TypeError) as exc:
        raise FeedUnavailable(f"exception feed {path} unreadable: {exc}") from None


# --------------------------------------------------------------------------------------------
# Failed runs, as the sensor reads them from the instance.


@dataclass(frozen=True)
class RunFailure:
    storage_id: int
    run_id: str
    job_name: str
    failed_at: float
    message: str
    loop: str | None = None
    failed_steps: tuple[str, ...] = ()
    will_retry: bool | None = None
    retry_number: int = 0

    @property
    def owner(self) -> str:
        # The finance loop (remittances, settlement, posting) is finance's; every other loop,
        # and a run started by hand, is operations' (as `transmission_error` is).
        return "finance" if self.loop == "finance" else "operations"

    @property
    def key(self) -> str:
        return f"r:{self.run_id}"


# --------------------------------------------------------------------------------------------
# Messages.


@dataclass(frozen=True)
class Alert:
    key: str
    owner: str
    subject: str
    headline: str
    facts: tuple[tuple[str, str], ...]  # label, value; the last is the runbook entry

    def text(self) -> str:
        width = max(len(label) for label, _ in self.facts) + 1
        lines = [self.headline, ""]
        lines += [f"{label + ':':<{width}} {value}" for label, value in self.facts]
        return "\n".join(lines) + "\n"

    def slack_text(self) -> str:
        lines = [f":rotating_light: *{_slack(self.headline)}*"]
        for label, value in self.facts:
            shown = _slack(value)
            if label == "Runbook" and value.startswith(("http://", "https://")):
                shown = f"<{value}|{_slack(value.rsplit('/', 1)[-1])}>"
            lines.append(f"*{label}:* {shown}")
        return "\n".join(lines)


def _slack(text: str) -> str:
    # The three characters Slack's mrkdwn reserves.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _iso(micros_or_seconds: float, micros: bool = True) -> str:
    seconds = micros_or_seconds / 1_000_000 if micros else micros_or_seconds
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="seconds")


def runbook_link(runbook_url: str, anchor: str) -> str:
    return f"{runbook_url.split('#', 1)[0]}#{anchor}"


def _one_line(text: str, length: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def exception_alert(event: ExceptionEvent, runbook_url: str) -> Alert:
    link = runbook_link(runbook_url, event.exception_type)
    kind = event.exception_type
    if event.description:
        kind += f" ({event.description})"
    facts: list[tuple[str, str]] = [
        ("Type", kind),
        ("Owner", event.owner),
        ("Severity", event.severity),
        ("Blocks", event.blocks or "nothing (does not hold GL posting)"),
        ("Detail", _one_line(event.detail, DETAIL_LENGTH)),
        ("Reference", event.reference or "none"),
    ]
    for label, value in (
        ("Vendor code", event.vendor_code),
        ("Purchase order", event.purchase_order_number),
        ("ASIN", event.asin),
        ("SKU", event.sku),
    ):
        if value:
            facts.append((label, value))
    facts.append(("First seen", _iso(event.first_seen_us)))
    if event.news_at_us != event.first_seen_us:
        facts.append(("Error since", f"{_iso(event.news_at_us)} (a warning until then)"))
    if event.resolved_us is not None:
        facts.append(("Resolved", f"{_iso(event.resolved_us)} (before this alert went out)"))
    facts += [
        ("Exception", f"{event.exception_id} (source {event.source}, key {event.entity_key})"),
        ("Runbook", link),
    ]
    subject = (
        f"[vendor_pipelines] error for {event.owner}: {event.exception_type}"
        f" - {_one_line(event.reference or event.entity_key, 80)}"
    )
    return Alert(
        key=event.key,
        owner=event.owner,
        subject=subject,
        headline=f"New error exception for {event.owner}: {event.exception_type}",
        facts=tuple(facts),
    )


def run_failure_alert(failure: RunFailure, runbook_url: str, dagster_url: str | None) -> Alert:
    # A failed run becomes a `transmission_error` in ops.exceptions: its runbook entry.
    link = runbook_link(runbook_url, "transmission_error")
    run = failure.run_id
    facts: list[tuple[str, str]] = [
        ("Type", "failed run (ops.exceptions: transmission_error until the job succeeds)"),
        ("Owner", failure.owner),
        ("Severity", "error"),
        ("Blocks", f"what job {failure.job_name} delivers, until a run of it succeeds"),
        ("Detail", _one_line(failure.message, DETAIL_LENGTH)),
        (
            "Reference",
            f"run {run}" + (f" ({dagster_url.rstrip('/')}/runs/{run})" if dagster_url else ""),
        ),
        ("Job", failure.job_name + (f" (loop {failure.loop})" if failure.loop else "")),
    ]
    if failure.failed_steps:
        facts.append(("Failed steps", ", ".join(failure.failed_steps)))
    if failure.will_retry:
        facts.append(
            ("Retry", f"Dagster retries this run automatically (retry {failure.retry_number + 1})")
        )
    elif failure.retry_number:
        facts.append(("Retry", f"this was automatic retry {failure.retry_number}; no more follow"))
    facts += [("First seen", _iso(failure.failed_at, micros=False)), ("Runbook", link)]
    return Alert(
        key=failure.key,
        owner=failure.owner,
        subject=(
            f"[vendor_pipelines] run failed for {failure.owner}: {failure.job_name} ({run[:8]})"
        ),
        headline=f"Run of {failure.job_name} failed ({failure.owner})",
        facts=tuple(facts),
    )


# --------------------------------------------------------------------------------------------
# Delivery: where each owner's alerts go, and one tick's connections.


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout: float = SEND_TIMEOUT_SECONDS


@dataclass(frozen=True)
class Routing:
    """Which channels reach each owner: e-mail addresses (with the SMTP server) and webhooks."""

    smtp: SmtpConfig | None = None
    email_to: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    webhooks: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # half-configured channels, left off

    def channels(self, owner: str) -> tuple[str, ...]:
        found = []
        if self.smtp is not None and self.email_to.get(owner):
            found.append(EMAIL)
        if self.webhooks.get(owner):
            found.append(SLACK)
        return tuple(found)

    @property
    def is_on(self) -> bool:
        return any(self.channels(owner) for owner in OWNERS)


def _addresses(value: str | None) -> tuple[str, ...]:
    return tuple(a.strip() for a in (value or "").split(",") if a.strip())


def routing_from(
    *,
    smtp_host: str | None,
    smtp_port: int,
    sender: str | None,
    starttls: bool,
    user: str | None,
    password: str | None,
    to_finance: str | None,
    to_operations: str | None,
    webhook: str | None,
    webhook_finance: str | None,
    webhook_operations: str | None,
) -> Routing:
    """The routing the ALERT_* settings describe; a half-configured e-mail side is left off and
    named in `problems` (Slack still works)."""
    email_to = {"finance": _addresses(to_finance), "operations": _addresses(to_operations)}
    problems = []
    smtp = None
    wanted = smtp_host or sender or any(email_to.values()) or user or password
    if wanted:
        missing = [
            name
            for name, value in (
                ("ALERT_SMTP_HOST", smtp_host),
                ("ALERT_FROM", sender),
                ("ALERT_TO_FINANCE or ALERT_TO_OPERATIONS", any(email_to.values())),
            )
            if not value
        ]
        if missing:
            problems.append(f"{missing[0]} is not set: e-mail alerts are off")
        elif password and not starttls:
            problems.append(
                "ALERT_SMTP_PASSWORD needs ALERT_SMTP_STARTTLS=true (no password in clear text):"
                " e-mail alerts are off"
            )
        elif bool(user) != bool(password):
            problems.append(
                "ALERT_SMTP_USER and ALERT_SMTP_PASSWORD go together: e-mail alerts are off"
            )
        else:
            smtp = SmtpConfig(
                smtp_host, smtp_port, sender, starttls, user or None, password or None
            )
    webhooks = {
        "finance": webhook_finance or webhook or "",
        "operations": webhook_operations or webhook or "",
    }
    return Routing(
        smtp=smtp,
        email_to=email_to,
        webhooks={k: v for k, v in webhooks.items() if v},
        problems=tuple(problems),
    )


class DeliveryFailed(Exception):
    pass


class Outbox:
    """One tick's deliveries: one SMTP session and one HTTP client, opened when first needed.

    A channel that cannot be reached (connection refused, TLS or login failure, a webhook host
    down) is not tried again in the same tick: its remaining alerts wait for the next one.
    """

    def __init__(self, routing: Routing) -> None:
        self.routing = routing
        self._smtp: smtplib.SMTP | None = None
        self._http: httpx.Client | None = None
        self._down: dict[str, str] = {}

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
        if self._http is not None:
            self._http.close()

    def deliver(self, alert: Alert, channel: str) -> None:
        if channel == EMAIL:
            self._email(alert)
        elif channel == SLACK:
            self._slack(alert)
        else:
            raise DeliveryFailed(f"unknown channel {channel!r}")

    # e-mail ---------------------------------------------------------------------------------

    def _session(self) -> smtplib.SMTP:
        if EMAIL in self._down:
            raise DeliveryFailed(self._down[EMAIL])
        if self._smtp is not None:
            return self._smtp
        config = self.routing.smtp
        assert config is not None
        try:
            session = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            try:
                session.ehlo()
                if config.starttls:
                    session.starttls(context=ssl.create_default_context())
                    session.ehlo()
                if config.user and config.password:
                    session.login(config.user, config.password)
            except BaseException:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    session.close()
                raise
        except (smtplib.SMTPException, OSError) as exc:
            self._down[EMAIL] = f"SMTP {config.host}:{config.port}: {_describe(exc)}"
            raise DeliveryFailed(self._down[EMAIL]) from None
        self._smtp = session
        return session

    def _email(self, alert: Alert) -> None:
        config = self.routing.smtp
        recipients = self.routing.email_to.get(alert.owner, ())
        if config is None or not recipients:
            raise DeliveryFailed(f"no e-mail address for {alert.owner}")
        message = EmailMessage()
        message["Subject"] = alert.subject
        message["From"] = config.sender
        message["To"] = ", ".join(recipients)
        message["Date"] = formatdate(usegmt=True)
        # The same alert always has the same Message-ID: a copy sent twice (a daemon killed
        # between a send and the end of its tick) is one message to most mail clients.
        domain = config.sender.rsplit("@", 1)[-1].strip("> ") or "vendor-pipelines"
        message["Message-ID"] = f"<alert-{_digest(alert.key)}@{domain}>"
        message["X-Vendor-Pipelines-Alert"] = alert.key
        message.set_content(alert.text())
        session = self._session()
        try:
            refused = session.send_message(message, config.sender, list(recipients))
        except (
            smtplib.SMTPRecipientsRefused,
            smtplib.SMTPSenderRefused,
            smtplib.SMTPDataError,
        ) as exc:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                session.rset()
            raise DeliveryFailed(f"SMTP refused the message: {_describe(exc)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._down[EMAIL] = f"SMTP {config.host}:{config.port}: {_describe(exc)}"
            self._smtp = None
            with contextlib.suppress(smtplib.SMTPException, OSError):
                session.close()
            raise DeliveryFailed(self._down[EMAIL]) from None
        if refused:
            # Some addresses took it: sending again would repeat it to them.
            log.warning("alert %s refused for %s", alert.key, ", ".join(sorted(refused)))

    # Slack ----------------------------------------------------------------------------------

    def _slack(self, alert: Alert) -> None:
        url = self.routing.webhooks.get(alert.owner)
        if not url:
            raise DeliveryFailed(f"no Slack webhook for {alert.owner}")
        where = f"Slack webhook of {alert.owner}"
        if url in self._down:
            raise DeliveryFailed(self._down[url])
        if self._http is None:
            self._http = httpx.Client(
                timeout=SEND_TIMEOUT_SECONDS, follow_redirects=False, verify=tls_context()
            )
        try:
            response = self._http.post(url, json={"text": alert.slack_text()})
        except httpx.HTTPError as exc:
            # The URL is a secret: name the owner's webhook, never the URL.
            self._down[url] = f"{where}: {type(exc).__name__}"
            raise DeliveryFailed(self._down[url]) from None
        if response.status_code >= 300:
            raise DeliveryFailed(f"{where}: HTTP {response.status_code} {response.text[:200]!r}")


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --------------------------------------------------------------------------------------------
# What was told: the sensor's cursor, and one tick.


@dataclass
class Pending:
    channels: list[str]  # the channels it is still owed on
    since: float  # first attempt


@dataclass
class AlertState:
    """The sensor's cursor. Two watermarks and what is owed, never a list of what was told:
    Dagster stores the cursor with every tick, so it must stay small whatever the queue holds.

    `exceptions_after` is the (error since, exception_id) of the last exception handled (error
    since = the first sighting, unless it was a warning first; see ExceptionEvent): every
    `record_detections` takes its `now` while it holds the single writer, so an occurrence
    appearing later in the feed always sorts after those already handled (this assumes a wall
    clock that does not step back between detecting steps).
    """

    runs_after: int  # storage id of the last run-failure event handled
    exceptions_after: tuple[int, str]
    pending: dict[str, Pending] = field(default_factory=dict)

    @classmethod
    def start(cls, now: float, latest_run_failure_id: int) -> AlertState:
        # What is already open or failed when alerting starts is the queue, not news.
        return cls(runs_after=latest_run_failure_id, exceptions_after=(int(now * 1_000_000), ""))

    @classmethod
    def from_cursor(cls, cursor: str | None) -> AlertState | None:
        if not cursor:
            return None
        data = json.loads(cursor)
        first_seen_us, exception_id = data["exceptions_after"]
        return cls(
            runs_after=int(data["runs_after"]),
            exceptions_after=(int(first_seen_us), str(exception_id)),
            pending={
                key: Pending([str(c) for c in channels], float(since))
                for key, (channels, since) in data.get("pending", {}).items()
            },
        )

    def to_cursor(self) -> str:
        return json.dumps(
            {
                "runs_after": self.runs_after,
                "exceptions_after": list(self.exceptions_after),
                "pending": {k: [p.channels, p.since] for k, p in sorted(self.pending.items())},
            },
            separators=(",", ":"),
        )


@dataclass
class TickReport:
    sent: dict[str, int] = field(default_factory=dict)  # channel -> messages delivered
    alerts: list[str] = field(default_factory=list)  # keys of alerts fully delivered
    failures: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    unrouted: list[str] = field(default_factory=list)  # owners with no channel
    deferred: bool = False  # the tick's budget ran out

    def summary(self) -> str:
        if not (self.sent or self.failures or self.gave_up or self.unrouted):
            text = "no new error exception or failed run"
        else:
            channels = ", ".join(f"{name} {count}" for name, count in sorted(self.sent.items()))
            text = f"{len(self.alerts)} alert(s) delivered" + (f" ({channels})" if channels else "")
            if self.failures:
                text += (
                    f"; {len(self.failures)} delivery failure(s), retried next tick:"
                    f" {self.failures[0]}"
                )
            if self.gave_up:
                text += f"; gave up {len(self.gave_up)} alert(s)"
            if self.unrouted:
                text += f"; no channel for {', '.join(sorted(set(self.unrouted)))}"
        if self.deferred:
            text += "; more next tick"
        return text


def is_news(event: ExceptionEvent) -> bool:
    return event.severity == "error" and event.source not in TOLD_AS_RUN_FAILURES


def run_tick(
    state: AlertState,
    *,
    feed: Sequence[ExceptionEvent] | None,
    run_failures: Iterable[RunFailure],
    run_failure_of: Callable[[str], RunFailure | None],
    routing: Routing,
    runbook_url: str,
    dagster_url: str | None = None,
    outbox_factory: Callable[[Routing], Outbox] = Outbox,
    now: Callable[[], float] = time.time,
    clock: Callable[[], float] = time.monotonic,
    max_alerts: int = MAX_ALERTS_PER_TICK,
    budget_seconds: float = TICK_BUDGET_SECONDS,
) -> TickReport:
    """Deliver what is due, updating `state` in place: pending retries first, then new failed
    runs (in event order), then new exceptions (in feed order). `feed` is None when unavailable:
    then no exception is told (retries of exceptions included) and nothing is skipped.
    `run_failure_of(run_id)` rebuilds a failed run's alert for a retry."""
    report = TickReport()
    deadline = clock() + budget_seconds
    attempted = 0
    by_key = {e.key: e for e in feed} if feed is not None else {}

    def budget_left() -> bool:
        if attempted >= max_alerts or clock() >= deadline:
            report.deferred = True
            return False
        return True

    def give_up(key: str, why: str) -> None:
        log.error("alert %s given up: %s", key, why)
        report.gave_up.append(key)
        state.pending.pop(key, None)

    with outbox_factory(routing) as outbox:

        def attempt(alert: Alert, channels: Sequence[str], since: float) -> None:
            nonlocal attempted
            attempted += 1
            left, errors = [], []
            for channel in channels:
                try:
                    outbox.deliver(alert, channel)
                except DeliveryFailed as exc:
                    left.append(channel)
                    errors.append(f"{channel}: {exc}")
                else:
                    report.sent[channel] = report.sent.get(channel, 0) + 1
            if left:
                state.pending[alert.key] = Pending(left, since)
                report.failures.extend(f"{alert.key} {e}" for e in errors)
            else:
                state.pending.pop(alert.key, None)
                report.alerts.append(alert.key)

        def channels_of(owner: str) -> tuple[str, ...]:
            found = routing.channels(owner)
            if not found:
                report.unrouted.append(owner)
            return found

        # 1. Retries, on the channels still owed (a channel switched off since is dropped).
        for key, pending in sorted(state.pending.items(), key=lambda kv: kv[1].since):
            if now() - pending.since > PENDING_GIVE_UP.total_seconds():
                give_up(
                    key, f"undelivered on {', '.join(pending.channels)} since {PENDING_GIVE_UP}"
                )
                continue
            if key.startswith("x:"):
                if feed is None:
                    continue  # kept for a tick that can read the feed
                event = by_key.get(key)
                alert = exception_alert(event, runbook_url) if event is not None else None
            else:
                failure = run_failure_of(key.removeprefix("r:"))
                alert = run_failure_alert(failure, runbook_url, dagster_url) if failure else None
            if alert is None:
                give_up(key, "no longer in the exception feed or the instance")
                continue
            owed = [c for c in pending.channels if c in routing.channels(alert.owner)]
            if not owed:
                state.pending.pop(key)
                continue
            if not budget_left():
                break
            attempt(alert, owed, pending.since)

        # 2. Failed runs: the watermark moves past a failure once it was tried (what failed
        # waits in `pending`) and stops before the first one left for the next tick.
        for failure in run_failures:
            if failure.storage_id <= state.runs_after:
                continue
            channels = channels_of(failure.owner)
            if channels and not budget_left():
                break
            state.runs_after = failure.storage_id
            if channels:
                attempt(run_failure_alert(failure, runbook_url, dagster_url), channels, now())

        # 3. New error exceptions, in (error since, id) order, likewise.
        if feed is not None:
            for event in sorted(feed, key=lambda e: (e.news_at_us, e.exception_id)):
                position = (event.news_at_us, event.exception_id)
                if position <= state.exceptions_after:
                    continue
                channels = channels_of(event.owner) if is_news(event) else ()
                if channels and not budget_left():
                    break
                state.exceptions_after = position
                if channels:
                    attempt(exception_alert(event, runbook_url), channels, now())

        # The cursor is stored with every tick: a channel down for long may not grow it.
        overflow = sorted(state.pending.items(), key=lambda kv: kv[1].since)[:-MAX_PENDING]
        for key, _ in overflow:
            give_up(key, f"more than {MAX_PENDING} alerts waiting for a channel")
    return report
