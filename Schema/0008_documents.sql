-- The document registry: every session document of a body, its six language versions, its revisions, corrigenda,
-- addenda, amendments and reissues, the counters symbols are allocated from, and the deadline rules.
--
-- A document is filed under a session of its body or a meeting of one of the body's working groups, and its symbol
-- must agree with that: the body's series first, the working group's component for a meeting's document (and none
-- for a session's), the year within the dates of the session or meeting. The trigger reads the symbol's year and
-- working group from the text itself, so a writer cannot claim other values than the symbol carries. Serials of a
-- series (main, L, CRP, INF, WP) come from a counter row locked until commit, which `doc register` of a known symbol
-- moves past its serial; a rolled-back allocation gives its number back. Language versions move forward only
-- (expected, submitted, translated, issued). Refusals carry SQLSTATE PL551 (plenary_refuse, Schema/0004).

CREATE TABLE documents (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id            bigint NOT NULL REFERENCES bodies (id),
    -- The canonical printed symbol without the reissue mark, which `reissued` carries.
    symbol             text NOT NULL,
    -- Orders a list naturally (2008/2 before 2008/10): numbers padded, built by the grammar; unique with symbol.
    sort_key           text NOT NULL,
    session_id         bigint REFERENCES sessions (id),
    meeting_id         bigint REFERENCES working_group_meetings (id),
    -- The allocation series and its namespace: issuer (`CTOC/COP/WG.4`) and period (`2010`, or a session number).
    series             text,
    issuer             text NOT NULL,
    period             text NOT NULL DEFAULT '',
    serial             integer,
    doc_type           text NOT NULL,
    distribution       text NOT NULL,
    title              text NOT NULL,
    agenda_items       text[] NOT NULL DEFAULT '{}',
    original_language  text NOT NULL DEFAULT 'en',
    issued_on          date,
    -- The document a Rev, Corr, Add or Amend applies to, and which of these it is.
    parent_id          bigint REFERENCES documents (id),
    relation           text,
    relation_number    integer,
    reissued           boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    search             tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('simple', replace(replace(symbol, '/', ' '), '.', ' ')), 'B')
    ) STORED,
    CONSTRAINT documents_symbol_key UNIQUE (symbol),
    CONSTRAINT documents_sort_key_key UNIQUE (sort_key),
    CONSTRAINT documents_filed_once CHECK ((session_id IS NULL) <> (meeting_id IS NULL)),
    CONSTRAINT documents_symbol_format CHECK (length(symbol) <= 200
        AND symbol ~ '^[A-Z][A-Za-z0-9.]*(/[A-Za-z0-9.]+)*( \([0-9A-Z]+\))?$'),
    CONSTRAINT documents_symbol_of_issuer CHECK (starts_with(symbol, issuer || '/')),
    CONSTRAINT documents_series_valid CHECK (series IS NULL OR series IN ('main', 'L', 'CRP', 'INF', 'WP')),
    CONSTRAINT documents_serial_range CHECK (serial IS NULL OR serial BETWEEN 1 AND 999999),
    CONSTRAINT documents_series_has_serial CHECK (series IS NULL OR (serial IS NOT NULL AND relation IS NULL)),
    CONSTRAINT documents_distribution_valid CHECK (distribution IN ('general', 'limited', 'restricted')),
    -- The symbol says limited or restricted where it carries L.n or R.n; nothing may say otherwise.
    CONSTRAINT documents_distribution_agrees CHECK (
        (doc_type <> 'limited' OR distribution = 'limited') AND (doc_type <> 'restricted' OR distribution = 'restricted')),
    CONSTRAINT documents_language_valid CHECK (original_language IN ('ar', 'zh', 'en', 'fr', 'ru', 'es')),
    CONSTRAINT documents_title_not_blank CHECK (btrim(title) <> '' AND length(title) <= 1000),
    CONSTRAINT documents_relation_valid CHECK (relation IS NULL OR relation IN
        ('revision', 'corrigendum', 'addendum', 'amendment')),
    CONSTRAINT documents_relation_complete CHECK (
        (relation IS NULL) = (relation_number IS NULL) AND (parent_id IS NULL OR relation IS NOT NULL)),
    CONSTRAINT documents_relation_symbol CHECK (relation IS NULL OR symbol ~ ('/' ||
        CASE relation WHEN 'revision' THEN 'Rev' WHEN 'corrigendum' THEN 'Corr' WHEN 'addendum' THEN 'Add'
        ELSE 'Amend' END || '\.' || relation_number || '$')),
    CONSTRAINT documents_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
);

