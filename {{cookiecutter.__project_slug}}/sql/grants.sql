{%- set spec = medallion_spec(cookiecutter) -%}
{%- set catalog = cookiecutter.catalog | sql_ident -%}
{%- set schema = cookiecutter.catalog | sql_ident ~ "." ~ cookiecutter.schema | sql_ident -%}
{%- set engineers = cookiecutter.engineers_group | sql_ident -%}
{%- set analysts = cookiecutter.analysts_group | sql_ident -%}
{%- set landing = cookiecutter.__landing_path.strip("/").split("/") -%}
-- Unity Catalog set-up and least-privilege grants for {{ cookiecutter.project_name }}.
-- `make grants` runs it statement by statement on the SQL warehouse (`DRY_RUN=1` only prints it).
-- It targets the production schema {{ cookiecutter.catalog }}.{{ cookiecutter.schema }}. Dev schemas
-- (dev_<user>_{{ cookiecutter.schema }}) are personal: engineers create them with their own deploys,
-- get their grants from resources/schema.yml, and analysts get nothing there.
-- Every statement is idempotent: run it again after the first pipeline update creates gold tables.
-- Engineers build (create and refresh tables), analysts read the gold tables only.

-- The catalog usually exists already (creating one needs metastore rights), so IF NOT EXISTS.
CREATE CATALOG IF NOT EXISTS {{ catalog }};

-- The pipeline's schema. `make deploy TARGET=prod` creates it from resources/schema.yml. If you run
-- this file first, bind the existing schema to the bundle before deploying (see the README).
CREATE SCHEMA IF NOT EXISTS {{ schema }};

-- USE CATALOG grants no data access by itself. Engineers also need CREATE SCHEMA: every `make
-- deploy` to dev creates their personal dev_<user>_{{ cookiecutter.schema }} schema.
GRANT USE CATALOG, CREATE SCHEMA ON CATALOG {{ catalog }} TO {{ engineers }};
GRANT USE CATALOG ON CATALOG {{ catalog }} TO {{ analysts }};

-- Engineers: create and change streaming tables and materialized views, read everything. The same
-- as resources/schema.yml, whose grants a deploy makes authoritative.
GRANT USE SCHEMA, CREATE TABLE, CREATE MATERIALIZED VIEW, MODIFY, SELECT
  ON SCHEMA {{ schema }} TO {{ engineers }};
-- Analysts: see the prod schema (the prod target of databricks.yml grants the same), no SELECT on
-- it: bronze, silver, the quarantine tables (raw payloads) and the event log stay hidden.
GRANT USE SCHEMA ON SCHEMA {{ schema }} TO {{ analysts }};
{%- if not cookiecutter.__landing_volume and landing | length >= 4 and landing[0] == "Volumes" %}
{%- set volume_schema = landing[1] | sql_ident ~ "." ~ landing[2] | sql_ident %}
{%- set volume = volume_schema ~ "." ~ landing[3] | sql_ident %}

-- The landing volume ({{ cookiecutter.__landing_path }}) belongs to another schema, so this bundle
-- neither creates nor owns it: its owner runs these. Engineers (and the identity prod runs as) read it.
{%- if landing[1] | lower != cookiecutter.catalog | lower %}
GRANT USE CATALOG ON CATALOG {{ landing[1] | sql_ident }} TO {{ engineers }};
{%- endif %}
GRANT USE SCHEMA ON SCHEMA {{ volume_schema }} TO {{ engineers }};
GRANT READ VOLUME ON VOLUME {{ volume }} TO {{ engineers }};
{%- endif %}

-- Gold tables: SELECT for analysts, table by table. These fail until the first pipeline update has
-- created the tables: run `make grants` again after it.
{%- for name in spec.dimensions %}
GRANT SELECT ON TABLE {{ schema }}.{{ ("dim_" ~ name) | sql_ident }} TO {{ analysts }};
{%- endfor %}
{%- for name in spec.facts %}
GRANT SELECT ON TABLE {{ schema }}.{{ ("fact_" ~ name) | sql_ident }} TO {{ analysts }};
{%- endfor %}
{%- if spec.has_dim_date %}
GRANT SELECT ON TABLE {{ schema }}.{{ "dim_date" | sql_ident }} TO {{ analysts }};
{%- endif %}
