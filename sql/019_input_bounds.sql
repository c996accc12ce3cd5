-- 019 input bounds: the settings SQL reads can no longer make a cast fail.
--
-- The surge functions (006, 011) read `surge.window_minutes` and `surge.minimum_volume` from
-- tenants.settings with `::int`. A value above 2^31, a fraction or a string made that cast fail
-- for the whole statement, so one tenant's setting stopped surge detection for every tenant.
-- The API now refuses such values (SettingRanges in Swift: window 1…120 minutes, volume
-- 1…100000); here existing documents are brought into those ranges and a constraint keeps them
-- there, so every value the functions cast is a small integer.

-- The settings document with the integer at p_path clamped into [p_min, p_max] (rounded), or
-- removed when it is not a number (the default then applies). Never fails: a jsonb number is
-- always a valid numeric.
CREATE FUNCTION kefu_clamp_int_setting(p_settings jsonb, p_path text[], p_min numeric, p_max numeric)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN p_settings #> p_path IS NULL THEN p_settings
        WHEN jsonb_typeof(p_settings #> p_path) <> 'number' THEN p_settings #- p_path
        ELSE jsonb_set(p_settings, p_path, to_jsonb(least(greatest(round((p_settings #>> p_path)::numeric), p_min), p_max)))
    END
$$;

-- Whether the setting at p_path is absent, or an integer within [p_min, p_max] written as
-- plain digits (what `::int` accepts). The CASE keeps the numeric comparison behind the checks.
CREATE FUNCTION kefu_int_setting_within(p_settings jsonb, p_path text[], p_min numeric, p_max numeric)
RETURNS boolean
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN p_settings #> p_path IS NULL THEN true
        WHEN jsonb_typeof(p_settings #> p_path) <> 'number' THEN false
        WHEN (p_settings #>> p_path) !~ '^[0-9]{1,9}$' THEN false
        ELSE (p_settings #>> p_path)::numeric BETWEEN p_min AND p_max
    END
$$;

UPDATE tenants
SET settings = kefu_clamp_int_setting(kefu_clamp_int_setting(settings, '{surge,window_minutes}', 1, 120),
                                      '{surge,minimum_volume}', 1, 100000)
WHERE NOT kefu_int_setting_within(settings, '{surge,window_minutes}', 1, 120)
   OR NOT kefu_int_setting_within(settings, '{surge,minimum_volume}', 1, 100000);

ALTER TABLE tenants ADD CONSTRAINT tenants_settings_surge_integers CHECK (
    kefu_int_setting_within(settings, '{surge,window_minutes}', 1, 120)
    AND kefu_int_setting_within(settings, '{surge,minimum_volume}', 1, 100000));
-- Every role that writes settings evaluates the constraint.
GRANT EXECUTE ON FUNCTION kefu_int_setting_within(jsonb, text[], numeric, numeric) TO kefu_app;
