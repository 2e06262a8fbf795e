"""Benchmarks of the template: see README.md in this folder."""
