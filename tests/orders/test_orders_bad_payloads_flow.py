"""The order sync over real HTTP while Amazon serves bad purchase orders among good ones.

The sandbox's `bad_orders` option (`SANDBOX_BAD_ORDERS`) adds spoiled copies of good orders to
each batch it generates. Every run must land the good orders, quarantine each bad one with a
reason that says what is wrong with the value, send nothing to NetSuite or Amazon for it, and
keep doing so on every later pull (Amazon returns the same bad PO each time).
"""

from __future__ import annotations

from vendor_sandbox.amazon.bad_orders import DF_DEFECTS, RP_DEFECTS

# What the quarantine reason must say for each defect the sandbox plants.
REASONS = {
    "duplicate_item_sequence": "is on 2 lines",
    # The client's model (Amazon's: an integer) refuses these first, naming field and value.
    "fractional_quantity": "orderedQuantity.amount: Input should be a valid integer, got a "
    "number with a fractional part, not 1.5",
    "text_quantity": "orderedQuantity.amount: Input should be a valid integer, unable to parse "
    'string as an integer, not "abc"',
    "huge_quantity": "as an integer, exceeded maximum size, not 1e+30",
    "negative_net_cost": "negative netCost.amount -3.20",
    "zero_quantity": "a Direct Fulfillment line orders at least one unit",
}


def _quarantined(flow) -> dict[str, str]:
    return dict(flow.query("select payload_key, reason from raw.amazon_quarantined_payloads"))


def test_bad_orders_are_quarantined_and_the_good_ones_land_run_after_run(bad_order_flow) -> None:
    bad_flow = bad_order_flow
    defects = bad_flow.amazon.bad_order_defects()
    # Every defect of both programs is planted (the reasons table covers them all).
    assert set(defects.values()) == set(RP_DEFECTS) | set(DF_DEFECTS) == set(REASONS)
    every_po = set(bad_flow.amazon.rp_orders()) | set(bad_flow.amazon.df_orders())
    good = every_po - set(defects)
    for run in range(2):
        assert bad_flow.run().success, f"run {run + 1} failed"
        landed = {
            po
            for (po,) in bad_flow.query(
                "select purchase_order_number from raw.amazon_purchase_orders"
            )
        }
        assert landed == good
        quarantined = _quarantined(bad_flow)
        assert set(quarantined) == set(defects)
        for po, defect in defects.items():
            assert REASONS[defect] in quarantined[po], (defect, quarantined[po])
        # The quarantine is what operations sees: one open exception per bad PO, with its reason.
        exceptions = dict(
            bad_flow.query(
                """select purchase_order_number, detail from ops.open_exceptions
                   where exception_type = 'quarantined_payload'"""
            )
        )
        assert exceptions == quarantined
    # Nothing was sent for a bad PO, on either side.
    sales_orders = {so["otherRefNum"] for so in bad_flow.netsuite_records("salesOrder")}
    assert sales_orders and not sales_orders & set(defects)
    acknowledged = {
        entry["ref"]
        for kind in ("rp_acknowledgements", "df_acknowledgements")
        for entry in bad_flow.amazon.received(kind)
    }
    assert acknowledged and not acknowledged & set(defects)
