-- A record that stays right (issue 17): references that must point at something, and corrections made on the
-- record instead of in place.
--
-- References. An agenda item a document or a draft names must be on the agenda of its session (of the session's
-- original part, which carries the agenda for every part); a draft's document must be a registered
-- limited-distribution document of the draft's own session; a meeting held in conjunction with a session must be
-- held at it: its days lie within the session's, or at most `plenary_conjunction_days()` before it opens or after
-- it closes (pre-sessional meetings are held the week before; a group may meet the days after). Decisions entered
-- from the record (`decision record`) may cite what the registry never held, as decision links may: the registry
-- does not hold the whole past.
--
-- Corrections. A provisional agenda item may be removed (never one a document or a draft names, never on an adopted
-- agenda: 0004 keeps that); a document may be withdrawn (its symbol stays taken, marked, and it leaves every
-- report); the dissolution date of a group may be corrected; each is an audited change with its reason.

-- How many days before a session opens or after it closes a meeting held in conjunction with it may fall.
CREATE FUNCTION plenary_conjunction_days() RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT 7 $$;

-- `4`, `4 (a)`, `4(a)` on the agenda of the session `session` belongs to (its original part).
CREATE FUNCTION plenary_agenda_has_item(session bigint, label text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM sessions s
        JOIN sessions original ON original.body_id = s.body_id AND original.number = s.number AND original.part = 1
        JOIN agenda_items a ON a.session_id = original.id
        CROSS JOIN LATERAL (SELECT regexp_match(label, '^([0-9]+) ?(?:\(([a-z]{1,2})\))?$') AS m) parsed
        WHERE s.id = session AND a.item = (parsed.m)[1]::integer AND a.sub = coalesce((parsed.m)[2], ''))
$$;

-- Withdrawn documents: kept, symbol and all, with the day and the reason; out of every report.
ALTER TABLE documents
    ADD COLUMN withdrawn_on date,
    ADD COLUMN withdrawn_reason text,
    ADD CONSTRAINT documents_withdrawal_complete CHECK ((withdrawn_on IS NULL) = (withdrawn_reason IS NULL)),
    ADD CONSTRAINT documents_withdrawn_reason_not_blank
        CHECK (withdrawn_reason IS NULL
            OR (NOT plenary_is_blank(withdrawn_reason) AND length(withdrawn_reason) <= 1000));

CREATE FUNCTION plenary_document_record_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    label text;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.withdrawn_on IS NOT NULL THEN
        IF (NEW.withdrawn_on, NEW.withdrawn_reason) IS DISTINCT FROM (OLD.withdrawn_on, OLD.withdrawn_reason) THEN
            PERFORM plenary_refuse('documents_withdrawal_final', format(
                'symbol: %s was withdrawn on %s; the withdrawal stands', OLD.symbol, OLD.withdrawn_on));
        END IF;
    END IF;
    IF NEW.session_id IS NOT NULL
        AND (TG_OP = 'INSERT' OR NEW.agenda_items IS DISTINCT FROM OLD.agenda_items)
    THEN
        FOREACH label IN ARRAY NEW.agenda_items LOOP
            IF NOT plenary_agenda_has_item(NEW.session_id, label) THEN
                PERFORM plenary_refuse('documents_agenda_item_exists', format(
                    'agenda-item: %s is not an item of the agenda of %s; add it with agenda add first', label,
                    plenary_session_name(NEW.session_id)));
            END IF;
        END LOOP;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER documents_20_record BEFORE INSERT OR UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION plenary_document_record_rules();

-- A document is issued when a language version is: `issued_on` on the document without any issued version would
-- report as issued a text no one can read. Checked at commit, since versions are written after their document.
CREATE FUNCTION plenary_document_issued_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d documents%ROWTYPE;
BEGIN
    SELECT * INTO d FROM documents WHERE id = NEW.id;
    IF d.issued_on IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM document_versions v WHERE v.document_id = d.id AND v.status = 'issued')
    THEN
        PERFORM plenary_refuse('documents_issued_in_a_language', format(
            'date: %s cannot be issued on %s while no language version is issued', d.symbol, d.issued_on));
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER documents_30_issued AFTER INSERT OR UPDATE ON documents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION plenary_document_issued_rules();

