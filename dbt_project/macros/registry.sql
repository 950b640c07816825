{#- The registry's dates are spans with an inclusive end, null = open: whether the span
    from `start` to `end` covers `day`. -#}
{% macro covers(start, end, day) -%}
    ({{ start }} is null or {{ start }} <= {{ day }}) and ({{ end }} is null or {{ end }} >= {{ day }})
{%- endmacro %}

{#- Where a municipality stands: a member of an association, documented as outside every
    association, or unplaced (the registry does not say), from the matched rows' keys. -#}
{% macro placement(association_id, outside_code) -%}
    case
        when {{ association_id }} is not null then 'member'
        when {{ outside_code }} is not null then 'outside'
        else 'unplaced'
    end
{%- endmacro %}
