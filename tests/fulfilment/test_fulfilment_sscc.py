"""SSCC-18 check digits against GS1's published examples, in Python and in the SQL gate."""

from __future__ import annotations

import random

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.amazon.sscc import is_valid_sscc, make_sscc, sscc_check_digit

# GS1 General Specifications worked example (extension 1, prefix 0614141, serial 234567890).
GS1_EXAMPLE = "106141412345678908"
# A public 856 sample's MAN*GM value (AI 00 + SSCC), valid.
SAMPLE_856 = "00007121610006156802"
# SSCCs from public sample files whose check digit is wrong (kept as negative cases).
INVALID = ["00000010012345614785", "106141412345678907", "10614141234567890", "abcdefghijklmnopqr"]


def test_gs1_worked_example_check_digit_is_8() -> None:
    assert sscc_check_digit(GS1_EXAMPLE[:17]) == 8
    assert is_valid_sscc(GS1_EXAMPLE)
    assert make_sscc(1, "0614141", 234567890) == GS1_EXAMPLE


def test_published_samples() -> None:
    assert is_valid_sscc(SAMPLE_856)
    for value in INVALID:
        assert not is_valid_sscc(value), value


@pytest.fixture(scope="module")
def conn():
    connection = duckdb.connect()
    warehouse_schema.apply(connection)
    yield connection
    connection.close()


def test_sql_gate_agrees_with_gs1_examples(conn) -> None:
    check = "select fulfilment_sscc_ok(?)"
    assert conn.execute(check, [GS1_EXAMPLE]).fetchone()[0] is True
    assert conn.execute(check, [SAMPLE_856]).fetchone()[0] is True
    for value in [*INVALID, None, ""]:
        assert conn.execute(check, [value]).fetchone()[0] is False, value


def test_sql_gate_agrees_with_python_on_every_wrong_digit(conn) -> None:
    rng = random.Random(18)
    values = []
    for _ in range(50):
        good = make_sscc(rng.randrange(10), "0614141", rng.randrange(10**9))
        values += [good, good[:-1] + str((int(good[-1]) + rng.randrange(1, 10)) % 10)]
    got = conn.execute(
        "select v, fulfilment_sscc_ok(v) from unnest(?::varchar[]) t(v)", [values]
    ).fetchall()
    assert {v: ok for v, ok in got} == {v: is_valid_sscc(v) for v in values}
    assert sum(ok for _, ok in got) == 50
