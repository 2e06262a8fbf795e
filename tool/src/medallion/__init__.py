"""medallion: the tool that runs, checks, deploys and upgrades a dlt-medallion project.

The project keeps only what its team edits and runs on Databricks (src/, tables.yml, resources/,
sql/, its tests); everything that operates it lives here, in one versioned package the project
pins (requirements/tool.txt). `medallion --help` lists the commands.
"""
