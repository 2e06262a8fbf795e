"""Check every answer before cookiecutter writes anything; exit 1 with one line per problem."""

import json
import sys

# Rendered by cookiecutter's Jinja: the values below become JSON string literals (valid Python)
sys.path.insert(0, {{ template_dir | tojson }})  # absolute, see bake/jinja_extension.py
CONTEXT = json.loads({{ cookiecutter | ordered_json | tojson }})

from bake import answers, spec  # noqa: E402  (needs the template on sys.path)

errors = answers.validate(CONTEXT)
errors += spec.validate(CONTEXT["table_names"], CONTEXT["tables"], CONTEXT["source_format"])
if errors:
    print("The answers are not valid; nothing was generated:", file=sys.stderr)
    for error in errors:
        print(f"  {error}", file=sys.stderr)
    sys.exit(1)
