-- Rules Swift and the database both hold, from one definition each side can be tested against (issue 15).
--
-- * A decision reference is the citation of Decisions (`decision 4/4`, `resolution 49/221 B`): lettered parts are
--   accepted, so a working group established by such a resolution can be recorded. Swift: DecisionCitation.
-- * A blank value is one that is empty once the white space of Unicode (categories Zs, Zl, Zp, and the controls
--   tab to carriage return and next line) is trimmed from both ends; `btrim(x) <> ''` trimmed spaces only. Swift:
--   FieldRules.isBlank.
-- * A time zone is `UTC` or an IANA Area/Location name PostgreSQL knows (`Europe/Vienna`, `Etc/GMT+5`); POSIX-style
--   names such as `EST5EDT` were accepted here but refused by Swift. Swift: FieldRules.isTimeZone.
-- * Revoked tokens are read by every server's revocation check: a partial index serves that query.

CREATE OR REPLACE FUNCTION plenary_is_decision_reference(reference text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT reference ~ '^(decision|resolution) [1-9][0-9]{0,3}/[1-9][0-9]{0,3}( [A-Z])?$'
$$;

CREATE FUNCTION plenary_is_blank(value text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT btrim(value, U&' \0009\000A\000B\000C\000D\0085\00A0\1680\2000\2001\2002\2003\2004\2005\2006'
        || U&'\2007\2008\2009\200A\2028\2029\202F\205F\3000') = ''
$$;

CREATE OR REPLACE FUNCTION plenary_is_time_zone(zone text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    IF NOT (zone = 'UTC' OR zone ~ '^[A-Za-z]+(/[A-Za-z0-9_+-]+)+$') THEN
        RETURN false;
    END IF;
    -- IMMUTABLE is a deliberate simplification: the zone database changes with PostgreSQL upgrades only, and a
    -- name once valid stays valid (IANA keeps old names as links).
    PERFORM now() AT TIME ZONE zone;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END
$$;

ALTER TABLE bodies
    DROP CONSTRAINT bodies_name_not_blank,
    ADD CONSTRAINT bodies_name_not_blank CHECK (NOT plenary_is_blank(name) AND length(name) <= 500),
    DROP CONSTRAINT bodies_treaty_not_blank,
    ADD CONSTRAINT bodies_treaty_not_blank
        CHECK (treaty IS NULL OR (NOT plenary_is_blank(treaty) AND length(treaty) <= 500));
ALTER TABLE audit_log
    DROP CONSTRAINT audit_log_actor_not_blank,
    ADD CONSTRAINT audit_log_actor_not_blank CHECK (NOT plenary_is_blank(actor));
ALTER TABLE sessions
    DROP CONSTRAINT sessions_title_not_blank,
    ADD CONSTRAINT sessions_title_not_blank
        CHECK (title IS NULL OR (NOT plenary_is_blank(title) AND length(title) <= 500)),
    DROP CONSTRAINT sessions_venue_not_blank,
    ADD CONSTRAINT sessions_venue_not_blank CHECK (NOT plenary_is_blank(venue) AND length(venue) <= 200),
    DROP CONSTRAINT sessions_reason_not_blank,
    ADD CONSTRAINT sessions_reason_not_blank
        CHECK (status_reason IS NULL OR (NOT plenary_is_blank(status_reason) AND length(status_reason) <= 1000));
ALTER TABLE agenda_items
    DROP CONSTRAINT agenda_items_title_not_blank,
    ADD CONSTRAINT agenda_items_title_not_blank CHECK (NOT plenary_is_blank(title) AND length(title) <= 1000);
ALTER TABLE working_groups
    DROP CONSTRAINT working_groups_name_not_blank,
    ADD CONSTRAINT working_groups_name_not_blank CHECK (NOT plenary_is_blank(name) AND length(name) <= 500),
    DROP CONSTRAINT working_groups_mandate_length,
    ADD CONSTRAINT working_groups_mandate_length
        CHECK (mandate IS NULL OR (NOT plenary_is_blank(mandate) AND length(mandate) <= 20000));
ALTER TABLE working_group_renames
    DROP CONSTRAINT working_group_renames_name_not_blank,
    ADD CONSTRAINT working_group_renames_name_not_blank
        CHECK (NOT plenary_is_blank(new_name) AND length(new_name) <= 500);
ALTER TABLE working_group_meetings
    DROP CONSTRAINT working_group_meetings_venue_not_blank,
    ADD CONSTRAINT working_group_meetings_venue_not_blank
        CHECK (NOT plenary_is_blank(venue) AND length(venue) <= 200),
    DROP CONSTRAINT working_group_meetings_reason_not_blank,
    ADD CONSTRAINT working_group_meetings_reason_not_blank
        CHECK (status_reason IS NULL OR (NOT plenary_is_blank(status_reason) AND length(status_reason) <= 1000));
ALTER TABLE decisions
    DROP CONSTRAINT decisions_title_not_blank,
    ADD CONSTRAINT decisions_title_not_blank CHECK (NOT plenary_is_blank(title) AND length(title) <= 1000),
    DROP CONSTRAINT decisions_reason_not_blank,
    ADD CONSTRAINT decisions_reason_not_blank
        CHECK (withdrawn_reason IS NULL
            OR (NOT plenary_is_blank(withdrawn_reason) AND length(withdrawn_reason) <= 1000));
ALTER TABLE documents
    DROP CONSTRAINT documents_title_not_blank,
    ADD CONSTRAINT documents_title_not_blank CHECK (NOT plenary_is_blank(title) AND length(title) <= 1000);
ALTER TABLE document_versions
    DROP CONSTRAINT document_versions_file_format,
    ADD CONSTRAINT document_versions_file_format
        CHECK (file IS NULL OR (NOT plenary_is_blank(file) AND length(file) <= 2000 AND file !~ '[[:cntrl:]]'));

CREATE INDEX tokens_revoked_idx ON tokens (id) WHERE revoked_at IS NOT NULL;
