"""One SparkSession for the whole test run.

By default a classic local Spark (one core, no UI, one shuffle partition, UTC, no code
generation) that starts in a few seconds. With `TEST_SPARK=databricks` (`make test-remote`) the
same tests run on Databricks serverless compute through Databricks Connect, using the CLI profile
in `DATABRICKS_CONFIG_PROFILE`.
"""

from __future__ import annotations

import os

import pytest



def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "local_only: needs the local engine (local files, pipeline configuration set by the "
        "test); skipped with TEST_SPARK=databricks",
    )


# Run only when the -m expression names them: `integration` reads a deployed target (make
# test-staging).
ON_REQUEST = ("integration",)


def pytest_collection_modifyitems(config, items):
    asked = config.getoption("markexpr") or ""
    kept, dropped = [], []
    for item in items:
        unasked = [m for m in ON_REQUEST if m in item.keywords and m not in asked]
        (dropped if unasked else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    if os.environ.get("TEST_SPARK", "local") != "databricks":
        return
    skip = pytest.mark.skip(reason="local engine only")
    for item in items:
        if "local_only" in item.keywords:
            item.add_marker(skip)


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
        # Tests run each query shape once, on a few rows: compiling generated Java for it costs
        # more than evaluating it interpreted (about 10% of the suite). Spark's own tests run
        # both modes; the end-to-end run (`make test-e2e`) keeps code generation on.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        # Tests run many tiny queries: the JVM's optimizing JIT compiler (C2) costs more CPU
        # than it saves there. C1 only and the serial collector halve the suite on 2 cores.
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
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
