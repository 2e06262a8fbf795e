"""Fixtures of the pipeline library's unit tests: pipeline configuration and a strict fake `dp`."""

from __future__ import annotations

import pytest
from medallion.testing.fake_dp import StrictFakeDp

from {{ cookiecutter.__package_name }} import engine, flows


@pytest.fixture
def conf(spark):
    """Set pipeline configuration on the test session for one test (`local` engine unless
    given), and unset it afterwards."""
    keys = []

    def set_conf(**values):
        values.setdefault("engine", "local")
        for key, value in values.items():
            name = f"medallion.{key}"
            spark.conf.set(name, value)
            keys.append(name)

    yield set_conf
    for key in keys:
        spark.conf.unset(key)


@pytest.fixture
def fake_dp(monkeypatch):
    """A strict fake `dp` wherever the library calls it: flows directly, expectations and the
    snapshot flow through `engine.databricks_function`."""
    fake = StrictFakeDp()
    monkeypatch.setattr(engine, "dp", fake)
    monkeypatch.setattr(flows, "dp", fake)
    return fake
