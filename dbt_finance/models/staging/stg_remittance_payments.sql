select
    file_hash,
    payment_number,
    settlement_date,
    amount as paid_amount,
    currency,
    payment_method,
    payment_status,
    payer_name,
    payee_id as vendor_code,
    has_hidden_lines
from {{ source('raw', 'remittance_payments') }}
