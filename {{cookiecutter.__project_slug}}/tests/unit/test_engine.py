"""engine: the pipeline says which engine runs it, and a wrong or missing setting stops it."""

from __future__ import annotations

import pytest

from {{ cookiecutter.__package_name }} import engine

# These tests set pipeline configuration and read local files, which serverless compute does
# not allow; the Databricks branch is tested against a strict fake `dp` instead.
pytestmark = pytest.mark.local_only


def test_a_missing_engine_setting_fails_loudly(spark, monkeypatch):
    """A pipeline created outside the bundle has no medallion.engine: it must not quietly run
    the local branch on Databricks."""
    monkeypatch.delenv(engine.RUNTIME_ENV, raising=False)
    spark.conf.unset(engine.ENGINE_CONF)
    with pytest.raises(engine.EngineConfigError, match="'medallion.engine' is not set"):
        engine.is_databricks(spark)


def test_a_local_setting_on_a_databricks_runtime_fails_loudly(spark, conf, monkeypatch):
    conf(engine="local")
    monkeypatch.setenv(engine.RUNTIME_ENV, "client.4.9")
    with pytest.raises(engine.EngineConfigError, match="this is a Databricks runtime"):
        engine.is_databricks(spark)


def test_an_unknown_engine_is_refused(spark, conf):
    conf(engine="databricks-ish")
    with pytest.raises(engine.EngineConfigError, match="use one of databricks, local"):
        engine.is_databricks(spark)
