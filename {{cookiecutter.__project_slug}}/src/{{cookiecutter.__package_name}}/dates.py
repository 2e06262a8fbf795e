"""Gold `dim_date`: the star schema's calendar, one row per day the facts cover, keyed by
`date_sk` (yyyyMMdd; `star.date_sk` gives a fact's date the same key)."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import star
from {{ cookiecutter.__package_name }}.star import DATE_SK, UNKNOWN_LABEL, UNKNOWN_SK


def dim_date(
    dates: DataFrame, date_col: str = "date", date_range: tuple[str, str] | None = None
) -> DataFrame:
    """One row per day from the first to the last non-NULL `date_col` in `dates`, plus unknown.

    `date_range` (first, last ISO dates) bounds the calendar. Silver already quarantines fact
    dates outside the tables' `date_range` (`in_date_range_<column>`), so this only guards
    against a date that reached silver another way: the calendar never grows past it.

    Columns: `date_sk` (INT yyyyMMdd), `date`, `year`, `quarter`, `month`, `month_name`,
    `day_of_month`, `day_of_week` (ISO: Monday = 1 ... Sunday = 7), `day_name`, `is_weekend`.
    The unknown row has `date_sk = -1`, 'Unknown' names and NULL elsewhere. Days without facts
    inside the range are included, so calendars and gaps show in reports.
    """
    day = F.to_date(date_col)
    first, last = F.min(day), F.max(day)
    if date_range:
        first = F.greatest(first, F.lit(date_range[0]).cast("date"))
        last = F.least(last, F.lit(date_range[1]).cast("date"))
    bounds = dates.agg(first.alias("first"), last.alias("last"))
    days = bounds.where("first IS NOT NULL AND first <= last").select(
        F.explode(F.sequence("first", "last")).alias("date")
    )
    day_of_week = (F.dayofweek("date") + 5) % 7 + 1  # Spark's dayofweek starts on Sunday = 1
    calendar = days.select(
        star.date_sk("date").alias(DATE_SK),
        "date",
        F.year("date").alias("year"),
        F.quarter("date").alias("quarter"),
        F.month("date").alias("month"),
        F.date_format("date", "MMMM").alias("month_name"),
        F.dayofmonth("date").alias("day_of_month"),
        day_of_week.alias("day_of_week"),
        F.date_format("date", "EEEE").alias("day_name"),
        (day_of_week >= 6).alias("is_weekend"),
    )
    unknown = dates.sparkSession.range(1).select(
        F.lit(UNKNOWN_SK).alias(DATE_SK),
        F.lit(None).cast("date").alias("date"),
        *(F.lit(None).cast("int").alias(name) for name in ("year", "quarter", "month")),
        F.lit(UNKNOWN_LABEL).alias("month_name"),
        *(F.lit(None).cast("int").alias(name) for name in ("day_of_month", "day_of_week")),
        F.lit(UNKNOWN_LABEL).alias("day_name"),
        F.lit(None).cast("boolean").alias("is_weekend"),
    )
    return calendar.union(unknown)
