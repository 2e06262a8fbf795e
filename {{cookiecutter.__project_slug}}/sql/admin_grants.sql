{%- set landing = cookiecutter.__landing_path.strip("/").split("/") -%}
-- Unity Catalog rights that the bundle cannot grant, for the owner of the catalog (or a metastore
-- admin) to run once per target: `make admin-grants TARGET=prod` (DRY_RUN=1 prints the SQL).
-- Everything else is granted by the bundle itself on every deploy, by whoever deploys: the
-- schemas' grants (resources/schema.yml, and the analysts' read access to the gold schema in
-- targets.prod of databricks.yml){% if cookiecutter.__landing_volume %} and the landing volume's (resources/landing_volume.yml){% endif %}.
-- Granting needs ownership of the object or MANAGE on it (or on a parent): an ordinary engineer
-- cannot run this file, and does not need to.
-- ${var.*} names the target's bundle variables (databricks.yml, with the target's overrides):
-- `medallion admin-grants` fills them in, each quoted as an identifier. Every statement is idempotent.

-- USE CATALOG grants no data access by itself. Engineers also need CREATE SCHEMA: every
-- `make deploy` to dev creates their personal dev_<user>_... schemas, and a deploy of a shared
-- target creates its schemas the first time.
GRANT USE CATALOG, CREATE SCHEMA ON CATALOG ${var.catalog} TO ${var.engineers_group};
-- Analysts read the gold schema of prod, which sits in this catalog.
GRANT USE CATALOG ON CATALOG ${var.catalog} TO ${var.analysts_group};
{%- if not cookiecutter.__landing_volume and landing | length >= 4 and landing[0] == "Volumes" %}

-- The landing volume (${var.landing_path}) belongs to another schema, so this bundle neither
-- creates nor owns it. Engineers (and the identity the pipeline runs as) read it.
GRANT USE CATALOG ON CATALOG ${landing_catalog} TO ${var.engineers_group};
GRANT USE SCHEMA ON SCHEMA ${landing_schema} TO ${var.engineers_group};
GRANT READ VOLUME ON VOLUME ${landing_volume} TO ${var.engineers_group};
{%- endif %}
