"""What a project's own tests import from the tool: `arrow_rows.frame` builds a test DataFrame
from rows (fast: a local relation, not an RDD), and `fake_dp.StrictFakeDp` stands in for
`pyspark.pipelines` as Databricks has it, as strict as the real one. They are the same in every
project, so they live here, with their own tests (tool/tests), not in each team's repo.

Nothing here imports the rest of the tool: `make install-remote` installs the tool without its
dependencies beside Databricks Connect, and the unit tests run there too.
"""
