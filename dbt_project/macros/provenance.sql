{#- How a figure came about (raw tables' `provenance`): real < derived from real < sample.
    A figure computed from several is as real as the least real of them. -#}
{% macro provenance_rank(column) -%}
    case {{ column }} when 'real' then 0 when 'derived from real' then 1 when 'sample' then 2 end
{%- endmacro %}

{% macro provenance_of_rank(rank) -%}
    case {{ rank }} when 0 then 'real' when 1 then 'derived from real' when 2 then 'sample' end
{%- endmacro %}

{#- Aggregate: the least real provenance of the rows (null when there are none). -#}
{% macro least_real(column) -%}
    {{ provenance_of_rank('max(' ~ provenance_rank(column) ~ ')') }}
{%- endmacro %}

{#- Row by row: the least real of the given columns; a null one (no figure) is left out
    (DuckDB's greatest skips nulls). -#}
{% macro least_real_of(columns) -%}
    {%- set ranks = [] -%}
    {%- for column in columns -%}
        {%- do ranks.append("case " ~ column ~ " when 'real' then 0 when 'derived from real' "
                            ~ "then 1 when 'sample' then 2 end") -%}
    {%- endfor -%}
    {{ provenance_of_rank('greatest(' ~ ranks | join(', ') ~ ')') }}
{%- endmacro %}

{#- A report figure's provenance from its is_sample flag (reports are real or sample). -#}
{% macro report_provenance(is_sample) -%}
    case when {{ is_sample }} then 'sample' when not {{ is_sample }} then 'real' end
{%- endmacro %}
