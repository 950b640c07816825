{#- The canonical report metrics (docs/report-vocabulary.md) the marts read, in one place so
    a renamed metric is changed here only. Returns the name as a quoted SQL literal. -#}
{% macro report_metric(key) -%}
    {%- set metrics = {
        'member_contribution': 'member_contribution',
        'ideal_allocation_share': 'ideal_allocation_share',
        'ideal_allocation_amount': 'ideal_allocation_amount',
        'participants': 'participants',
        'participants_started': 'participants_started',
        'participants_exited': 'participants_exited',
        'exits': 'exits',
        'intervention_cost': 'intervention_cost',
    } -%}
    {%- if key not in metrics -%}
        {{ exceptions.raise_compiler_error("unknown report metric key: " ~ key) }}
    {%- endif -%}
    '{{ metrics[key] }}'
{%- endmacro %}
