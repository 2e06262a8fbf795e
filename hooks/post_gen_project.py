"""Render per-table files and validate the bundle (placeholder until the pipeline helper lands)."""
