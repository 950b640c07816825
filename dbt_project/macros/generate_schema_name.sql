{#- Use the folder's schema name as is (`marts`, not `main_marts`), so analysts query
    marts.fct_funding_vs_ideal. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name else target.schema }}
{%- endmacro %}
