{#- A model parameter for one year: the scenario var when it is set, else the column read
    from seeds/allocation_parameters.csv. `allocation_parameter_status` says which. -#}
{% macro allocation_parameter(name, column) -%}
    {%- if var(name, none) is not none -%}
        {{ var(name) }}
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}

{% macro allocation_parameter_status(name, column) -%}
    {%- if var(name, none) is not none -%}
        'scenario'
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}
