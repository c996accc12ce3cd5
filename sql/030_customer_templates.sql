-- 030 Customer texts: a tenant's overrides of the built-in templates.
--
-- Every text Kefu writes to or records for a customer comes from a named template (the registry
-- is Swift's: `CustomerTemplate`), built in for zh-CN and en. A tenant may override a template in
-- one language (`PUT /v1/templates/{name}/{locale}`); the API checks that the text parses and
-- names only the template's variables. The table keeps only what no version could accept: a
-- name is not checked here, so a template added later needs no migration.
CREATE TABLE customer_templates (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (name ~ '^[a-z][a-z_]{0,62}$'),
    locale     text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
    body       text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, name, locale)
);
SELECT kefu_isolate_tenant_table('customer_templates');
GRANT DELETE ON customer_templates TO kefu_app;
