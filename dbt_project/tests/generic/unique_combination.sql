{#- Fails for every combination of `combination_of_columns` that occurs more than once:
    the grain test of models whose key has several columns. -#}
{% test unique_combination(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
