"""Check every answer before cookiecutter writes anything (placeholder until the template helper lands)."""
