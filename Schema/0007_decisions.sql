-- Decisions and resolutions of a body's sessions: drafts, adoption and numbering, frozen texts, lineage.
--
-- A decision or resolution is numbered `session/serial` (decision 4/4 is the fourth decision of the fourth
-- session), decisions and resolutions in separate series; a number may be split into lettered parts (49/221 A,
-- 49/221 B). A draft is tabled at a session, edited freely and adopted or withdrawn. Adoption takes the next serial
-- of its kind at that session from a counter row locked for the rest of the transaction, so numbers are gapless
-- however many adopt at once; a decision entered from history (`decision record`) brings its known number and
-- moves the counter past it. Once adopted, a row never changes again, whoever connects: the Conference corrects a
-- text by a later decision that amends or supersedes it, which decision_links records. Whether a decision is in
-- force, superseded or elapsed is derived from those links and its end date, never stored. Refusals carry SQLSTATE
-- PL551 (plenary_refuse, Schema/0004) and the contract's message, naming the key and the decision.

CREATE TABLE decisions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id         bigint NOT NULL REFERENCES bodies (id),
    kind            text NOT NULL,
    -- The session it belongs to; numbers are per session, whichever part of a resumed session adopted it.
    session_number  integer NOT NULL,
    -- The part it was tabled at while a draft, the part that adopted it afterwards.
    session_part    integer NOT NULL DEFAULT 1,
    stage           text NOT NULL DEFAULT 'draft',
    -- NULL until adopted; the trigger assigns it on adoption.
    serial          integer,
    -- '' for a whole number, A, B ... for the lettered parts of one (49/221 B).
    letter          text NOT NULL DEFAULT '',
    title           text NOT NULL,
    wording         text,
    -- `4`, `4 (a)`: the agenda item the draft was tabled under.
    agenda_item     text,
    -- The limited-distribution document that carries the draft, e.g. CTOC/COP/2008/L.5.
    document        text,
    adopted_on      date,
    -- The last day it applies, for a decision adopted for a period; it is elapsed after that day.
    ends_on         date,
    -- Entered from the record by `decision record` rather than adopted through Plenary.
    recorded        boolean NOT NULL DEFAULT false,
    withdrawn_reason text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    search          tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', coalesce(wording, '')), 'B')
    ) STORED,
    -- The session must be one of the decision's own body: the key carries the body.
    CONSTRAINT decisions_session_fkey FOREIGN KEY (body_id, session_number, session_part)
        REFERENCES sessions (body_id, number, part),
    CONSTRAINT decisions_number_key UNIQUE (body_id, kind, session_number, serial, letter),
    CONSTRAINT decisions_kind_valid CHECK (kind IN ('decision', 'resolution')),
    CONSTRAINT decisions_stage_valid CHECK (stage IN ('draft', 'adopted', 'withdrawn')),
    CONSTRAINT decisions_serial_range CHECK (serial BETWEEN 1 AND 9999),
    CONSTRAINT decisions_letter_format CHECK (letter ~ '^[A-Z]?$'),
    -- An adopted text has its number and its day; a draft or a withdrawn draft has neither.
    CONSTRAINT decisions_adoption_complete CHECK (
        (stage = 'adopted') = (serial IS NOT NULL) AND (stage = 'adopted') = (adopted_on IS NOT NULL)),
    CONSTRAINT decisions_letter_needs_number CHECK (letter = '' OR serial IS NOT NULL),
    CONSTRAINT decisions_recorded_is_adopted CHECK (NOT recorded OR stage = 'adopted'),
    CONSTRAINT decisions_title_not_blank CHECK (btrim(title) <> '' AND length(title) <= 1000),
    CONSTRAINT decisions_text_length CHECK (wording IS NULL OR length(wording) <= 200000),
    CONSTRAINT decisions_agenda_item_format
        CHECK (agenda_item IS NULL OR agenda_item ~ '^[1-9][0-9]{0,2}( \([a-z]{1,2}\))?$'),
    -- A draft circulates as a limited-distribution document: an `L.n` component, then modifiers at most.
    CONSTRAINT decisions_document_limited CHECK (document IS NULL OR (length(document) <= 200 AND document ~
        '^[A-Z][A-Za-z0-9.]*(/[A-Za-z0-9.]+)*/L\.[1-9][0-9]{0,3}(/(Rev|Corr|Add|Amend)\.[1-9][0-9]{0,2})*\*?$')),
    CONSTRAINT decisions_ends_after_adoption CHECK (ends_on IS NULL OR adopted_on IS NULL OR ends_on >= adopted_on),
    CONSTRAINT decisions_reason_not_blank
        CHECK (withdrawn_reason IS NULL OR (btrim(withdrawn_reason) <> '' AND length(withdrawn_reason) <= 1000))
);