-- A draft's references: its agenda item on its session's agenda, its document a registered L document of its own
-- session (any part of it).
CREATE FUNCTION plenary_decision_reference_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s sessions%ROWTYPE;
    doc documents%ROWTYPE;
    doc_session sessions%ROWTYPE;
BEGIN
    IF NEW.recorded THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.stage = 'adopted' THEN
        RETURN NEW;  -- an adopted text is frozen: decisions_rules (0007) refuses any change and says so
    END IF;
    SELECT * INTO s FROM sessions
    WHERE body_id = NEW.body_id AND number = NEW.session_number AND part = NEW.session_part;
    IF NOT FOUND THEN
        RETURN NEW;  -- decisions_session_fkey names it
    END IF;
    IF NEW.agenda_item IS NOT NULL
        AND (TG_OP = 'INSERT' OR NEW.agenda_item IS DISTINCT FROM OLD.agenda_item)
        AND NOT plenary_agenda_has_item(s.id, NEW.agenda_item)
    THEN
        PERFORM plenary_refuse('decisions_agenda_item_exists', format(
            'agenda-item: %s is not an item of the agenda of %s', NEW.agenda_item, plenary_session_name(s.id)));
    END IF;
    -- A malformed symbol is left to decisions_document_limited (0007), which names it.
    IF NEW.document IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.document IS DISTINCT FROM OLD.document)
        AND NEW.document ~ '/L\.[1-9][0-9]{0,3}(/(Rev|Corr|Add|Amend)\.[1-9][0-9]{0,2})*\*?$'
    THEN
        SELECT * INTO doc FROM documents WHERE symbol = rtrim(NEW.document, '*');
        IF NOT FOUND THEN
            PERFORM plenary_refuse('decisions_document_exists', format(
                'document: %s is not registered; allocate it with doc allocate series=L first', NEW.document));
        END IF;
        SELECT * INTO doc_session FROM sessions WHERE id = doc.session_id;
        IF doc.distribution <> 'limited' OR doc_session.id IS NULL OR doc_session.body_id <> s.body_id
            OR doc_session.number <> s.number
        THEN
            PERFORM plenary_refuse('decisions_document_of_session', format(
                'document: %s is not a limited-distribution document of session %s', doc.symbol, s.number));
        END IF;
        IF doc.withdrawn_on IS NOT NULL AND TG_OP = 'INSERT' AND NOT plenary_importing() THEN
            PERFORM plenary_refuse('decisions_document_withdrawn', format(
                'document: %s was withdrawn on %s', doc.symbol, doc.withdrawn_on));
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER decisions_20_references BEFORE INSERT OR UPDATE ON decisions
    FOR EACH ROW EXECUTE FUNCTION plenary_decision_reference_rules();

-- An item named by a document or a draft stays on the agenda: remove the reference first.
CREATE FUNCTION plenary_agenda_item_removal_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    label text := OLD.item || CASE WHEN OLD.sub <> '' THEN ' (' || OLD.sub || ')' ELSE '' END;
    s sessions%ROWTYPE;
    symbol text;
BEGIN
    SELECT * INTO s FROM sessions WHERE id = OLD.session_id;
    SELECT d.symbol INTO symbol FROM documents d JOIN sessions ds ON ds.id = d.session_id
    WHERE ds.body_id = s.body_id AND ds.number = s.number
      AND EXISTS (SELECT 1 FROM unnest(d.agenda_items) i WHERE replace(i, ' ', '') = replace(label, ' ', ''))
    ORDER BY d.sort_key LIMIT 1;
    IF FOUND THEN
        PERFORM plenary_refuse('agenda_items_referenced', format(
            'item: %s of the agenda of %s is named by document %s; it stays on the agenda', label,
            plenary_session_name(s.id), symbol));
    END IF;
    IF EXISTS (SELECT 1 FROM decisions d WHERE d.body_id = s.body_id AND d.session_number = s.number
        AND replace(d.agenda_item, ' ', '') = replace(label, ' ', ''))
    THEN
        PERFORM plenary_refuse('agenda_items_referenced', format(
            'item: %s of the agenda of %s is named by a draft or decision; it stays on the agenda', label,
            plenary_session_name(s.id)));
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER agenda_items_20_removal BEFORE DELETE ON agenda_items
    FOR EACH ROW EXECUTE FUNCTION plenary_agenda_item_removal_rules();

