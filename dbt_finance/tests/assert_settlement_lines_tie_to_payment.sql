{{ config(severity='warn') }}
-- Settlement drift at file level: header amount vs the lines the file showed. Parsers reject
-- such files unless Amazon flagged the payment's lines as hidden, so what remains here is the
-- hidden-lines case (missing ordering codes on the VC user): a warning for finance, while the
-- unexplained-variance test blocks the posting itself.
select reconciliation_id, paid_amount, line_total, file_drift
from {{ ref('settlement_reconciliation') }}
where {{ settlement_window('settlement_date') }}
  and grain = 'payment'
  and file_drift <> 0
