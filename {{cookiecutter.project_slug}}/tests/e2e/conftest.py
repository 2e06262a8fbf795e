"""End-to-end tests run the real local engine (Java 17+, about a minute each run)."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: runs the whole pipeline with spark-pipelines")
