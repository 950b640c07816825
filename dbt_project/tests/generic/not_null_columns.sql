{#- Fails for every row where any of `columns` is null: a model's not_null tests in one
    query (each dbt test is a node of its own in the build). -#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where
    {%- for column in columns %}
    {% if not loop.first %}or {% endif %}{{ column }} is null
    {%- endfor %}

{% endtest %}
