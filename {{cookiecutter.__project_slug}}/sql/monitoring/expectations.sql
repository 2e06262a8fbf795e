-- Data quality per expectation (rule) and day: records that passed and failed, and the failure rate.
-- The rules are the expectations of the silver tables (see src/{{ cookiecutter.__package_name }}/tables.py).
-- Rows that failed a drop rule are also kept, with their raw values, in silver_<table>_quarantine.
-- :catalog and :schema are parameters (the SQL editor asks for them): the target's catalog and
-- its bronze/silver schema, e.g. {{ cookiecutter.catalog }} and {{ cookiecutter.schema }} for prod, dev_<you>_{{ cookiecutter.schema }} for
-- your dev copy, staging_{{ cookiecutter.schema }} for staging.
WITH expectations AS (
  SELECT
    CAST(timestamp AS DATE) AS day,
    EXPLODE(
      FROM_JSON(
        details:flow_progress.data_quality.expectations,
        'array<struct<name: string, dataset: string, passed_records: bigint, failed_records: bigint>>'
      )
    ) AS expectation
  FROM IDENTIFIER(:catalog || '.' || :schema || '.{{ cookiecutter.__pipeline_name }}_event_log')
  WHERE event_type = 'flow_progress'
    AND details:flow_progress.data_quality.expectations IS NOT NULL
)
SELECT
  day,
  expectation.dataset AS dataset,
  expectation.name AS rule,
  SUM(expectation.passed_records) AS passed_records,
  SUM(expectation.failed_records) AS failed_records,
  ROUND(
    100.0 * SUM(expectation.failed_records)
      / NULLIF(SUM(expectation.passed_records) + SUM(expectation.failed_records), 0),
    2
  ) AS failed_percent
FROM expectations
GROUP BY day, expectation.dataset, expectation.name
ORDER BY day DESC, dataset, rule;