-- Meetings of a dissolved group, and meetings held in conjunction with a session. Named to fire before
-- working_group_meetings_10_rules, so its older message (which put the dates the wrong way round) is not reached.
CREATE FUNCTION plenary_meeting_record_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g working_groups%ROWTYPE;
    partner sessions%ROWTYPE;
    this text;
BEGIN
    IF NEW.status = 'cancelled' OR NEW.end_date < NEW.start_date THEN
        RETURN NEW;
    END IF;
    SELECT * INTO g FROM working_groups WHERE id = NEW.working_group_id;
    IF NOT FOUND THEN
        RETURN NEW;
    END IF;
    this := 'meeting ' || NEW.number || ' of ' || plenary_working_group_name(g.id);
    IF g.dissolved_on IS NOT NULL AND NEW.end_date > g.dissolved_on THEN
        PERFORM plenary_refuse('working_group_meetings_before_dissolution', format(
            'end: %s would end on %s, after the group was dissolved on %s; a dissolved group does not meet', this,
            NEW.end_date, g.dissolved_on));
    END IF;
    IF NEW.with_session_id IS NOT NULL AND (TG_OP = 'INSERT'
        OR (NEW.start_date, NEW.end_date, NEW.with_session_id)
            IS DISTINCT FROM (OLD.start_date, OLD.end_date, OLD.with_session_id))
    THEN
        SELECT * INTO partner FROM sessions WHERE id = NEW.with_session_id;
        IF FOUND AND (NEW.start_date < partner.start_date - plenary_conjunction_days()
            OR NEW.end_date > partner.end_date + plenary_conjunction_days())
        THEN
            PERFORM plenary_refuse('working_group_meetings_conjunction', format(
                'with-session: %s (%s to %s) is not held in conjunction with %s (%s to %s): it must fall within the '
                'session''s days or at most %s days before or after them', this, NEW.start_date, NEW.end_date,
                plenary_session_name(partner.id), partner.start_date, partner.end_date, plenary_conjunction_days()));
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER working_group_meetings_05_record BEFORE INSERT OR UPDATE ON working_group_meetings
    FOR EACH ROW EXECUTE FUNCTION plenary_meeting_record_rules();

-- The other side: a session does not move away from a meeting held in conjunction with it.
CREATE FUNCTION plenary_session_conjunction_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    m record;
BEGIN
    IF (NEW.start_date, NEW.end_date) = (OLD.start_date, OLD.end_date) OR NEW.status = 'cancelled' THEN
        RETURN NEW;
    END IF;
    SELECT w.number, w.start_date, w.end_date, w.working_group_id INTO m FROM working_group_meetings w
    WHERE w.with_session_id = NEW.id AND w.status <> 'cancelled'
      AND (w.start_date < NEW.start_date - plenary_conjunction_days()
        OR w.end_date > NEW.end_date + plenary_conjunction_days())
    ORDER BY w.start_date LIMIT 1;
    IF FOUND THEN
        PERFORM plenary_refuse('sessions_conjunction', format(
            'start: %s (%s to %s) would leave meeting %s of %s (%s to %s), held in conjunction with it, more than '
            '%s days away; move or cancel the meeting first', plenary_session_name(NEW.id), NEW.start_date,
            NEW.end_date, m.number, plenary_working_group_name(m.working_group_id), m.start_date, m.end_date,
            plenary_conjunction_days()));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sessions_30_conjunction BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION plenary_session_conjunction_rules();

-- Corrections of a group's dissolution: only through `wg correct-dissolution`, which says so for its transaction
-- (set_config('plenary.correction', 'wg-dissolution', true)) and writes the audit row with the reason. Everything
-- else about a dissolved group stays as 0005 holds it. This replaces 0005's function with the one exception added.
CREATE OR REPLACE FUNCTION plenary_working_group_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    this text := plenary_working_group_name(OLD.id);
    latest working_group_renames%ROWTYPE;
    clash record;
    correcting boolean := current_setting('plenary.correction', true) IS NOT DISTINCT FROM 'wg-dissolution';