CREATE INDEX documents_session_idx ON documents (session_id, sort_key) WHERE session_id IS NOT NULL;
CREATE INDEX documents_meeting_idx ON documents (meeting_id, sort_key) WHERE meeting_id IS NOT NULL;
CREATE INDEX documents_body_idx ON documents (body_id, sort_key);
CREATE INDEX documents_parent_idx ON documents (parent_id, relation, relation_number) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX documents_relation_key ON documents (parent_id, relation, relation_number)
    WHERE parent_id IS NOT NULL;
CREATE INDEX documents_search_idx ON documents USING gin (search);

-- The last serial given out in each series of each symbol namespace (issuer, period), whichever session or meeting
-- asked: two sessions in one year share the year's symbols. Locked by the allocating transaction until it ends.
CREATE TABLE document_counters (
    body_id      bigint NOT NULL REFERENCES bodies (id),
    issuer       text NOT NULL,
    period       text NOT NULL,
    series       text NOT NULL,
    last_serial  integer NOT NULL,
    PRIMARY KEY (issuer, period, series),
    CONSTRAINT document_counters_series_valid CHECK (series IN ('main', 'L', 'CRP', 'INF', 'WP')),
    CONSTRAINT document_counters_serial_range CHECK (last_serial BETWEEN 1 AND 999999)
);

-- When pre-session documents are due, per body; a body without a row takes the defaults: the six-week rule
-- (GA resolutions 45/238 B, 49/221 B) and the provisional agenda 60 days before a regular session, 30 before a
-- special one (rules of procedure, rule 9).
CREATE TABLE document_deadline_rules (
    body_id              bigint PRIMARY KEY REFERENCES bodies (id),
    pre_session_days     integer NOT NULL DEFAULT 42,
    agenda_regular_days  integer NOT NULL DEFAULT 60,
    agenda_special_days  integer NOT NULL DEFAULT 30,
    CONSTRAINT document_deadline_rules_range CHECK (pre_session_days BETWEEN 0 AND 365
        AND agenda_regular_days BETWEEN 0 AND 365 AND agenda_special_days BETWEEN 0 AND 365)
);

CREATE TABLE document_versions (
    document_id  bigint NOT NULL REFERENCES documents (id),
    language     text NOT NULL,
    -- Whether the document is to exist in this language at all ("English only" CRPs; a partial corrigendum).
    required     boolean NOT NULL,
    status       text NOT NULL DEFAULT 'expected',
    issued_on    date,
    file         text,
    bytes        bigint,
    sha256       text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_id, language),
    CONSTRAINT document_versions_language_valid CHECK (language IN ('ar', 'zh', 'en', 'fr', 'ru', 'es')),
    CONSTRAINT document_versions_status_valid CHECK (status IN ('expected', 'submitted', 'translated', 'issued')),
    CONSTRAINT document_versions_issued_dated CHECK ((status = 'issued') = (issued_on IS NOT NULL)),
    CONSTRAINT document_versions_bytes_range CHECK (bytes IS NULL OR bytes >= 0),
    CONSTRAINT document_versions_sha256_format CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT document_versions_file_format
        CHECK (file IS NULL OR (btrim(file) <> '' AND length(file) <= 2000 AND file !~ '[[:cntrl:]]'))
);

