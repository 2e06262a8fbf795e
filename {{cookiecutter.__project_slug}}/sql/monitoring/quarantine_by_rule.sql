{%- set spec = medallion_spec(cookiecutter) -%}
-- Which rules send rows to quarantine, per source table, over the last 30 days.
-- :catalog and :schema are parameters (the SQL editor asks for them): the target's catalog and
-- its bronze/silver schema, e.g. {{ cookiecutter.catalog }} and {{ cookiecutter.schema }} for prod, dev_<you>_{{ cookiecutter.schema }} for
-- your dev copy, staging_{{ cookiecutter.schema }} for staging.
WITH failures AS (
{%- for table in spec.tables %}
  SELECT
    '{{ table.name }}' AS source_table,
    EXPLODE(_failed_rules) AS rule
  FROM IDENTIFIER(:catalog || '.' || :schema || '.silver_{{ table.name }}_quarantine')
  WHERE _quarantined_at >= CURRENT_TIMESTAMP() - INTERVAL 30 DAYS
{%- if not loop.last %}
  UNION ALL
{%- endif %}
{%- endfor %}
)
SELECT
  source_table,
  rule,
  COUNT(*) AS quarantined_rows
FROM failures
GROUP BY source_table, rule
ORDER BY quarantined_rows DESC;