BEGIN
    PERFORM plenary_lock_calendar(OLD.body_id);
    IF (NEW.body_id, NEW.code) IS DISTINCT FROM (OLD.body_id, OLD.code) THEN
        PERFORM plenary_refuse('working_groups_identity_fixed', format(
            'code: %s keeps its body and code; they are part of its document symbols', this));
    END IF;
    IF OLD.dissolved_on IS NOT NULL THEN
        IF NOT correcting OR NEW.dissolved_on IS NULL
            OR (NEW.name, NEW.mandate, NEW.kind, NEW.established_by, NEW.established_on)
                IS DISTINCT FROM (OLD.name, OLD.mandate, OLD.kind, OLD.established_by, OLD.established_on)
        THEN
            PERFORM plenary_refuse('working_groups_dissolved', format(
                'code: %s was dissolved on %s; a dissolved group does not change (a wrong date is corrected with '
                'wg correct-dissolution)', this, OLD.dissolved_on));
        END IF;
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

-- Deadlines by what a document is (replaces 0008's function). The provisional agenda of a session is the
-- main-series document (not a revision, corrigendum or addendum of one) whose title says it is: "Provisional
-- agenda", "Provisional agenda and annotations", "Annotated provisional agenda" — whatever its serial. It is due 60
-- days before a regular session and 30 before a special one; every other pre-session document (main and information
-- series, and their addenda) 42 days before, unless the body's rule says otherwise; in-session papers (L, CRP, WP),
-- revisions and corrigenda are issued as the meeting needs them and have no deadline.
CREATE OR REPLACE FUNCTION plenary_is_provisional_agenda(d documents) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT d.doc_type = 'main' AND d.relation IS NULL AND d.title ~* '(^|[^a-z])provisional agenda([^a-z]|$)'
$$;

CREATE OR REPLACE FUNCTION plenary_document_due(d documents) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN d.doc_type NOT IN ('main', 'information') OR coalesce(d.relation, 'addendum') <> 'addendum' THEN NULL
        WHEN d.meeting_id IS NOT NULL THEN m.start_date - coalesce(r.pre_session_days, 42)
        WHEN plenary_is_provisional_agenda(d) THEN s.start_date
            - CASE WHEN s.kind = 'special' THEN coalesce(r.agenda_special_days, 30)
                   ELSE coalesce(r.agenda_regular_days, 60) END
        ELSE s.start_date - coalesce(r.pre_session_days, 42)
    END
    FROM (SELECT 1) AS one
    LEFT JOIN sessions s ON s.id = d.session_id
    LEFT JOIN working_group_meetings m ON m.id = d.meeting_id
    LEFT JOIN document_deadline_rules r ON r.body_id = d.body_id
$$;

-- Whether `d` is replaced, as of `today`, by a later revision issued in every language it requires by then: the
-- current text is the revision, and the deadlines report follows it.
CREATE FUNCTION plenary_document_superseded_on(d documents, today date) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM documents r
        WHERE r.relation = 'revision' AND r.withdrawn_on IS NULL
          AND r.parent_id = CASE WHEN d.relation = 'revision' THEN d.parent_id ELSE d.id END
          AND r.relation_number > CASE WHEN d.relation = 'revision' THEN d.relation_number ELSE 0 END
          AND NOT EXISTS (
              SELECT 1 FROM document_versions v WHERE v.document_id = r.id AND v.required
                AND (v.status <> 'issued' OR v.issued_on > today)))
$$;

-- Lineage links taken back (`decision unlink`): 0007 refused every DELETE; a link entered by mistake now goes, only
-- through the command, which says so for its transaction and keeps the link and the reason in the audit trail.
-- UPDATE stays refused by 0007's function, which now fires for INSERT and UPDATE only.
DROP TRIGGER decision_links_rules ON decision_links;
CREATE TRIGGER decision_links_rules BEFORE INSERT OR UPDATE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION plenary_decision_link_rules();

