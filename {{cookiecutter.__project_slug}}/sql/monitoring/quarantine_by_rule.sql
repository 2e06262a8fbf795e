{%- set spec = medallion_spec(cookiecutter) -%}
{%- set schema = cookiecutter.catalog | sql_ident ~ "." ~ cookiecutter.schema | sql_ident -%}
-- Which rules send rows to quarantine, per source table, over the last 30 days.
WITH failures AS (
{%- for table in spec.tables %}
  SELECT
    '{{ table.name }}' AS source_table,
    EXPLODE(_failed_rules) AS rule
  FROM {{ schema }}.{{ ("silver_" ~ table.name ~ "_quarantine") | sql_ident }}
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
