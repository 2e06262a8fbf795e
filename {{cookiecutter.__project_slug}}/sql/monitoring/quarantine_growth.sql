{%- set spec = medallion_spec(cookiecutter) -%}
-- Quarantined rows per source table and day, with the running total: read from the
-- silver_<table>_quarantine tables themselves (rows that failed a drop rule, with `_failed_rules`).
-- A jump here after a new source file usually means the producer changed its format.
-- :catalog and :schema are parameters (the SQL editor asks for them): the target's catalog and
-- its bronze/silver schema, e.g. {{ cookiecutter.catalog }} and {{ cookiecutter.schema }} for prod, dev_<you>_{{ cookiecutter.schema }} for
-- your dev copy, staging_{{ cookiecutter.schema }} for staging.
WITH daily AS (
{%- for table in spec.tables %}
  SELECT
    '{{ table.name }}' AS source_table,
    CAST(_quarantined_at AS DATE) AS day,
    COUNT(*) AS quarantined_rows
  FROM IDENTIFIER(:catalog || '.' || :schema || '.silver_{{ table.name }}_quarantine')
  GROUP BY CAST(_quarantined_at AS DATE)
{%- if not loop.last %}
  UNION ALL
{%- endif %}
{%- endfor %}
)
SELECT
  source_table,
  day,
  quarantined_rows,
  SUM(quarantined_rows) OVER (PARTITION BY source_table ORDER BY day) AS total_quarantined_rows
FROM daily
ORDER BY day DESC, source_table;
