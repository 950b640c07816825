{#- A model's row-level checks in one test: columns that may not be null, columns with a
    closed list of values, and named rules (SQL conditions every row must meet). Fails for
    every row that breaks one, named in `failed_check`. One test, not one per check: dbt
    runs each test as a node of its own in every build, ~0.07 s apiece at national scale.
    As in dbt's own tests, a null passes accepted_values and a rule whose condition is
    null: a column that must hold a value is listed under not_null. -#}
{% test row_checks(model, not_null=[], accepted_values={}, rules={}) %}

{%- set checks = [] -%}
{%- for column in not_null -%}
    {%- do checks.append(("not_null: " ~ column, column ~ " is null")) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do checks.append(("accepted_values: " ~ column,
                          column ~ " not in (" ~ quoted | join(", ") ~ ")")) -%}
{%- endfor -%}
{%- for name, condition in rules.items() -%}
    {%- do checks.append(("rule: " ~ name, "not (" ~ condition ~ ")")) -%}
{%- endfor -%}
{%- if not checks -%}
    {{ exceptions.raise_compiler_error("row_checks on " ~ model ~ " names no check") }}
{%- endif -%}

{%- for name, failing in checks %}
select '{{ name }}' as failed_check, * from {{ model }} where {{ failing }}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}

{% endtest %}
