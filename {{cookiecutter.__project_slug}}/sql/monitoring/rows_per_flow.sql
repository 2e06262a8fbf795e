-- Rows written and dropped per flow (one flow per table) in each pipeline update, newest first.
-- num_output_rows comes from flow_progress events; dropped_records counts rows that failed an
-- expect-or-drop rule.
-- :catalog and :schema are parameters (the SQL editor asks for them): the target's catalog and
-- its bronze/silver schema, e.g. {{ cookiecutter.catalog }} and {{ cookiecutter.schema }} for prod, dev_<you>_{{ cookiecutter.schema }} for
-- your dev copy, staging_{{ cookiecutter.schema }} for staging.
SELECT
  origin.update_id AS update_id,
  MIN(timestamp) AS first_event_at,
  origin.flow_name AS flow_name,
  SUM(CAST(details:flow_progress.metrics.num_output_rows AS BIGINT)) AS rows_written,
  SUM(CAST(details:flow_progress.data_quality.dropped_records AS BIGINT)) AS rows_dropped,
  MAX_BY(details:flow_progress.status::string, timestamp) AS final_status
FROM IDENTIFIER(:catalog || '.' || :schema || '.{{ cookiecutter.__pipeline_name }}_event_log')
WHERE event_type = 'flow_progress'
GROUP BY origin.update_id, origin.flow_name
ORDER BY first_event_at DESC, flow_name
LIMIT 500;
