"""Shared library of the {{ cookiecutter.project_name }} medallion pipeline.

The pipeline files under `src/bronze`, `src/silver` and `src/gold` stay small: each one declares a
dataset and calls plain `DataFrame -> DataFrame` functions from this package, which the unit tests
import directly.

- `spec`: the table spec (keys, columns, rules, references) as plain dataclasses.
- `tables`: the spec of every table of this project (generated from the template's answers).
- `ingest`: the landing schema and the audit columns of bronze.
- `quality`: typing, expectations, quarantine and de-duplication for silver.
- `cdc`: batch SCD1/SCD2 equivalents of Databricks AUTO CDC (used by the local engine).
- `star`: surrogate keys, dimensions (and snowflakes), `dim_date` and facts for gold.
- `constraints`: each gold table's declared schema: types, comments, primary and foreign keys.
- `integrity`: the checks that gold's keys hold, as data, after every update.
- `frames`: `withColumns` for pipeline queries, planned lazily on Spark Connect.
- `engine`: the one module that knows whether it runs on Databricks or locally.
"""
