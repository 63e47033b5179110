{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date',
    on_schema_change='append_new_columns'
) }}
-- Every remittance line of the window with its deduction class (set-based: one CASE pass over
-- the finance rules seed), the invoice key it belongs to and its lineage.
with lines as (
    select * from {{ ref('stg_remittance_lines') }}
    where {{ settlement_window('settlement_date') }}
)

{{ classified_remittance_lines('lines') }}
