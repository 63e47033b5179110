"""What the simulated Amazon accepts: asynchronous validation of every submission.

A submission is accepted with 202 and a transaction id as soon as its body matches the model;
these rules then decide the transaction's outcome, as Amazon's back end would. All-or-nothing:
if any document of a request breaks a rule the transaction is `Failure` with one error per
problem (`code`, `message`, `details` naming the PO/line/carton) and nothing is applied;
otherwise `Success` and the effects are applied (PO states, shipped and invoiced quantities...).

Resubmitting a byte-identical body that already succeeded yields a new `Success` transaction
without applying anything twice (recorded with `duplicateOf`), so retries after a lost 202 are
safe; a *different* body that reuses an ASN shipment identifier or invoice number fails.
"""

# The rules are split by API family into the `rules_*` modules; this module re-exports them
# so the app (and anything else) keeps using `rules.<name>`.
from .rules_base import (
    TOLERANCE,
    ErrorDict,
    Evaluation,
    _df_line,
    _df_party_errors,
    _find_line,
    _maybe_close,
    confirmation_status,
    err,
    submit,
)
from .rules_df_fulfilment import (
    evaluate_df_inventory,
    evaluate_df_invoices,
    evaluate_df_label_requests,
    make_label,
    store_label,
)
from .rules_df_orders import (
    evaluate_df_acknowledgements,
    evaluate_df_shipment_confirmations,
    evaluate_df_status_updates,
)
from .rules_rp_acknowledgements import evaluate_rp_acknowledgements
from .rules_rp_invoices import evaluate_rp_invoices, evaluate_rp_shipments
from .rules_rp_shipments import evaluate_rp_shipment_confirmations

__all__ = [
    "TOLERANCE",
    "ErrorDict",
    "Evaluation",
    "_df_line",
    "_df_party_errors",
    "_find_line",
    "_maybe_close",
    "confirmation_status",
    "err",
    "evaluate_df_acknowledgements",
    "evaluate_df_inventory",
    "evaluate_df_invoices",
    "evaluate_df_label_requests",
    "evaluate_df_shipment_confirmations",
    "evaluate_df_status_updates",
    "evaluate_rp_acknowledgements",
    "evaluate_rp_invoices",
    "evaluate_rp_shipment_confirmations",
    "evaluate_rp_shipments",
    "make_label",
    "store_label",
    "submit",
]
