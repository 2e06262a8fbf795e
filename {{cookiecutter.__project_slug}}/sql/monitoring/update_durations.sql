{%- set event_log = cookiecutter.catalog | sql_ident ~ "." ~ cookiecutter.schema | sql_ident ~ "." ~ (cookiecutter.__pipeline_name ~ "_event_log") | sql_ident -%}
-- Pipeline updates of {{ cookiecutter.__pipeline_name }}: start, end, final state and duration, newest first.
-- Reads the event log table that resources/pipeline.yml publishes (event_log). For a dev deployment,
-- replace the schema with your dev schema (dev_<short name>_{{ cookiecutter.schema }}).
WITH updates AS (
  SELECT
    origin.update_id AS update_id,
    MIN(timestamp) AS started_at,
    MAX(timestamp) AS ended_at,
    MAX_BY(details:update_progress.state::string, timestamp) AS final_state
  FROM {{ event_log }}
  WHERE event_type = 'update_progress'
  GROUP BY origin.update_id
)
SELECT
  update_id,
  started_at,
  ended_at,
  final_state,
  TIMESTAMPDIFF(SECOND, started_at, ended_at) AS duration_seconds
FROM updates
ORDER BY started_at DESC
LIMIT 100;
