{#- Fails for every row where `expression` is not true (nulls pass: test them with
    not_null). -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