CREATE INDEX decisions_session_idx ON decisions (body_id, session_number, kind, serial);
CREATE INDEX decisions_search_idx ON decisions USING gin (search);

-- The last serial given out per body, session and kind. Adoption increments it under its row lock; recording a
-- known number raises it past that number. Either way the lock is held to the end of the transaction, so two
-- adoptions at one session take turns and a rolled-back adoption gives its number back.
CREATE TABLE decision_counters (
    body_id         bigint NOT NULL REFERENCES bodies (id),
    session_number  integer NOT NULL,
    kind            text NOT NULL,
    last_serial     integer NOT NULL,
    PRIMARY KEY (body_id, session_number, kind),
    CONSTRAINT decision_counters_serial_range CHECK (last_serial BETWEEN 1 AND 9999)
);

-- `4/4`, `49/221 B`.
CREATE FUNCTION plenary_decision_number(session_number integer, serial integer, letter text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT session_number || '/' || serial || CASE WHEN letter <> '' THEN ' ' || letter ELSE '' END
$$;

-- `decision 4/4`: the form working groups record their instruments in (Schema/0005), so the two meet by text.
CREATE FUNCTION plenary_decision_reference(kind text, session_number integer, serial integer, letter text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT kind || ' ' || plenary_decision_number(session_number, serial, letter)
$$;

-- `decision 4/4 of CTOC/COP`, or `draft 17 (decision, session 4 of CTOC/COP)`: how messages name a decision.
CREATE FUNCTION plenary_decision_name(d decisions) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN d.serial IS NOT NULL
        THEN plenary_decision_reference(d.kind, d.session_number, d.serial, d.letter) || ' of ' || b.code
        ELSE 'draft ' || d.id || ' (' || d.kind || ', session ' || d.session_number || ' of ' || b.code || ')'
    END
    FROM bodies b WHERE b.id = d.body_id
$$;

CREATE FUNCTION plenary_decision_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    this text;
    body_code text;
    s sessions%ROWTYPE;
    taken decisions%ROWTYPE;
    parts text;
BEGIN
    SELECT code INTO body_code FROM bodies WHERE id = NEW.body_id;
    IF TG_OP = 'UPDATE' THEN
        this := plenary_decision_name(OLD);
        -- Frozen means frozen: an adopted text is corrected only by a later decision.
        IF OLD.stage = 'adopted' THEN
            PERFORM plenary_refuse('decisions_frozen', format('%s: %s was adopted on %s; %s',
                CASE
                    WHEN (NEW.body_id, NEW.kind, NEW.session_number, NEW.serial, NEW.letter)
                        IS DISTINCT FROM (OLD.body_id, OLD.kind, OLD.session_number, OLD.serial, OLD.letter)
                        THEN 'number'
                    WHEN NEW.title IS DISTINCT FROM OLD.title THEN 'title'
                    WHEN NEW.wording IS DISTINCT FROM OLD.wording THEN 'text'
                    WHEN NEW.adopted_on IS DISTINCT FROM OLD.adopted_on THEN 'adopted'
                    ELSE 'id'
                END,
                this, OLD.adopted_on,
                'an adopted text is frozen; a later decision amends or supersedes it'));
        END IF;
        IF OLD.stage = 'withdrawn' THEN
            PERFORM plenary_refuse('decisions_withdrawn', format(
                'id: %s was withdrawn; a withdrawn draft does not change', this));
        END IF;
        IF (NEW.body_id, NEW.kind, NEW.session_number) IS DISTINCT FROM (OLD.body_id, OLD.kind, OLD.session_number)
        THEN
            PERFORM plenary_refuse('decisions_identity_fixed', format(
                'kind: %s keeps its body, kind and session; withdraw it and table a new draft', this));
        END IF;
        IF NEW.recorded THEN
            PERFORM plenary_refuse('decisions_recorded_on_entry', format(
                'id: %s was tabled as a draft; only decision record enters a decision as recorded', this));
        END IF;
    ELSIF NEW.stage = 'withdrawn' THEN
        PERFORM plenary_refuse('decisions_stage_transition', 'id: only a draft can be withdrawn');
    END IF;

    -- A draft carries the body's own limited-distribution document.
    IF NEW.document IS NOT NULL AND NOT starts_with(NEW.document, body_code || '/') THEN
        PERFORM plenary_refuse('decisions_document_series', format(
            'document: %s is not a document of %s', NEW.document, body_code));
    END IF;

    IF NEW.stage = 'adopted' THEN
        -- Adoption (a draft's) or recording (an insert): the session decides. Its share lock keeps it from closing
        -- or moving until this transaction ends.
        SELECT * INTO s FROM sessions
        WHERE body_id = NEW.body_id AND number = NEW.session_number AND part = NEW.session_part FOR SHARE;
        IF NOT FOUND THEN
            RETURN NEW;  -- decisions_session_fkey names the missing session
        END IF;
        IF s.status NOT IN ('open', 'closed') THEN
            PERFORM plenary_refuse('decisions_session_status', format(
                'session: %s of %s is %s; decisions are adopted at an open session, or recorded once it has met',
                plenary_session_label(s.number, s.part), body_code, s.status));
        END IF;
        IF NEW.adopted_on IS NULL THEN
            RETURN NEW;  -- decisions_adoption_complete names it
        END IF;
        IF NEW.adopted_on NOT BETWEEN s.start_date AND s.end_date THEN
            PERFORM plenary_refuse('decisions_adoption_date', format(
                'date: %s is not a day of %s of %s (%s to %s)', NEW.adopted_on,
                plenary_session_label(s.number, s.part), body_code, s.start_date, s.end_date));
        END IF;

        IF TG_OP = 'UPDATE' THEN
            -- The number comes from the counter and nowhere else: gapless, and never chosen by the writer.
            IF NEW.serial IS NOT NULL OR NEW.letter <> '' THEN
                PERFORM plenary_refuse('decisions_number_assigned', format(
                    'number: adoption assigns the next number of %s; a known number is entered with decision record',
                    this));
            END IF;
            INSERT INTO decision_counters AS c (body_id, session_number, kind, last_serial)
            VALUES (NEW.body_id, NEW.session_number, NEW.kind, 1)
            ON CONFLICT (body_id, session_number, kind) DO UPDATE SET last_serial = c.last_serial + 1
            RETURNING c.last_serial INTO NEW.serial;
        ELSE
            IF NEW.serial IS NULL THEN
                RETURN NEW;  -- decisions_adoption_complete names it
            END IF;
            -- Taking the counter's lock first serialises recording with adoption at the same session.
            INSERT INTO decision_counters AS c (body_id, session_number, kind, last_serial)
            VALUES (NEW.body_id, NEW.session_number, NEW.kind, NEW.serial)
            ON CONFLICT (body_id, session_number, kind) DO UPDATE SET last_serial = greatest(c.last_serial, NEW.serial);
            SELECT * INTO taken FROM decisions
            WHERE body_id = NEW.body_id AND kind = NEW.kind AND session_number = NEW.session_number
              AND serial = NEW.serial AND letter = NEW.letter;
            IF FOUND THEN
                PERFORM plenary_refuse('decisions_number_key', format(
                    'number: %s is already taken ("%s", adopted on %s); a number is never given twice',
                    plenary_decision_name(taken), taken.title, taken.adopted_on));
            END IF;
            -- A number stands alone or is split into lettered parts, never both.
            SELECT string_agg(CASE WHEN letter = '' THEN '(whole)' ELSE letter END, ', ' ORDER BY letter) INTO parts
            FROM decisions
            WHERE body_id = NEW.body_id AND kind = NEW.kind AND session_number = NEW.session_number
              AND serial = NEW.serial AND (letter = '') <> (NEW.letter = '');
            IF parts IS NOT NULL THEN
                PERFORM plenary_refuse('decisions_number_parts', format(
                    'number: %s %s of %s is already entered as %s; a number stands alone or has lettered parts, '
                    'never both', NEW.kind, plenary_decision_number(NEW.session_number, NEW.serial, ''), body_code,
                    CASE WHEN NEW.letter = '' THEN 'parts ' || parts ELSE 'a whole number' END));
            END IF;
        END IF;
    ELSIF TG_OP = 'INSERT' OR NEW.session_part IS DISTINCT FROM OLD.session_part THEN
        -- A draft is tabled at a session that will take place or has; a cancelled one adopts nothing.
        SELECT * INTO s FROM sessions
        WHERE body_id = NEW.body_id AND number = NEW.session_number AND part = NEW.session_part;
        IF FOUND AND s.status = 'cancelled' THEN
            PERFORM plenary_refuse('decisions_session_status', format(
                'session: %s of %s was cancelled; it adopts nothing', plenary_session_label(s.number, s.part),
                body_code));
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER decisions_rules BEFORE INSERT OR UPDATE ON decisions
    FOR EACH ROW EXECUTE FUNCTION plenary_decision_rules();
-- Decisions are the body's record: never deleted, whatever stage (a draft is withdrawn instead).
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION plenary_keep_history();
CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions
    FOR EACH STATEMENT EXECUTE FUNCTION plenary_keep_history();

-- Lineage: what an adopted decision does to earlier decisions (amends, supersedes, recalls), to working groups
-- (establishes, renames, makes standing, dissolves: the group by its code, which never changes) and to documents
-- (considers: the symbol as text, since documents need not be registered). Links are history: never edited.
CREATE TABLE decision_links (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id         bigint NOT NULL REFERENCES decisions (id),
    -- The decision's body, filled by the trigger: working groups are named within it.
    body_id             bigint NOT NULL REFERENCES bodies (id),
    relation            text NOT NULL,
    target_decision_id  bigint REFERENCES decisions (id),
    wg_code             text,
    document            text,
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT decision_links_relation_valid CHECK (relation IN (
        'amends', 'supersedes', 'recalls', 'establishes', 'renames', 'makes-standing', 'dissolves', 'considers')),
    -- Each relation has exactly its own kind of target.
    CONSTRAINT decision_links_target_matches CHECK (
        (relation IN ('amends', 'supersedes', 'recalls')) = (target_decision_id IS NOT NULL)
        AND (relation IN ('establishes', 'renames', 'makes-standing', 'dissolves')) = (wg_code IS NOT NULL)
        AND (relation = 'considers') = (document IS NOT NULL)),
    CONSTRAINT decision_links_not_itself CHECK (target_decision_id IS DISTINCT FROM decision_id),
    CONSTRAINT decision_links_wg_fkey FOREIGN KEY (body_id, wg_code) REFERENCES working_groups (body_id, code),
    CONSTRAINT decision_links_document_format CHECK (document IS NULL OR (length(document) <= 200
        AND document ~ '^[A-Z][A-Za-z0-9.]*(/[A-Za-z0-9.()-]+)*\*?$'))
);

CREATE UNIQUE INDEX decision_links_decision_key ON decision_links (decision_id, relation, target_decision_id)
    WHERE target_decision_id IS NOT NULL;
CREATE UNIQUE INDEX decision_links_wg_key ON decision_links (decision_id, relation, wg_code)
    WHERE wg_code IS NOT NULL;
CREATE UNIQUE INDEX decision_links_document_key ON decision_links (decision_id, document)
    WHERE document IS NOT NULL;
-- A working group is established once.
CREATE UNIQUE INDEX decision_links_established_once ON decision_links (body_id, wg_code)
    WHERE relation = 'establishes';
CREATE INDEX decision_links_target_idx ON decision_links (target_decision_id) WHERE target_decision_id IS NOT NULL;
CREATE INDEX decision_links_wg_idx ON decision_links (body_id, wg_code) WHERE wg_code IS NOT NULL;

CREATE FUNCTION plenary_decision_link_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    source decisions%ROWTYPE;
    target decisions%ROWTYPE;
    g working_groups%ROWTYPE;
    reference text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM plenary_refuse('decision_links_kept', format(
            'decision_links: links are history and are never edited or deleted (%s refused)', TG_OP));
    END IF;
    SELECT * INTO source FROM decisions WHERE id = NEW.decision_id FOR SHARE;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key names it
    END IF;
    IF NEW.body_id IS NULL THEN
        NEW.body_id := source.body_id;
    ELSIF NEW.body_id <> source.body_id THEN
        PERFORM plenary_refuse('decision_links_body', format(
            'body: %s belongs to another body', plenary_decision_name(source)));
    END IF;
    IF source.stage <> 'adopted' THEN
        PERFORM plenary_refuse('decision_links_source_adopted', format(
            'number: %s is not adopted; only an adopted decision acts on anything', plenary_decision_name(source)));
    END IF;
    reference := plenary_decision_reference(source.kind, source.session_number, source.serial, source.letter);

    IF NEW.target_decision_id IS NOT NULL THEN
        SELECT * INTO target FROM decisions WHERE id = NEW.target_decision_id FOR SHARE;
        IF NOT FOUND THEN
            RETURN NEW;
        END IF;
        IF target.body_id <> source.body_id THEN
            PERFORM plenary_refuse('decision_links_body', format(
                '%s: %s is a decision of another body', NEW.relation, plenary_decision_name(target)));
        END IF;
        IF target.stage <> 'adopted' THEN
            PERFORM plenary_refuse('decision_links_target_adopted', format(
                '%s: %s is not adopted', NEW.relation, plenary_decision_name(target)));
        END IF;
        -- A decision acts on what came before it (or on the same day), never on a later one.
        IF target.adopted_on > source.adopted_on THEN
            PERFORM plenary_refuse('decision_links_order', format(
                '%s: %s (adopted on %s) cannot act on %s, adopted later, on %s', NEW.relation,
                plenary_decision_name(source), source.adopted_on, plenary_decision_name(target), target.adopted_on));
        END IF;
    END IF;

    IF NEW.wg_code IS NOT NULL THEN
        SELECT * INTO g FROM working_groups WHERE body_id = NEW.body_id AND code = NEW.wg_code;
        IF NOT FOUND THEN
            RETURN NEW;  -- decision_links_wg_fkey names it
        END IF;
        -- The working-groups module may already name the instrument; the two records must agree.
        IF NEW.relation = 'establishes' AND g.established_by IS NOT NULL AND g.established_by <> reference THEN
            PERFORM plenary_refuse('decision_links_wg_established_by', format(
                'establishes: %s was established by %s, not by %s', plenary_working_group_name(g.id),
                g.established_by, reference));
        END IF;
        IF NEW.relation = 'dissolves' AND g.dissolved_by IS NOT NULL AND g.dissolved_by <> reference THEN
            PERFORM plenary_refuse('decision_links_wg_dissolved_by', format(
                'dissolves: %s was dissolved by %s, not by %s', plenary_working_group_name(g.id), g.dissolved_by,
                reference));
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER decision_links_rules BEFORE INSERT OR UPDATE OR DELETE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION plenary_decision_link_rules();
CREATE TRIGGER decision_links_no_truncate BEFORE TRUNCATE ON decision_links
    FOR EACH STATEMENT EXECUTE FUNCTION plenary_keep_history();

-- Where a decision stands on `on_day`, derived and never stored: draft or withdrawn; not yet adopted; superseded
-- from the day a later decision superseding it was adopted; elapsed the day after its end date; otherwise in force.
-- Whichever of superseded and elapsed came first is what it became.
CREATE FUNCTION plenary_decision_status(d decisions, on_day date) RETURNS text LANGUAGE sql STABLE AS $$
    WITH superseded AS (
        SELECT min(s.adopted_on) AS since FROM decision_links l JOIN decisions s ON s.id = l.decision_id
        WHERE l.target_decision_id = d.id AND l.relation = 'supersedes' AND s.adopted_on <= on_day
    )
    SELECT CASE
        WHEN d.stage <> 'adopted' THEN d.stage
        WHEN d.adopted_on > on_day THEN 'not-yet-adopted'
        WHEN superseded.since IS NOT NULL AND (d.ends_on IS NULL OR superseded.since <= d.ends_on) THEN 'superseded'
        WHEN d.ends_on < on_day THEN 'elapsed'
        ELSE 'in-force'
    END
    FROM superseded
$$;

-- Every act of a decision on a working group: the links entered here, and the instruments the working-groups
-- module recorded (Schema/0005: established_by, each rename's by_reference, dissolved_by), matched to the
-- decision they name. A view, so a change to those columns cannot pass unnoticed.
CREATE VIEW decision_working_group_acts AS
    SELECT l.decision_id, l.body_id, l.wg_code, l.relation AS act
    FROM decision_links l WHERE l.wg_code IS NOT NULL
    UNION
    SELECT d.id, g.body_id, g.code, 'establishes'
    FROM working_groups g JOIN decisions d ON d.body_id = g.body_id AND d.stage = 'adopted'
        AND plenary_decision_reference(d.kind, d.session_number, d.serial, d.letter) = g.established_by
    UNION
    SELECT d.id, g.body_id, g.code, 'renames'
    FROM working_group_renames r JOIN working_groups g ON g.id = r.working_group_id
    JOIN decisions d ON d.body_id = g.body_id AND d.stage = 'adopted'
        AND plenary_decision_reference(d.kind, d.session_number, d.serial, d.letter) = r.by_reference
    UNION
    SELECT d.id, g.body_id, g.code, 'dissolves'
    FROM working_groups g JOIN decisions d ON d.body_id = g.body_id AND d.stage = 'adopted'
        AND plenary_decision_reference(d.kind, d.session_number, d.serial, d.letter) = g.dissolved_by;
