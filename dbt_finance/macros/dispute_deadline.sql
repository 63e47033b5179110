{#- The last day a claim can be disputed (vendor-finance-edi.md §2): its window from the day
    its clock starts (`clock_start`: the invoice's due date for shortage and price claims, the
    day Amazon took it for the rest), and never more than 24 months after the invoice date for
    shortage and price claims. NULL where the class has no dispute window. One rule for
    open_deductions and dispute_cases. -#}
{% macro dispute_deadline(class_code, clock_start, invoice_date, window_days) -%}
    case
        when {{ window_days }} is null then null
        when {{ class_code }} in ('SHORTAGE', 'PRICE_CLAIM') and {{ invoice_date }} is not null
            then least({{ clock_start }} + to_days({{ window_days }}),
                       {{ invoice_date }} + interval 24 month)
        else {{ clock_start }} + to_days({{ window_days }})
    end::date
{%- endmacro %}
