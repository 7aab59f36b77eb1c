-- Treaty bodies: the organs whose meetings Plenary manages (CTOC/COP, CAC/COSP, ...).
-- Many bodies live side by side; the code is also the body's document series.

CREATE FUNCTION plenary_is_time_zone(zone text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    -- IMMUTABLE is a deliberate simplification: the zone database changes with PostgreSQL upgrades only, and a
    -- name once valid stays valid (IANA keeps old names as links).
    PERFORM now() AT TIME ZONE zone;
    RETURN zone ~ '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$';
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END;
$$;

CREATE TABLE bodies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL,
    name        text NOT NULL,
    treaty      text,
    timezone    text NOT NULL DEFAULT 'UTC',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bodies_code_key UNIQUE (code),
    -- Components of a UN document series: upper-case start, letters, digits and dots, joined by slashes.
    CONSTRAINT bodies_code_format CHECK (code ~ '^[A-Z][A-Za-z0-9.]*(/[A-Z][A-Za-z0-9.]*)*$' AND length(code) <= 64),
    CONSTRAINT bodies_name_not_blank CHECK (btrim(name) <> '' AND length(name) <= 500),
    CONSTRAINT bodies_treaty_not_blank CHECK (treaty IS NULL OR (btrim(treaty) <> '' AND length(treaty) <= 500)),
    CONSTRAINT bodies_timezone_valid CHECK (plenary_is_time_zone(timezone))
);