-- How far along the six languages a status is; versions never move back.
CREATE FUNCTION plenary_version_rank(status text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT array_position(ARRAY['expected', 'submitted', 'translated', 'issued'], status)
$$;

-- The symbol's year: the first four-digit component between others that reads as a year (CTOC/COP/2008/19).
CREATE FUNCTION plenary_symbol_year(symbol text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT (regexp_match(symbol, '/(19[4-9][0-9]|20[0-9][0-9]|2100)/'))[1]::integer
$$;

-- The symbol's working group component (`WG.4`), if it has one.
CREATE FUNCTION plenary_symbol_working_group(symbol text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT (regexp_match(symbol, '/(WG\.[1-9][0-9]*)/'))[1]
$$;

CREATE FUNCTION plenary_document_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    body_code text;
    year integer;
    wg text;
    s sessions%ROWTYPE;
    first_year integer;
    last_year integer;
    meeting_wg text;
    meeting_body bigint;
    meeting_number integer;
    where_filed text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- A document keeps its symbol and its place; a reissue only sets its mark.
        IF (NEW.symbol, NEW.body_id, NEW.session_id, NEW.meeting_id, NEW.series, NEW.serial, NEW.parent_id,
            NEW.relation, NEW.relation_number)
            IS DISTINCT FROM (OLD.symbol, OLD.body_id, OLD.session_id, OLD.meeting_id, OLD.series, OLD.serial,
            OLD.parent_id, OLD.relation, OLD.relation_number)
        THEN
            PERFORM plenary_refuse('documents_identity_fixed', format(
                'symbol: %s keeps its symbol, meeting and lineage; a new text is a revision', OLD.symbol));
        END IF;
        IF OLD.reissued AND NOT NEW.reissued THEN
            PERFORM plenary_refuse('documents_reissue_kept', format(
                'symbol: %s* was reissued; the mark stays', OLD.symbol));
        END IF;
        RETURN NEW;
    END IF;

    SELECT code INTO body_code FROM bodies WHERE id = NEW.body_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key names it
    END IF;
    IF NOT starts_with(NEW.symbol, body_code || '/') THEN
        PERFORM plenary_refuse('documents_symbol_body', format(
            'symbol: %s is not a symbol of %s', NEW.symbol, body_code));
    END IF;
    year := plenary_symbol_year(NEW.symbol);
    wg := plenary_symbol_working_group(NEW.symbol);

    IF NEW.session_id IS NOT NULL THEN
        SELECT * INTO s FROM sessions WHERE id = NEW.session_id;
        IF NOT FOUND THEN
            RETURN NEW;
        END IF;
        where_filed := plenary_session_label(s.number, s.part) || ' of ' || body_code;
        IF s.body_id <> NEW.body_id THEN
            PERFORM plenary_refuse('documents_meeting_body', format(
                'session: %s is filed under a session of another body', NEW.symbol));
        END IF;
        IF wg IS NOT NULL THEN
            PERFORM plenary_refuse('documents_symbol_meeting', format(
                'symbol: %s is a document of working group %s; file it under wg=%s meeting=N, not %s',
                NEW.symbol, wg, wg, where_filed));
        END IF;
        -- Every part of the session counts: a resumed part may sit in a later year.
        SELECT min(extract(year FROM start_date))::integer, max(extract(year FROM end_date))::integer
        INTO first_year, last_year FROM sessions WHERE body_id = s.body_id AND number = s.number;
    ELSE
        SELECT g.code, m.body_id, m.number, extract(year FROM m.start_date)::integer,
               extract(year FROM m.end_date)::integer
        INTO meeting_wg, meeting_body, meeting_number, first_year, last_year
        FROM working_group_meetings m JOIN working_groups g ON g.id = m.working_group_id
        WHERE m.id = NEW.meeting_id;
        IF NOT FOUND THEN
            RETURN NEW;
        END IF;
        where_filed := 'meeting ' || meeting_number || ' of ' || meeting_wg || ' of ' || body_code;
        IF meeting_body <> NEW.body_id THEN
            PERFORM plenary_refuse('documents_meeting_body', format(
                'meeting: %s is filed under a meeting of another body', NEW.symbol));
        END IF;
        IF wg IS DISTINCT FROM meeting_wg THEN
            PERFORM plenary_refuse('documents_symbol_meeting', format(
                'symbol: %s names %s, but %s is a meeting of %s', NEW.symbol,
                coalesce('working group ' || wg, 'no working group'), where_filed, meeting_wg));
        END IF;
    END IF;
    IF year IS NOT NULL AND year NOT BETWEEN first_year AND last_year THEN
        PERFORM plenary_refuse('documents_symbol_meeting', format(
            'symbol: %s carries the year %s, but %s is held in %s', NEW.symbol, year, where_filed,
            CASE WHEN first_year = last_year THEN first_year::text ELSE first_year || '-' || last_year END));
    END IF;

    -- A known symbol registered by hand moves its series' counter past it, so allocation never hands it out again.
    IF NEW.series IS NOT NULL THEN
        INSERT INTO document_counters AS c (body_id, issuer, period, series, last_serial)
        VALUES (NEW.body_id, NEW.issuer, NEW.period, NEW.series, NEW.serial)
        ON CONFLICT (issuer, period, series) DO UPDATE SET last_serial = greatest(c.last_serial, NEW.serial);
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER documents_rules BEFORE INSERT OR UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION plenary_document_rules();
-- The registry is the record of what was issued: never deleted.
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION plenary_keep_history();
CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION plenary_keep_history();

CREATE FUNCTION plenary_document_version_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    symbol text;
BEGIN
    IF TG_OP = 'UPDATE' AND plenary_version_rank(NEW.status) < plenary_version_rank(OLD.status) THEN
        SELECT d.symbol INTO symbol FROM documents d WHERE d.id = OLD.document_id;
        PERFORM plenary_refuse('document_versions_status_order', format(
            'status: the %s version of %s is %s; a version never goes back to %s', OLD.language, symbol,
            OLD.status, NEW.status));
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.document_id, NEW.language) IS DISTINCT FROM (OLD.document_id, OLD.language) THEN
        PERFORM plenary_refuse('document_versions_identity_fixed', 'lang: a version keeps its document and language');
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER document_versions_rules BEFORE INSERT OR UPDATE ON document_versions
    FOR EACH ROW EXECUTE FUNCTION plenary_document_version_rules();
CREATE TRIGGER document_versions_no_delete BEFORE DELETE ON document_versions
    FOR EACH ROW EXECUTE FUNCTION plenary_keep_history();

-- The day a document is due in every required language, or NULL when no deadline binds it. Pre-session documents
-- (the main and information series, and their addenda) are due `pre_session_days` before the session or meeting
-- opens; a session's provisional agenda (serial 1 of its main series: `CTOC/COP/2008/1`) 60 days before a regular
-- session and 30 before a special one, unless the body's rule says otherwise. In-session papers (L, CRP, WP),
-- revisions and corrigenda are issued as the meeting needs them and have none.
CREATE FUNCTION plenary_document_due(d documents) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN d.doc_type NOT IN ('main', 'information') OR coalesce(d.relation, 'addendum') <> 'addendum' THEN NULL
        WHEN d.meeting_id IS NOT NULL THEN m.start_date - coalesce(r.pre_session_days, 42)
        WHEN d.doc_type = 'main' AND d.relation IS NULL AND d.serial = 1 THEN s.start_date
            - CASE WHEN s.kind = 'special' THEN coalesce(r.agenda_special_days, 30)
                   ELSE coalesce(r.agenda_regular_days, 60) END
        ELSE s.start_date - coalesce(r.pre_session_days, 42)
    END
    FROM (SELECT 1) AS one
    LEFT JOIN sessions s ON s.id = d.session_id
    LEFT JOIN working_group_meetings m ON m.id = d.meeting_id
    LEFT JOIN document_deadline_rules r ON r.body_id = d.body_id
$$;

-- How many days a required version is late on `today`: issued after its due day (by how much), or not issued and
-- the due day past (by how much so far); NULL when it is on time or nothing is due.
CREATE FUNCTION plenary_version_lateness(v document_versions, due date, today date)
RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN due IS NULL OR NOT v.required THEN NULL
        WHEN v.status = 'issued' THEN CASE WHEN v.issued_on > due THEN v.issued_on - due END
        WHEN today > due THEN today - due
    END
$$;
