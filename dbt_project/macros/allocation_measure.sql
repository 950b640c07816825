{#- Fail at compile time on an allocation_measure the project cannot compute, instead of
    silently falling back to the default. -#}
{% macro allocation_measure() -%}
    {%- set measure = var('allocation_measure') -%}
    {%- set supported = ['full_year_equivalents'] -%}
    {%- if measure not in supported -%}
        {{ exceptions.raise_compiler_error(
            "allocation_measure '" ~ measure ~ "' is not supported; choose one of " ~ supported
        ) }}
    {%- endif -%}
    {{- measure -}}
{%- endmacro %}
