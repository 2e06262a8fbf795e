"""The medallion tool's tests (see baked.py for the project they run on)."""
