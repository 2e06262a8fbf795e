"""Check every answer again before the project is filled (bake.jinja_guard checked them already,
before the project folder was created); exit 1 with one line per problem."""

import json
import sys

# Rendered by cookiecutter's Jinja: the values below become JSON string literals (valid Python)
sys.path.insert(0, {{ template_dir | tojson }})  # absolute, see bake/jinja_extension.py
CONTEXT = json.loads({{ cookiecutter | ordered_json | tojson }})

from bake import validation  # noqa: E402  (needs the template on sys.path)

errors = validation.problems(CONTEXT)
if errors:
    print(validation.report(errors), file=sys.stderr)
    sys.exit(1)
