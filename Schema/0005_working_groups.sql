-- Working groups of a body and their meetings.
--
-- A working group is established by a decision or resolution of its body (the reference may be recorded before the
-- decision itself is entered), may be renamed (each rename kept, with the instrument that did it) and dissolved.
-- Its code (WG.2) is the subsidiary-body component of its document symbols. Its meetings are numbered per group,
-- never overlap each other (an exclusion constraint) and never overlap a session of the body unless held in
-- conjunction with that session (a trigger, under the body's calendar lock from 0004).

-- `decision 4/4`, `resolution 5/3`: a reference to a decision or resolution by its number at a session.
CREATE FUNCTION plenary_is_decision_reference(reference text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT reference ~ '^(decision|resolution) [1-9][0-9]{0,3}/[1-9][0-9]{0,3}$'
$$;

CREATE TABLE working_groups (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id         bigint NOT NULL REFERENCES bodies (id),
    code            text NOT NULL,
    -- The current name; earlier ones are in working_group_renames.
    name            text NOT NULL,
    mandate         text,
    kind            text NOT NULL DEFAULT 'interim',
    established_by  text,
    established_on  date,
    dissolved_on    date,
    dissolved_by    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- A code is never reused, not even after dissolution: it is part of document symbols that stay in circulation.
    CONSTRAINT working_groups_code_key UNIQUE (body_id, code),
    -- Lets meetings carry their body and have the database check it is their group's.
    CONSTRAINT working_groups_id_body_key UNIQUE (id, body_id),
    CONSTRAINT working_groups_code_format CHECK (code ~ '^[A-Z][A-Za-z]{0,9}\.[1-9][0-9]{0,3}$'),
    CONSTRAINT working_groups_name_not_blank CHECK (btrim(name) <> '' AND length(name) <= 500),
    CONSTRAINT working_groups_mandate_length
        CHECK (mandate IS NULL OR (btrim(mandate) <> '' AND length(mandate) <= 20000)),
    CONSTRAINT working_groups_kind_valid CHECK (kind IN ('interim', 'standing')),
    CONSTRAINT working_groups_established_by_format
        CHECK (established_by IS NULL OR plenary_is_decision_reference(established_by)),
    CONSTRAINT working_groups_dissolved_by_format
        CHECK (dissolved_by IS NULL OR plenary_is_decision_reference(dissolved_by)),
    CONSTRAINT working_groups_dissolved_by_needs_date CHECK (dissolved_by IS NULL OR dissolved_on IS NOT NULL),
    CONSTRAINT working_groups_dissolved_after_established
        CHECK (dissolved_on IS NULL OR established_on IS NULL OR dissolved_on >= established_on)
);

-- Every rename, in order: the history of a group's names and the instruments that changed them. Append-only.
CREATE TABLE working_group_renames (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    working_group_id  bigint NOT NULL REFERENCES working_groups (id),
    old_name          text NOT NULL,
    new_name          text NOT NULL,
    by_reference      text,
    renamed_on        date,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT working_group_renames_changes_name CHECK (old_name <> new_name),
    CONSTRAINT working_group_renames_name_not_blank CHECK (btrim(new_name) <> '' AND length(new_name) <= 500),
    CONSTRAINT working_group_renames_by_format
        CHECK (by_reference IS NULL OR plenary_is_decision_reference(by_reference))
);

CREATE INDEX working_group_renames_group_idx ON working_group_renames (working_group_id, id);

-- `CTOC/COP/WG.2`: how messages name a group.
CREATE FUNCTION plenary_working_group_name(working_group bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT b.code || '/' || g.code FROM working_groups g JOIN bodies b ON b.id = g.body_id WHERE g.id = working_group
$$;

CREATE FUNCTION plenary_working_group_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    this text := plenary_working_group_name(OLD.id);
    latest working_group_renames%ROWTYPE;
    clash record;
BEGIN
    PERFORM plenary_lock_calendar(OLD.body_id);
    IF (NEW.body_id, NEW.code) IS DISTINCT FROM (OLD.body_id, OLD.code) THEN
        PERFORM plenary_refuse('working_groups_identity_fixed', format(
            'code: %s keeps its body and code; they are part of its document symbols', this));
    END IF;
    IF OLD.dissolved_on IS NOT NULL THEN
        PERFORM plenary_refuse('working_groups_dissolved', format(
            'code: %s was dissolved on %s; a dissolved group does not change', this, OLD.dissolved_on));
    END IF;
    -- A name changes only together with the rename that records it (see working_group_renames_apply).
    IF NEW.name <> OLD.name THEN
        SELECT * INTO latest FROM working_group_renames WHERE working_group_id = OLD.id ORDER BY id DESC LIMIT 1;
        IF NOT FOUND OR (latest.old_name, latest.new_name) <> (OLD.name, NEW.name) THEN
            PERFORM plenary_refuse('working_groups_rename_history', format(
                'name: %s is renamed only with wg rename, which keeps the history', this));
        END IF;
    END IF;
    IF NEW.dissolved_on IS NOT NULL THEN
        SELECT m.number, m.start_date INTO clash FROM working_group_meetings m
        WHERE m.working_group_id = OLD.id AND m.status <> 'cancelled' AND m.end_date > NEW.dissolved_on
        ORDER BY m.start_date LIMIT 1;
        IF FOUND THEN
            PERFORM plenary_refuse('working_groups_meetings_after_dissolution', format(
                'date: %s has meeting %s on %s, after %s; cancel it before dissolving the group', this, clash.number,
                clash.start_date, NEW.dissolved_on));
        END IF;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER working_groups_rules BEFORE UPDATE ON working_groups
    FOR EACH ROW EXECUTE FUNCTION plenary_working_group_rules();
CREATE TRIGGER working_groups_no_delete BEFORE DELETE ON working_groups
    FOR EACH ROW EXECUTE FUNCTION plenary_keep_history();

CREATE FUNCTION plenary_working_group_rename_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g working_groups%ROWTYPE;
BEGIN
    SELECT * INTO g FROM working_groups WHERE id = NEW.working_group_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NEW;
    END IF;
    IF g.dissolved_on IS NOT NULL THEN
        PERFORM plenary_refuse('working_groups_dissolved', format(
            'code: %s was dissolved on %s; a dissolved group is not renamed', plenary_working_group_name(g.id),
            g.dissolved_on));
    END IF;
    IF NEW.old_name <> g.name THEN
        PERFORM plenary_refuse('working_group_renames_from_current', format(
            'name: %s is called %L, not %L', plenary_working_group_name(g.id), g.name, NEW.old_name));
    END IF;
    IF NEW.renamed_on < g.established_on THEN
        PERFORM plenary_refuse('working_group_renames_after_establishment', format(
            'date: %s was established on %s, after %s', plenary_working_group_name(g.id), g.established_on,
            NEW.renamed_on));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER working_group_renames_rules BEFORE INSERT ON working_group_renames
    FOR EACH ROW EXECUTE FUNCTION plenary_working_group_rename_rules();
CREATE TRIGGER working_group_renames_kept BEFORE UPDATE OR DELETE ON working_group_renames
    FOR EACH ROW EXECUTE FUNCTION plenary_keep_history();

-- The rename row is the instrument; the group's current name follows from it.
CREATE FUNCTION plenary_working_group_rename_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE working_groups SET name = NEW.new_name WHERE id = NEW.working_group_id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER working_group_renames_apply AFTER INSERT ON working_group_renames
    FOR EACH ROW EXECUTE FUNCTION plenary_working_group_rename_apply();

CREATE TABLE working_group_meetings (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    working_group_id  bigint NOT NULL,
    -- The group's body, filled by the trigger: the calendar lock and the session checks are per body.
    body_id           bigint NOT NULL,
    number            integer NOT NULL,
    start_date        date NOT NULL,
    end_date          date NOT NULL,
    venue             text NOT NULL,
    timezone          text NOT NULL,
    -- Held in conjunction with this session of the body (its original part): the one case where a meeting may
    -- share days with a session.
    with_session_id   bigint REFERENCES sessions (id),
    status            text NOT NULL DEFAULT 'scheduled',
    status_reason     text,
    revision          integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT working_group_meetings_group_fkey FOREIGN KEY (working_group_id, body_id)
        REFERENCES working_groups (id, body_id),
    CONSTRAINT working_group_meetings_number_key UNIQUE (working_group_id, number),
    CONSTRAINT working_group_meetings_number_range CHECK (number BETWEEN 1 AND 9999),
    CONSTRAINT working_group_meetings_venue_not_blank CHECK (btrim(venue) <> '' AND length(venue) <= 200),
    CONSTRAINT working_group_meetings_timezone_valid CHECK (plenary_is_time_zone(timezone)),
    CONSTRAINT working_group_meetings_dates_ordered CHECK (end_date >= start_date),
    CONSTRAINT working_group_meetings_status_valid CHECK (status IN ('scheduled', 'cancelled')),
    CONSTRAINT working_group_meetings_reason_not_blank
        CHECK (status_reason IS NULL OR (btrim(status_reason) <> '' AND length(status_reason) <= 1000)),
    -- The meetings of one group never share a day. Different groups of a body may meet on the same days.
    CONSTRAINT working_group_meetings_no_overlap EXCLUDE USING gist (
        working_group_id WITH =, daterange(start_date, end_date, '[]') WITH &&) WHERE (status <> 'cancelled')
);

CREATE INDEX working_group_meetings_body_dates_idx ON working_group_meetings (body_id, start_date);

CREATE FUNCTION plenary_meeting_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g working_groups%ROWTYPE;
    this text;
    partner sessions%ROWTYPE;
    other record;
BEGIN
    SELECT * INTO g FROM working_groups WHERE id = NEW.working_group_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key names the missing group
    END IF;
    IF NEW.body_id IS NULL THEN
        NEW.body_id := g.body_id;
    END IF;
    PERFORM plenary_lock_calendar(g.body_id);
    IF NEW.timezone IS NULL THEN
        SELECT timezone INTO NEW.timezone FROM bodies WHERE id = g.body_id;
    END IF;
    this := 'meeting ' || NEW.number || ' of ' || plenary_working_group_name(g.id);
    IF TG_OP = 'INSERT' AND EXISTS (
        SELECT 1 FROM working_group_meetings WHERE working_group_id = NEW.working_group_id AND number = NEW.number)
    THEN
        PERFORM plenary_refuse('working_group_meetings_number_key', format(
            'number: %s already has meeting %s', plenary_working_group_name(g.id), NEW.number));
    END IF;

    IF TG_OP = 'UPDATE' THEN
        IF (NEW.working_group_id, NEW.body_id, NEW.number) IS DISTINCT FROM
            (OLD.working_group_id, OLD.body_id, OLD.number)
        THEN
            PERFORM plenary_refuse('working_group_meetings_identity_fixed', format(
                'number: %s keeps its group and number', this));
        END IF;
        IF OLD.status = 'cancelled' THEN
            PERFORM plenary_refuse('working_group_meetings_cancelled', format(
                'status: %s is cancelled; cancelled meetings cannot be rescheduled', this));
        END IF;
        IF (NEW.start_date, NEW.end_date, NEW.venue, NEW.timezone, NEW.with_session_id)
            IS DISTINCT FROM (OLD.start_date, OLD.end_date, OLD.venue, OLD.timezone, OLD.with_session_id)
        THEN
            NEW.revision := OLD.revision + 1;
        END IF;
        NEW.updated_at := now();
    END IF;

    IF NEW.status = 'cancelled' OR NEW.end_date < NEW.start_date THEN
        RETURN NEW;  -- reversed dates are left to working_group_meetings_dates_ordered
    END IF;
    IF g.established_on IS NOT NULL AND NEW.start_date < g.established_on THEN
        PERFORM plenary_refuse('working_group_meetings_after_establishment', format(
            'start: %s cannot start on %s; the group was established on %s', this, NEW.start_date, g.established_on));
    END IF;
    IF g.dissolved_on IS NOT NULL AND NEW.end_date > g.dissolved_on THEN
        PERFORM plenary_refuse('working_group_meetings_before_dissolution', format(
            'start: %s cannot meet until %s; the group was dissolved on %s', this, NEW.end_date, g.dissolved_on));
    END IF;
    IF NEW.with_session_id IS NOT NULL THEN
        SELECT * INTO partner FROM sessions WHERE id = NEW.with_session_id;
        IF partner.body_id <> NEW.body_id THEN
            PERFORM plenary_refuse('working_group_meetings_session_of_body', format(
                'with-session: %s can only be held in conjunction with a session of its own body', this));
        END IF;
        IF partner.status = 'cancelled'
            AND (TG_OP = 'INSERT' OR NEW.with_session_id IS DISTINCT FROM OLD.with_session_id)
        THEN
            PERFORM plenary_refuse('working_group_meetings_session_cancelled', format(
                'with-session: session %s was cancelled', partner.number));
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.start_date = OLD.start_date AND NEW.end_date = OLD.end_date
        AND NEW.with_session_id IS NOT DISTINCT FROM OLD.with_session_id
    THEN
        RETURN NEW;
    END IF;

    SELECT m.number, m.start_date, m.end_date INTO other FROM working_group_meetings m
    WHERE m.working_group_id = NEW.working_group_id AND m.status <> 'cancelled' AND m.id <> NEW.id
      AND daterange(m.start_date, m.end_date, '[]') && daterange(NEW.start_date, NEW.end_date, '[]')
    ORDER BY m.start_date LIMIT 1;
    IF FOUND THEN
        PERFORM plenary_refuse('working_group_meetings_overlap', format(
            'start: %s (%s to %s) would overlap meeting %s (%s to %s)', this, NEW.start_date, NEW.end_date,
            other.number, other.start_date, other.end_date));
    END IF;

    -- Numbers follow dates within the group, as for sessions.
    SELECT m.number, m.start_date INTO other FROM working_group_meetings m
    WHERE m.working_group_id = NEW.working_group_id AND m.status <> 'cancelled' AND m.id <> NEW.id
      AND ((m.number < NEW.number AND m.start_date >= NEW.start_date)
        OR (m.number > NEW.number AND m.start_date <= NEW.start_date))
    ORDER BY m.number LIMIT 1;
    IF FOUND THEN
        PERFORM plenary_refuse('working_group_meetings_number_order', format(
            'number: %s cannot start on %s; meeting %s starts on %s, and meetings are numbered in date order',
            this, NEW.start_date, other.number, other.start_date));
    END IF;

    SELECT s.number, s.part, s.start_date, s.end_date INTO other FROM sessions s
    WHERE s.body_id = NEW.body_id AND s.status <> 'cancelled'
      AND daterange(s.start_date, s.end_date, '[]') && daterange(NEW.start_date, NEW.end_date, '[]')
      AND s.number IS DISTINCT FROM partner.number
    ORDER BY s.start_date LIMIT 1;
    IF FOUND THEN
        PERFORM plenary_refuse('working_group_meetings_session_overlap', format(
            'start: %s (%s to %s) would overlap %s of %s (%s to %s); only a meeting held in conjunction with '
            'that session (with-session=%s) may', this, NEW.start_date, NEW.end_date,
            plenary_session_label(other.number, other.part), (SELECT code FROM bodies WHERE id = NEW.body_id),
            other.start_date, other.end_date, other.number));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER working_group_meetings_10_rules BEFORE INSERT OR UPDATE ON working_group_meetings
    FOR EACH ROW EXECUTE FUNCTION plenary_meeting_rules();
CREATE TRIGGER working_group_meetings_no_delete BEFORE DELETE ON working_group_meetings
    FOR EACH ROW EXECUTE FUNCTION plenary_keep_history();

-- The other side of the same rule: a session may not move onto the days of a meeting that is not held in
-- conjunction with it. Fires after sessions_10_rules, which took the calendar lock.
CREATE FUNCTION plenary_session_meeting_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    other record;
BEGIN
    IF NEW.status = 'cancelled' OR NEW.end_date < NEW.start_date
        OR (TG_OP = 'UPDATE' AND NEW.start_date = OLD.start_date AND NEW.end_date = OLD.end_date)
    THEN
        RETURN NEW;
    END IF;
    SELECT m.number, m.start_date, m.end_date, m.working_group_id INTO other FROM working_group_meetings m
    LEFT JOIN sessions partner ON partner.id = m.with_session_id
    WHERE m.body_id = NEW.body_id AND m.status <> 'cancelled'
      AND daterange(m.start_date, m.end_date, '[]') && daterange(NEW.start_date, NEW.end_date, '[]')
      AND partner.number IS DISTINCT FROM NEW.number
    ORDER BY m.start_date LIMIT 1;
    IF FOUND THEN
        PERFORM plenary_refuse('sessions_meeting_overlap', format(
            'start: %s of %s (%s to %s) would overlap meeting %s of %s (%s to %s), which is not held in '
            'conjunction with it', plenary_session_label(NEW.number, NEW.part),
            (SELECT code FROM bodies WHERE id = NEW.body_id), NEW.start_date, NEW.end_date, other.number,
            plenary_working_group_name(other.working_group_id), other.start_date, other.end_date));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sessions_20_meetings BEFORE INSERT OR UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION plenary_session_meeting_rules();
