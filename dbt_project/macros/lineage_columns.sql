{#- The columns every raw table carries and every staging model passes on: where the row
    came from, whether it is sample data, and when ingestion wrote it. -#}
{% macro lineage_columns() -%}
        source::varchar as source,
        is_sample::boolean as is_sample,
        loaded_at::timestamp as loaded_at
{%- endmacro %}
