"""Remittance files: the inbox sensor and the all-or-nothing load into the warehouse.

How the two share the work, given that the warehouse has one writer and sensors never open it:

* The sensor only looks at the inbox. A file is recognised by its content (sha256), never by
  its mtime, and taken once it has settled (unchanged across two looks REMITTANCE_STABLE_SECONDS
  apart). Its cursor (`InboxWatch`) remembers which files it already asked for and which are
  still settling; it is an economy, not the guarantee: the run key `remittance:<sha256>` is,
  since Dagster never starts two runs with one key. Materialization metadata is not used for
  this: it says what was loaded, while the sensor must also remember what it already asked for
  and what is still being written, and that only the cursor can hold without opening DuckDB.
* The load run writes. Each run also reviews the inbox: every entry it refuses (link, hidden or
  temporary name, folder, wrong type, too large, unreadable) is an exception, replaced as a whole
  at each run, so an entry removed or renamed resolves its exception. When refusals change (one
  settled, or one gone) with no file to load, the sensor requests a review run for them.
"""

import json
import os
import re
import string
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pandera.errors
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.finance.remittance_inbox import RemittanceInboxResource
from vendor_pipelines.defs.resources import SettingsResource
from vendor_pipelines.defs.scheduling import loop_tags
from vendor_pipelines.exceptions.store import Detection, record_detections
from vendor_pipelines.finance.detections import REMITTANCE_FILE_PROBLEMS
from vendor_pipelines.finance.inbox import (
    REFUSED,
    TOO_LARGE,
    InboxEntry,
    InboxFileChanged,
    InboxFileRefused,
    InboxWatch,
    Refusal,
    content_hash,
    display_name,
    one_line,
    read_inbox_file,
    scan_inbox,
)
from vendor_pipelines.finance.load import load_remittance_bytes
from vendor_pipelines.finance.pandera_schema import REMITTANCE_LINE_SCHEMA

PAYMENTS = dg.AssetKey(["raw", "remittance_payments"])
SETTLEMENT_DAYS_METADATA = "settlement_days_loaded"
LINES = dg.AssetKey(["raw", "remittance_lines"])

INBOX_SOURCE = "raw/remittance_inbox"
# A run tag only labels the run (its config carries the content hash): long names are cut.
TAG_NAME_LENGTH = 200
# What one look reads and hashes at most: a sensor evaluation has a deadline, and a thousand
# files dropped at once are then taken over a few looks instead of timing the sensor out.
READ_BUDGET_FILES = 200
READ_BUDGET_BYTES = 512 * 1024 * 1024


