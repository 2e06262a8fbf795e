{%- set spec = medallion_spec(cookiecutter) -%}
{%- set catalog = cookiecutter.catalog | sql_ident -%}
{%- set schema = cookiecutter.catalog | sql_ident ~ "." ~ cookiecutter.schema | sql_ident -%}
{%- set engineers = cookiecutter.engineers_group | sql_ident -%}
{%- set analysts = cookiecutter.analysts_group | sql_ident -%}
{%- set landing = cookiecutter.landing_path.strip("/").split("/") -%}
-- Unity Catalog set-up and least-privilege grants for {{ cookiecutter.project_name }}.
-- `make grants` runs it statement by statement on the SQL warehouse (`DRY_RUN=1` only prints it).
-- It targets the production schema {{ cookiecutter.catalog }}.{{ cookiecutter.schema }}. Dev schemas
-- (dev_<user>_{{ cookiecutter.schema }}) are personal and get their grants from resources/schema.yml.
-- Every statement is idempotent: run it again after the first pipeline update creates gold tables.
-- Engineers build (create and refresh tables), analysts only read, no group gets blanket rights.

-- The catalog usually exists already (creating one needs metastore rights), so IF NOT EXISTS.
CREATE CATALOG IF NOT EXISTS {{ catalog }};

-- The pipeline's schema. `make deploy TARGET=prod` creates it from resources/schema.yml. If you run
-- this file first, bind the existing schema to the bundle before deploying (see the README).
CREATE SCHEMA IF NOT EXISTS {{ schema }};

-- Both groups need USE CATALOG to reach anything inside the catalog. It grants no data access.
GRANT USE CATALOG ON CATALOG {{ catalog }} TO {{ engineers }};
GRANT USE CATALOG ON CATALOG {{ catalog }} TO {{ analysts }};

-- Schema rights, the same as in resources/schema.yml (whose grants a deploy makes authoritative).
-- Engineers: create and change streaming tables and materialized views, read everything.
GRANT USE SCHEMA, CREATE TABLE, CREATE MATERIALIZED VIEW, MODIFY, SELECT
  ON SCHEMA {{ schema }} TO {{ engineers }};
-- Analysts: see the schema and read its tables, nothing else.
GRANT USE SCHEMA, SELECT ON SCHEMA {{ schema }} TO {{ analysts }};
{%- if landing | length >= 4 and landing[0] == "Volumes" %}
{%- set volume_schema = landing[1] | sql_ident ~ "." ~ landing[2] | sql_ident %}
{%- set volume = volume_schema ~ "." ~ landing[3] | sql_ident %}

-- The landing volume the bronze layer reads files from ({{ cookiecutter.landing_path }}).
{%- if landing[1] != cookiecutter.catalog or landing[2] != cookiecutter.schema %}
CREATE SCHEMA IF NOT EXISTS {{ volume_schema }};
GRANT USE SCHEMA ON SCHEMA {{ volume_schema }} TO {{ engineers }};
{%- endif %}
CREATE VOLUME IF NOT EXISTS {{ volume }};
-- Engineers load source files, and the pipeline reads them (running as an engineer or a principal).
GRANT READ VOLUME, WRITE VOLUME ON VOLUME {{ volume }} TO {{ engineers }};
{%- endif %}

-- Gold tables: explicit SELECT for analysts, so they keep access to the star schema even if the
-- schema-wide SELECT above is removed to hide bronze and silver. These fail until the first
-- pipeline update has created the tables: run `make grants` again after it.
{%- for name in spec.dimensions %}
GRANT SELECT ON TABLE {{ schema }}.{{ ("dim_" ~ name) | sql_ident }} TO {{ analysts }};
{%- endfor %}
{%- for name in spec.facts %}
GRANT SELECT ON TABLE {{ schema }}.{{ ("fact_" ~ name) | sql_ident }} TO {{ analysts }};
{%- endfor %}
{%- if spec.has_dim_date %}
GRANT SELECT ON TABLE {{ schema }}.{{ "dim_date" | sql_ident }} TO {{ analysts }};
{%- endif %}