CREATE FUNCTION plenary_decision_link_removal_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('plenary.correction', true) IS DISTINCT FROM 'decision-unlink' THEN
        PERFORM plenary_refuse('decision_links_kept',
            'decision_links: links are history; one entered by mistake is taken back with decision unlink');
    END IF;
    RETURN OLD;
END;
$$;

CREATE TRIGGER decision_links_removal BEFORE DELETE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION plenary_decision_link_removal_rules();

-- A session scheduled by mistake and cancelled (`session strike`): its number is given back, so the real session
-- of that number can be scheduled. Documents never reuse a symbol; a session number is a slot in the body's
-- calendar, and one held by a session that never took place, had nothing filed under it and was cancelled as a
-- mistake belongs to the session that does take place. The struck row is kept here, whole, with the reason, and
-- in the audit trail. Only a cancelled session with nothing referring to it (the foreign keys of agenda items,
-- adoptions, documents, decisions, meetings and resumptions refuse the rest) is struck, and only through the
-- command, which says so for its transaction.
CREATE TABLE struck_sessions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id    bigint NOT NULL REFERENCES bodies (id),
    number     integer NOT NULL,
    part       integer NOT NULL,
    session    jsonb NOT NULL,
    reason     text NOT NULL,
    struck_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT struck_sessions_reason_not_blank CHECK (NOT plenary_is_blank(reason) AND length(reason) <= 1000)
);

CREATE TRIGGER struck_sessions_kept BEFORE UPDATE OR DELETE ON struck_sessions
    FOR EACH ROW EXECUTE FUNCTION plenary_keep_history();

CREATE FUNCTION plenary_session_strike_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('plenary.correction', true) IS DISTINCT FROM 'session-strike' THEN
        PERFORM plenary_refuse('sessions_kept',
            'sessions: rows are history and are never deleted; a cancelled session scheduled by mistake is struck '
            'with session strike');
    END IF;
    IF OLD.status <> 'cancelled' THEN
        PERFORM plenary_refuse('sessions_strike_cancelled', format(
            'status: %s is %s; only a cancelled session is struck', plenary_session_name(OLD.id), OLD.status));
    END IF;
    RETURN OLD;
END;
$$;

DROP TRIGGER sessions_no_delete ON sessions;
CREATE TRIGGER sessions_no_delete BEFORE DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION plenary_session_strike_rules();

-- The number of a cancelled session: say how it is given back, before 0004's rule refuses it in general terms.
CREATE FUNCTION plenary_session_number_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    other sessions%ROWTYPE;
BEGIN
    SELECT * INTO other FROM sessions WHERE body_id = NEW.body_id AND number = NEW.number AND part = NEW.part;
    IF FOUND AND other.status = 'cancelled' THEN
        PERFORM plenary_refuse('sessions_number_key', format(
            'number: %s was cancelled and keeps its number; if it was scheduled by mistake, session strike gives '
            'the number back', plenary_session_name(other.id)));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sessions_05_number BEFORE INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION plenary_session_number_rules();


-- Import (issue 17: every export imports). A few rules refuse to *create* what the services allow a record to
-- *become*: an agenda item, a draft or a meeting held with a session that was cancelled after they were entered.
-- `plenary import` says so for its own transaction (set_config('plenary.import', 'on', true)), and these refusals,
-- which guard the live workflow, let the record as it stands be loaded. The functions below are 0004's, 0007's and
-- 0005's with that one exception added each; nothing else changes.
CREATE FUNCTION plenary_importing() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT current_setting('plenary.import', true) IS NOT DISTINCT FROM 'on'
$$;


CREATE OR REPLACE FUNCTION plenary_agenda_item_rules() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF TG_OP = 'INSERT' AND session_status = 'cancelled' AND NOT plenary_importing() THEN
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

CREATE OR REPLACE FUNCTION plenary_decision_rules() RETURNS trigger LANGUAGE plpgsql AS $$
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
        IF FOUND AND s.status = 'cancelled' AND NOT plenary_importing() THEN
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

CREATE OR REPLACE FUNCTION plenary_meeting_rules() RETURNS trigger LANGUAGE plpgsql AS $$
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
        IF partner.status = 'cancelled' AND NOT plenary_importing()
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
