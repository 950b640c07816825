{#- The grain of a model: fails for every key that occurs more than once or has a null
    column. One node where not_null on each column and a uniqueness test took one each
    (dbt runs every test as its own query: about 0.1 s of a build apiece). -#}
{% test primary_key(model, columns) %}

select
    {{ columns | join(',\n    ') }},
    count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
    {%- for column in columns %}
    or {{ column }} is null
    {%- endfor %}

{% endtest %}
