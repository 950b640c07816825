{#-
    Tables and views built in place. dbt-duckdb's own materializations build each model
    under a temporary name, rename the old relation to a backup, rename the new one into
    place and drop the backup, so that readers of the database never miss the table during
    the build. Nobody reads the file dbt writes here: a refresh, a scenario and the docs
    each build a private copy, published (or thrown away) whole afterwards
    (ingestion/warehouse.py). So the old relation is dropped and the new one created (a
    view replaced): in a national build the models' time fell from 10.6 to 6.1 s (both
    threads together). Contracts are enforced as before; a failed model leaves its table
    missing in a build that is then never published.
-#}

{% materialization table, adapter="duckdb" %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {{ drop_relation_if_exists(existing_relation) }}
  {% call statement('main') -%}
    {{ create_table_as(False, target_relation, compiled_code) }}
  {%- endcall %}
  {{ finish_in_place(target_relation, post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{% materialization view, adapter="duckdb" %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {% if existing_relation is not none and not existing_relation.is_view %}
    {{ drop_relation_if_exists(existing_relation) }}
  {% endif %}
  {% if config.get('contract').enforced %}
    {{ get_assert_columns_equivalent(compiled_code) }}
  {% endif %}
  {% call statement('main') -%}
    create or replace view {{ target_relation }} as (
      {{ compiled_code }}
    );
  {%- endcall %}
  {{ finish_in_place(target_relation, post_hooks) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- What follows the statement in both: hooks, docs, the commit. -#}
{% macro finish_in_place(target_relation, post_hooks) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do persist_docs(target_relation, model) %}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
{% endmacro %}