class RemittanceLoadConfig(dg.Config):
    """Which files to load; every run also reviews the inbox for entries it refuses.

    `content_hashes` (what the sensor sends): the inbox files with these contents, so a file
    renamed between the request and the run is still found, and no raw name sits in run config.
    `paths`: files named by hand. With neither, every file in the inbox as it is now (loaded
    ones are no-ops) unless `whole_inbox` is false: then the run only reviews the inbox.
    """

    paths: list[str] = []
    content_hashes: list[str] = []
    whole_inbox: bool = True


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            PAYMENTS,
            group_name="finance",
            owners=FINANCE_OWNERS,
            kinds={"python", "duckdb"},
            description="Amazon payments from remittance files (EDI 820, Vendor Central CSV).",
        ),
        dg.AssetSpec(
            LINES,
            group_name="finance",
            owners=FINANCE_OWNERS,
            kinds={"python", "duckdb"},
            description="Remittance lines: invoices paid, deductions and adjustments, signed.",
        ),
    ],
    name="remittance_files",
    pool=DUCKDB_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            "remittance_line_schema",
            asset=LINES,
            description="Remittance lines match the pandera schema (types, signs, keys).",
        )
    ],
)
def remittance_files(
    context: dg.AssetExecutionContext,
    config: RemittanceLoadConfig,
    duckdb: DuckDBResource,
    remittance_inbox: RemittanceInboxResource,
):  # a generator of materializations and the schema check
    entries = remittance_inbox.scan()
    files, read_refusals, not_found = _files_to_load(config, remittance_inbox, entries)
    refusals = [_refusal_detection(e.refusal_key, e.name, e.refusal) for e in entries if e.refusal]
    refusals += [
        _refusal_detection(entry.refusal_key_for(refusal), entry.name, refusal)
        for entry, refusal in read_refusals
    ]
    with duckdb.get_connection() as conn:
        # A payment whose file states no date settles on the finance day the file arrived.
        arrival = datetime.now(ZoneInfo(remittance_inbox.finance_timezone)).date()
        results = [
            load_remittance_bytes(conn, content, path.name, arrival_date=arrival)
            for path, content in files
        ]
        record_detections(conn, "raw/remittance_files", query=REMITTANCE_FILE_PROBLEMS)
        record_detections(conn, INBOX_SOURCE, detections=refusals)
        hashes = [r.file_hash for r in results if r.status == "loaded"]
        loaded_lines = conn.execute(
            "select * from raw.remittance_lines where file_hash in (select unnest(?::varchar[]))",
            [hashes],
        ).df()
        totals = conn.execute(
            """select (select count(*) from raw.remittance_payments),
                      (select count(*) from raw.remittance_lines)"""
        ).fetchone()
        # The settlement days this run's payments belong to: the settlement sensor rebuilds
        # them (a late file's day included) from this metadata, without opening DuckDB.
        days = [
            str(day)
            for (day,) in conn.execute(
                """select distinct settlement_date from raw.remittance_payments
                   where file_hash in (select unnest(?::varchar[])) order by 1""",
                [hashes],
            ).fetchall()
        ]
    for detection in refusals:
        context.log.warning(f"refused {detection.detail}")
    for digest in not_found:
        context.log.warning(
            f"no file with content {digest[:12]} in the inbox any more (removed, or changed "
            "since the sensor saw it: the sensor takes the new version by itself)"
        )
    summary = [
        {
            "file": r.file_name,
            "status": r.status,
            "payments": r.payments,
            "lines": r.lines,
            "reason": r.reason or "",
        }
        for r in results
    ]
    for r in results:
        if r.status == "quarantined":
            context.log.warning(f"quarantined {r.file_name}: {r.reason}")
        elif r.status == "repeated":
            context.log.info(
                f"{r.file_name} repeats {r.payments} payment(s) loaded from file "
                f"{(r.repeats_file or '')[:12]}: recorded as a repeat"
            )
    files_md = dg.MetadataValue.md(
        "\n".join(
            f"- {markdown_text(s['file'])}: {s['status']} {markdown_text(s['reason'])}"
            for s in summary
        )
        or "no files"
    )
    refused_md = dg.MetadataValue.md(
        "\n".join(f"- {markdown_text(d.detail)}" for d in refusals) or "none"
    )
    yield dg.MaterializeResult(
        asset_key=PAYMENTS,
        metadata={
            "dagster/row_count": int(totals[0]),
            "files": files_md,
            "refused": refused_md,
            SETTLEMENT_DAYS_METADATA: dg.MetadataValue.json(days),
        },
    )
    yield dg.MaterializeResult(
        asset_key=LINES,
        metadata={
            "dagster/row_count": int(totals[1]),
            "loaded_this_run": json.dumps({r.file_name: r.status for r in results}),
        },
    )
    try:
        REMITTANCE_LINE_SCHEMA.validate(loaded_lines, lazy=True)
        yield dg.AssetCheckResult(
            check_name="remittance_line_schema",
            asset_key=LINES,
            passed=True,
            metadata={"lines_checked": len(loaded_lines)},
        )
    except pandera.errors.SchemaErrors as errors:
        yield dg.AssetCheckResult(
            check_name="remittance_line_schema",
            asset_key=LINES,
            passed=False,
            metadata={
                "failure_cases": dg.MetadataValue.md(
                    errors.failure_cases.head(20).to_markdown(index=False)
                )
            },
        )


def _files_to_load(
    config: RemittanceLoadConfig, inbox: RemittanceInboxResource, entries: list[InboxEntry]
) -> tuple[list[tuple[Path, bytes]], list[tuple[InboxEntry, Refusal]], list[str]]:
    """(path, bytes) to load, entries refused on reading, requested contents not found."""
    if config.paths:
        # Named by hand: refuse loudly, before anything is loaded.
        files = []
        for raw in config.paths:
            path = Path(raw)
            try:
                files.append((path, inbox.read(path)))
            except InboxFileRefused as refused:
                raise dg.Failure(f"{display_name(path.name)}: {refused.refusal.reason}") from None
        return files, [], []
    if not config.content_hashes and not config.whole_inbox:
        return [], [], []
    wanted = set(config.content_hashes)
    found: list[tuple[InboxEntry, bytes]] = []
    read_refusals = []
    # Newest first: the file the sensor asked for is usually the last one that arrived.
    candidates = sorted(
        (e for e in entries if e.refusal is None), key=lambda e: e.changed_ns, reverse=True
    )
    for entry in candidates:
        if config.content_hashes and not wanted:
            break
        try:
            content = inbox.read(entry.path)
        except InboxFileRefused as refused:
            read_refusals.append((entry, refused.refusal))
            continue
        except (FileNotFoundError, InboxFileChanged):
            continue  # gone or still moving: the sensor sees it again
        digest = content_hash(content)
        if config.content_hashes and digest not in wanted:
            continue
        wanted.discard(digest)
        found.append((entry, content))
    # Loaded in the order they arrived in the inbox (ctime: set by the move or copy into it,
    # unlike mtime), so of two files repeating a payment the first to arrive is the one kept.
    found.sort(key=lambda pair: (pair[0].changed_ns, os.fsencode(pair[0].raw_name)))
    files = [(entry.path, content) for entry, content in found]
    return files, read_refusals, sorted(wanted)


