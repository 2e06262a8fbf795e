{%- set spec = medallion_spec(cookiecutter) -%}
{%- set schema = cookiecutter.catalog | sql_ident ~ "." ~ cookiecutter.schema | sql_ident -%}
-- Quarantined rows per source table and day, with the running total: read from the
-- silver_<table>_quarantine tables themselves (rows that failed a drop rule, with `_failed_rules`).
-- A jump here after a new source file usually means the producer changed its format.
WITH daily AS (
{%- for table in spec.tables %}
  SELECT
    '{{ table.name }}' AS source_table,
    CAST(_quarantined_at AS DATE) AS day,
    COUNT(*) AS quarantined_rows
  FROM {{ schema }}.{{ ("silver_" ~ table.name ~ "_quarantine") | sql_ident }}
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
