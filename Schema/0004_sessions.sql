-- Sessions of a body and their agendas.
--
-- A session is numbered per body (1, 2, 3 ...). A resumed session keeps its number and is a later part of it: part 1
-- is the original, parts 2, 3 ... its resumptions, so (body, number, part) is the key. The scheduling rules are held
-- here as well as in Swift: CHECKs for the shape of a row, an exclusion constraint so that two sessions of one body
-- never share a day, and a trigger for what no constraint can say (numbers follow dates, the status moves only along
-- its transitions, closed and cancelled sessions keep their dates). Trigger refusals carry SQLSTATE PL551 and the
-- contract's message, which the services pass on unchanged as 551 CONFLICT.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Refuses a change with the contract's message: SQLSTATE PL551 (551 CONFLICT), the rule's name as the constraint.
CREATE FUNCTION plenary_refuse(rule text, message text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'PL551', CONSTRAINT = rule, MESSAGE = message;
END;
$$;

-- Every change to the dates of a body's sessions and meetings takes this row lock on the body first, so two
-- transactions that each ask "is anything else on these days?" take turns instead of both passing. NO KEY UPDATE
-- leaves the foreign-key locks other tables take on the body free. Returns the body's code, for messages.
CREATE FUNCTION plenary_lock_calendar(body bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    found_code text;
BEGIN
    SELECT code INTO found_code FROM bodies WHERE id = body FOR NO KEY UPDATE;
    RETURN found_code;
END;
$$;

-- `session 4`, `session 4 (part 2)`: how messages name a session.
CREATE FUNCTION plenary_session_label(number integer, part integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'session ' || number || CASE WHEN part > 1 THEN ' (part ' || part || ')' ELSE '' END
$$;

CREATE TABLE sessions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id        bigint NOT NULL REFERENCES bodies (id),
    number         integer NOT NULL,
    part           integer NOT NULL DEFAULT 1,
    -- The part a resumption continues, NULL for an original: the foreign key below makes part n need part n - 1.
    resumes_part   integer GENERATED ALWAYS AS (CASE WHEN part > 1 THEN part - 1 END) STORED,
    kind           text NOT NULL DEFAULT 'regular',
    title          text,
    venue          text NOT NULL,
    -- Filled with the body's zone by the trigger when left out.
    timezone       text NOT NULL,
    format         text NOT NULL DEFAULT 'in-person',
    start_date     date NOT NULL,
    end_date       date NOT NULL,
    status         text NOT NULL DEFAULT 'scheduled',
    -- Why the session reached its current status (postponed, cancelled ...), when a reason was given.
    status_reason  text,
    -- Counts changes of date, venue, zone or format: the iCalendar SEQUENCE, so calendar programs take the update.
    revision       integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sessions_number_key UNIQUE (body_id, number, part),
    CONSTRAINT sessions_resumes_fkey FOREIGN KEY (body_id, number, resumes_part)
        REFERENCES sessions (body_id, number, part),
    CONSTRAINT sessions_number_range CHECK (number BETWEEN 1 AND 9999),
    CONSTRAINT sessions_part_range CHECK (part BETWEEN 1 AND 99),
    CONSTRAINT sessions_kind_valid CHECK (kind IN ('regular', 'special', 'resumed')),
    -- Every later part is a resumption, and only a later part is.
    CONSTRAINT sessions_resumed_is_later_part CHECK ((kind = 'resumed') = (part > 1)),
    CONSTRAINT sessions_title_not_blank CHECK (title IS NULL OR (btrim(title) <> '' AND length(title) <= 500)),
    CONSTRAINT sessions_venue_not_blank CHECK (btrim(venue) <> '' AND length(venue) <= 200),
    CONSTRAINT sessions_timezone_valid CHECK (plenary_is_time_zone(timezone)),
    CONSTRAINT sessions_format_valid CHECK (format IN ('in-person', 'hybrid', 'online')),
    CONSTRAINT sessions_dates_ordered CHECK (end_date >= start_date),
    CONSTRAINT sessions_status_valid CHECK (status IN ('scheduled', 'open', 'closed', 'postponed', 'cancelled')),
    CONSTRAINT sessions_reason_not_blank
        CHECK (status_reason IS NULL OR (btrim(status_reason) <> '' AND length(status_reason) <= 1000)),
    -- Two sessions of one body never share a day, whoever writes and however many write at once. Every part
    -- counts: a resumption starts after the part before it ended, so parts have no reason to share a day either.
    -- A cancelled session gives its days back; a postponed one holds them until it is rescheduled.
    CONSTRAINT sessions_no_overlap EXCLUDE USING gist (
        body_id WITH =, daterange(start_date, end_date, '[]') WITH &&) WHERE (status <> 'cancelled')
);

CREATE INDEX sessions_body_dates_idx ON sessions (body_id, start_date);

CREATE FUNCTION plenary_session_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    body_code text;
    this text;
    other sessions%ROWTYPE;
BEGIN
    body_code := plenary_lock_calendar(NEW.body_id);
    IF body_code IS NULL THEN
        RETURN NEW;  -- the foreign key names the missing body
    END IF;
    IF NEW.timezone IS NULL THEN
        SELECT timezone INTO NEW.timezone FROM bodies WHERE id = NEW.body_id;
    END IF;
    this := plenary_session_label(NEW.number, NEW.part) || ' of ' || body_code;

    -- sessions_number_key has the last word; saying it here first names the rule before any date rule trips.
    IF TG_OP = 'INSERT' AND EXISTS (
        SELECT 1 FROM sessions WHERE body_id = NEW.body_id AND number = NEW.number AND part = NEW.part)
    THEN
        PERFORM plenary_refuse('sessions_number_key', format(
            'number: %s already has session %s; a resumption is scheduled with kind=resumed', body_code, NEW.number));
    END IF;

    IF TG_OP = 'INSERT' AND NEW.part > 1 THEN
        SELECT * INTO other FROM sessions
        WHERE body_id = NEW.body_id AND number = NEW.number AND part = NEW.part - 1;
        IF FOUND AND other.status = 'cancelled' THEN
            PERFORM plenary_refuse('sessions_resume_cancelled', format(
                'kind: %s of %s was cancelled and cannot be resumed',
                plenary_session_label(other.number, other.part), body_code));
        END IF;
    END IF;

    IF TG_OP = 'UPDATE' THEN
        IF (NEW.body_id, NEW.number, NEW.part, NEW.kind) IS DISTINCT FROM (OLD.body_id, OLD.number, OLD.part, OLD.kind)
        THEN
            PERFORM plenary_refuse('sessions_identity_fixed', format(
                'number: %s keeps its body, number, part and kind', this));
        END IF;
        IF NEW.status <> OLD.status AND (OLD.status, NEW.status) NOT IN (
            ('scheduled', 'open'), ('open', 'closed'), ('scheduled', 'postponed'), ('scheduled', 'cancelled'),
            ('postponed', 'cancelled'), ('postponed', 'scheduled'))
        THEN
            PERFORM plenary_refuse('sessions_status_transition', format('status: %s is %s; %s', this, OLD.status,
                CASE NEW.status
                    WHEN 'open' THEN 'only a scheduled session can open'
                    WHEN 'closed' THEN 'only an open session can close'
                    WHEN 'postponed' THEN 'only a scheduled session can be postponed'
                    WHEN 'cancelled' THEN 'only a scheduled or postponed session can be cancelled'
                    ELSE 'only a postponed session returns to scheduled, by being rescheduled'
                END));
        END IF;
        IF OLD.status = 'postponed' AND NEW.status = 'scheduled'
            AND (NEW.start_date, NEW.end_date) = (OLD.start_date, OLD.end_date)
        THEN
            PERFORM plenary_refuse('sessions_status_transition', format(
                'start: %s is postponed; it returns to scheduled only with new dates', this));
        END IF;
        IF (NEW.start_date, NEW.end_date, NEW.venue, NEW.timezone, NEW.format)
            IS DISTINCT FROM (OLD.start_date, OLD.end_date, OLD.venue, OLD.timezone, OLD.format)
        THEN
            IF OLD.status IN ('closed', 'cancelled') THEN
                PERFORM plenary_refuse('sessions_reschedule', format(
                    'status: %s is %s; closed and cancelled sessions cannot be rescheduled', this, OLD.status));
            END IF;
            -- A session is often extended while it sits, never moved once it has begun.
            IF OLD.status = 'open' AND NEW.start_date <> OLD.start_date THEN
                PERFORM plenary_refuse('sessions_reschedule', format(
                    'start: %s is open since %s; only its end can move', this, OLD.start_date));
            END IF;
            NEW.revision := OLD.revision + 1;
        END IF;
        NEW.updated_at := now();
    END IF;

    -- Dates only matter while the session holds them, and only need checking when they are new. Reversed dates
    -- are left to sessions_dates_ordered, which names them (a range cannot even be built from them).
    IF NEW.status = 'cancelled' OR NEW.end_date < NEW.start_date
        OR (TG_OP = 'UPDATE' AND NEW.start_date = OLD.start_date AND NEW.end_date = OLD.end_date)
    THEN
        RETURN NEW;
    END IF;

    SELECT * INTO other FROM sessions s
    WHERE s.body_id = NEW.body_id AND s.status <> 'cancelled' AND s.id <> NEW.id
      AND daterange(s.start_date, s.end_date, '[]') && daterange(NEW.start_date, NEW.end_date, '[]')
    ORDER BY s.start_date LIMIT 1;
    IF FOUND THEN
        PERFORM plenary_refuse('sessions_overlap', format('start: %s (%s to %s) would overlap %s (%s to %s, %s)',
            this, NEW.start_date, NEW.end_date, plenary_session_label(other.number, other.part), other.start_date,
            other.end_date, other.status));
    END IF;

    -- Numbers follow dates: among the originals (part 1) of a body, a higher number never starts earlier.
    IF NEW.part = 1 THEN
        SELECT * INTO other FROM sessions s
        WHERE s.body_id = NEW.body_id AND s.part = 1 AND s.status <> 'cancelled' AND s.id <> NEW.id
          AND s.number < NEW.number AND s.start_date >= NEW.start_date
        ORDER BY s.number DESC LIMIT 1;
        IF FOUND THEN
            PERFORM plenary_refuse('sessions_number_order', format(
                'number: %s cannot start on %s, before session %s (which starts on %s); sessions are numbered in '
                'date order', this, NEW.start_date, other.number, other.start_date));
        END IF;
        SELECT * INTO other FROM sessions s
        WHERE s.body_id = NEW.body_id AND s.part = 1 AND s.status <> 'cancelled' AND s.id <> NEW.id
          AND s.number > NEW.number AND s.start_date <= NEW.start_date
        ORDER BY s.number LIMIT 1;
        IF FOUND THEN
            PERFORM plenary_refuse('sessions_number_order', format(
                'number: %s cannot start on %s, after session %s (which starts on %s); sessions are numbered in '
                'date order', this, NEW.start_date, other.number, other.start_date));
        END IF;
    END IF;

    -- Parts follow each other: a resumption starts after the part it resumes.
    SELECT * INTO other FROM sessions s
    WHERE s.body_id = NEW.body_id AND s.number = NEW.number AND s.status <> 'cancelled' AND s.id <> NEW.id
      AND ((s.part < NEW.part AND s.start_date >= NEW.start_date)
        OR (s.part > NEW.part AND s.start_date <= NEW.start_date))
    ORDER BY s.part LIMIT 1;
    IF FOUND THEN
        PERFORM plenary_refuse('sessions_part_order', format(
            'start: %s cannot start on %s; part %s starts on %s, and the parts of a session follow each other',
            this, NEW.start_date, other.part, other.start_date));
    END IF;
    RETURN NEW;
END;
$$;

-- Named so it fires before the triggers later migrations add (they rely on the calendar lock taken here).
CREATE TRIGGER sessions_10_rules BEFORE INSERT OR UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION plenary_session_rules();

CREATE FUNCTION plenary_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plenary_refuse(TG_TABLE_NAME || '_kept', format(
        '%s: rows are history and are never deleted or rewritten (%s refused)', TG_TABLE_NAME, TG_OP));
    RETURN NULL;
END;
$$;

-- A session that will not take place is cancelled, never deleted: documents and decisions refer to it.
CREATE TRIGGER sessions_no_delete BEFORE DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION plenary_keep_history();

-- The agenda of a session (of its original part: resumptions continue the same agenda). Items are numbered; a
-- sub-item such as 4 (a) is item 4 with sub 'a', and needs item 4 to exist.
CREATE TABLE agenda_items (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id  bigint NOT NULL REFERENCES sessions (id),
    item        integer NOT NULL,
    -- '' for an item, a letter for a sub-item.
    sub         text NOT NULL DEFAULT '',
    -- '' for a sub-item (its parent's sub), NULL for an item: the foreign key below makes 4 (a) need 4.
    parent_sub  text GENERATED ALWAYS AS (CASE WHEN sub <> '' THEN '' END) STORED,
    title       text NOT NULL,
    -- When an amendment of the adopted agenda last changed or added the item.
    amended_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agenda_items_key UNIQUE (session_id, item, sub),
    CONSTRAINT agenda_items_parent_fkey FOREIGN KEY (session_id, item, parent_sub)
        REFERENCES agenda_items (session_id, item, sub),
    CONSTRAINT agenda_items_item_range CHECK (item BETWEEN 1 AND 999),
    CONSTRAINT agenda_items_sub_format CHECK (sub ~ '^([a-z]{1,2})?$'),
    CONSTRAINT agenda_items_title_not_blank CHECK (btrim(title) <> '' AND length(title) <= 1000)
);

-- An agenda is provisional until it has a row here; from then on it changes only by amendment.
CREATE TABLE agenda_adoptions (
    session_id  bigint PRIMARY KEY REFERENCES sessions (id),
    -- The day the body adopted it, within the session's dates.
    adopted_on  date NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- `session 4 of CTOC/COP`, for the agenda's messages.
CREATE FUNCTION plenary_session_name(session bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT plenary_session_label(s.number, s.part) || ' of ' || b.code
    FROM sessions s JOIN bodies b ON b.id = s.body_id WHERE s.id = session
$$;

CREATE FUNCTION plenary_agenda_item_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.session_id ELSE NEW.session_id END;
    session_status text;
    adopted date;
BEGIN
    -- A share lock on the session: adopting takes a stronger one, so no item slips in while the agenda is adopted.
    SELECT status INTO session_status FROM sessions WHERE id = target FOR SHARE;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key names the missing session
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.session_id, NEW.item, NEW.sub) IS DISTINCT FROM (OLD.session_id, OLD.item, OLD.sub)
    THEN
        PERFORM plenary_refuse('agenda_items_identity_fixed', format(
            'item: an agenda item keeps its session and number (%s)', plenary_session_name(target)));
    END IF;
    IF TG_OP = 'INSERT' AND session_status = 'cancelled' THEN
        PERFORM plenary_refuse('agenda_items_session_cancelled', format(
            'session: %s is cancelled; its agenda takes no items', plenary_session_name(target)));
    END IF;
    SELECT adopted_on INTO adopted FROM agenda_adoptions WHERE session_id = target;
    IF adopted IS NOT NULL THEN
        -- The amendment path says so for this transaction only (set_config(..., true)); anything else is refused.
        IF current_setting('plenary.agenda_amendment', true) IS DISTINCT FROM target::text THEN
            PERFORM plenary_refuse('agenda_items_adopted', format(
                'item: the agenda of %s was adopted on %s; it changes only by agenda amend',
                plenary_session_name(target), adopted));
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        NEW.amended_at := now();
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER agenda_items_rules BEFORE INSERT OR UPDATE OR DELETE ON agenda_items
    FOR EACH ROW EXECUTE FUNCTION plenary_agenda_item_rules();

CREATE FUNCTION plenary_agenda_adoption_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM plenary_refuse('agenda_adoptions_final', format(
            'session: the agenda of %s stays adopted; amend it with agenda amend',
            plenary_session_name(OLD.session_id)));
    END IF;
    SELECT * INTO s FROM sessions WHERE id = NEW.session_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN NEW;
    END IF;
    IF s.part <> 1 THEN
        PERFORM plenary_refuse('agenda_adoptions_original_part', format(
            'session: %s continues the agenda of session %s', plenary_session_name(s.id), s.number));
    END IF;
    -- The body adopts its agenda at the session itself (or, entering history, a session already closed).
    IF s.status NOT IN ('open', 'closed') THEN
        PERFORM plenary_refuse('agenda_adoptions_session_status', format(
            'session: %s is %s; an agenda is adopted at the session, once it is open', plenary_session_name(s.id),
            s.status));
    END IF;
    IF NEW.adopted_on NOT BETWEEN s.start_date AND s.end_date THEN
        PERFORM plenary_refuse('agenda_adoptions_date', format(
            'date: %s is not a day of %s (%s to %s)', NEW.adopted_on, plenary_session_name(s.id), s.start_date,
            s.end_date));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM agenda_items WHERE session_id = NEW.session_id) THEN
        PERFORM plenary_refuse('agenda_adoptions_empty', format(
            'session: the agenda of %s has no items to adopt', plenary_session_name(s.id)));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER agenda_adoptions_rules BEFORE INSERT OR UPDATE OR DELETE ON agenda_adoptions
    FOR EACH ROW EXECUTE FUNCTION plenary_agenda_adoption_rules();