def _refusal_detection(key: str, name: str, refusal: Refusal) -> Detection:
    return Detection(
        exception_type=refusal.exception_type,
        entity_key=key,
        reference=name,
        detail=f"{name}: {refusal.reason}",
    )


_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def markdown_text(text: str) -> str:
    """`text` as literal markdown: every ASCII punctuation backslash-escaped (CommonMark allows
    it for all of them), so a name or reason never turns into a link, emphasis or a table."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


remittance_file_checks = exception_checks(
    PAYMENTS.path, ["remittance_file_rejected", REFUSED, TOO_LARGE]
)

remittance_load_job = dg.define_asset_job(
    "remittance_load",
    selection=dg.AssetSelection.assets(PAYMENTS, LINES),
    description="Load remittance files from the inbox (each file once, whole or not at all).",
    tags=loop_tags("finance"),
)


@dg.sensor(
    job=remittance_load_job,
    minimum_interval_seconds=DEPLOYMENT.sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "A remittance file that has settled in REMITTANCE_INBOX starts a load; run key = the "
        "file's sha256. Refused entries (links, hidden or temporary names, oversize files) "
        "start a review run that records them as exceptions."
    ),
)
def remittance_inbox_sensor(
    context: dg.SensorEvaluationContext, settings: SettingsResource
) -> dg.SensorResult:
    # Settings are read at each look, as this sensor always read the inbox (so a test can
    # tighten them); load runs get the same ones through the `remittance_inbox` resource.
    config = settings.read()
    inbox = config.remittance_inbox
    watch = InboxWatch.from_cursor(context.cursor)
    now = time.time()
    look = watch.look(
        scan_inbox(inbox, config.remittance_max_file_bytes),
        now=now,
        stable_seconds=config.remittance_stable_seconds,
    )
    requests = []
    budget = READ_BUDGET_BYTES
    for entry in look.settled[:READ_BUDGET_FILES]:
        if budget < entry.size and budget < READ_BUDGET_BYTES:
            break  # the rest is taken at the next look (the evaluation has a deadline)
        budget -= entry.size
        try:
            content = read_inbox_file(
                entry.path, config.remittance_max_file_bytes, signature=entry.signature
            )
        except InboxFileChanged:
            watch.wait_again(entry, now)
            continue
        except (FileNotFoundError, InboxFileRefused):
            continue  # the next look sees what it became (gone, a link, too large)
        digest = content_hash(content)
        requests.append(
            dg.RunRequest(
                # The content hash, not the name: the same file twice is one run, ever.
                run_key=f"remittance:{digest}",
                run_config=dg.RunConfig(
                    ops={"remittance_files": RemittanceLoadConfig(content_hashes=[digest])}
                ),
                tags={"remittance_file": entry.name[:TAG_NAME_LENGTH]},
            )
        )
        watch.mark_taken(entry)
    if look.refusals_changed:
        for entry in look.refusals:
            context.log.info(f"refused {entry.describe_refusal()}")
        requests.append(
            dg.RunRequest(
                # Unique per change: a refusal that comes back after being resolved must be
                # reviewed again, so the key cannot be the set of refusals alone.
                run_key=f"remittance-inbox-review:{len(watch.reviewed)}:{time.time_ns()}",
                run_config=dg.RunConfig(
                    ops={"remittance_files": RemittanceLoadConfig(whole_inbox=False)}
                ),
                tags={"remittance_review": f"{len(watch.reviewed)} refused"},
            )
        )
    if not requests:
        waiting = f"; {look.settling} file(s) still settling" if look.settling else ""
        return dg.SensorResult(
            skip_reason=f"no new remittance file in {one_line(str(inbox))}{waiting}",
            cursor=watch.to_cursor(),
        )
    return dg.SensorResult(run_requests=requests, cursor=watch.to_cursor())
