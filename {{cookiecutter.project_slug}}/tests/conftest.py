"""One SparkSession for the whole test run.

By default a classic local Spark (one core, no UI, one shuffle partition, UTC) that starts in a
few seconds. With `TEST_SPARK=databricks` (`make test-remote`) the same tests run on Databricks
serverless compute through Databricks Connect, using the CLI profile in
`DATABRICKS_CONFIG_PROFILE`.
"""

from __future__ import annotations

import os

import pytest


def _databricks_session():
    try:
        from databricks.connect import DatabricksSession
    except ImportError as error:
        raise pytest.UsageError(
            "TEST_SPARK=databricks needs databricks-connect: install the `remote` dependency group "
            "(it replaces pyspark, so use a separate virtual environment)"
        ) from error
    profile = os.environ.get("DATABRICKS_CONFIG_PROFILE")
    if not profile:
        raise pytest.UsageError("TEST_SPARK=databricks needs DATABRICKS_CONFIG_PROFILE")
    return DatabricksSession.builder.profile(profile).serverless().getOrCreate()


def _local_session():
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[1]")
        .appName("unit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )


@pytest.fixture(scope="session")
def spark():
    target = os.environ.get("TEST_SPARK", "local")
    if target == "databricks":
        session = _databricks_session()
        session.conf.set("spark.sql.session.timeZone", "UTC")
        yield session
        return
    if target != "local":
        raise pytest.UsageError(f"TEST_SPARK must be 'local' or 'databricks', not {target!r}")
    session = _local_session()
    yield session
    session.stop()
