"""Code that runs while cookiecutter bakes a project: answer checks, the table spec, rendering."""
