-- Pipeline updates of {{ cookiecutter.__pipeline_name }}: start, end, final state and duration, newest first.
-- Reads the event log table that resources/pipeline.yml publishes (event_log).
-- :catalog and :schema are parameters (the SQL editor asks for them): the target's catalog and
-- its bronze/silver schema, e.g. {{ cookiecutter.catalog }} and {{ cookiecutter.schema }} for prod, dev_<you>_{{ cookiecutter.schema }} for
-- your dev copy, staging_{{ cookiecutter.schema }} for staging.
WITH updates AS (
  SELECT
    origin.update_id AS update_id,
    MIN(timestamp) AS started_at,
    MAX(timestamp) AS ended_at,
    MAX_BY(details:update_progress.state::string, timestamp) AS final_state
  FROM IDENTIFIER(:catalog || '.' || :schema || '.{{ cookiecutter.__pipeline_name }}_event_log')
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
