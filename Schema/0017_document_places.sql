-- What a read of a document still joined besides its summary (Schema/0015), stored in the summary too: its body's
-- code, its session's number, or its meeting's number and working group's code, and its parent as printed (symbol,
-- reissued). `doc get` then reads two rows — the document and its summary — instead of joining five more tables
-- (issue 13, item 2). Measured with pgbench on one cluster, 100,000 documents, 8 clients: the statement with the
-- joins ran at 38,000/s, the two-row one at 59,000–66,000/s, beside `pgbench -S` at 95,000–100,000/s (0.37 of
-- PostgreSQL's simplest select before, 0.59–0.70 after: within the 2× the issue asks).
--
-- The copies stay exact because what they copy never changes once the document is written: a document's body,
-- session, meeting and parent are fixed (documents_identity_fixed), so are a session's number (sessions_identity_
-- fixed), a meeting's number (working_group_meetings_identity_fixed) and a working group's code (0005, 0013). Two
-- things could still move, and are held here: a body's code, now fixed too (it is the series of its documents'
-- symbols), and a parent's reissue mark, which the trigger below copies to its children's summaries.

ALTER TABLE document_summaries
    ADD COLUMN body text,
    ADD COLUMN session integer,
    ADD COLUMN wg text,
    ADD COLUMN meeting integer,
    ADD COLUMN parent text,
    ADD COLUMN parent_reissued boolean;

-- Every new document has a summary row with its place (a document is written before its versions, sometimes in
-- another statement); a new revision moves its family's current text. A parent copied in the same statement (an
-- import) is visible here: an AFTER trigger sees its statement's rows.
CREATE OR REPLACE FUNCTION plenary_documents_summarised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO document_summaries (document_id, body, session, wg, meeting, parent, parent_reissued)
    SELECT c.id, b.code, se.number, g.code, m.number, p.symbol, p.reissued
    FROM changed c JOIN bodies b ON b.id = c.body_id
    LEFT JOIN sessions se ON se.id = c.session_id
    LEFT JOIN working_group_meetings m ON m.id = c.meeting_id
    LEFT JOIN working_groups g ON g.id = m.working_group_id
    LEFT JOIN documents p ON p.id = c.parent_id
    ON CONFLICT (document_id) DO NOTHING;
    PERFORM plenary_summarise_revisions(
        ARRAY(SELECT DISTINCT parent_id FROM changed WHERE relation = 'revision'));
    -- A document registered after revisions of its family (an import in any order) learns the current text too.
    PERFORM plenary_summarise_revisions(ARRAY(SELECT id FROM changed WHERE relation IS NULL));
    RETURN NULL;
END;
$$;

-- A reissued document's mark, on the summaries of the documents it is the parent of (its corrigenda, addenda,
-- revisions), which print it as their parent.
CREATE FUNCTION plenary_document_reissue_places() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE document_summaries s SET parent_reissued = NEW.reissued
    FROM documents c WHERE c.parent_id = NEW.id AND s.document_id = c.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER documents_reissue_places AFTER UPDATE OF reissued ON documents
    FOR EACH ROW WHEN (NEW.reissued IS DISTINCT FROM OLD.reissued)
    EXECUTE FUNCTION plenary_document_reissue_places();

-- A body's code is the series of its documents' symbols (documents_rules checks every symbol starts with it), and
-- the summaries print it: it never changes.
CREATE FUNCTION plenary_body_code_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.code IS DISTINCT FROM OLD.code THEN
        PERFORM plenary_refuse('bodies_code_fixed', format(
            'code: %s is the series of its documents'' symbols; a body keeps its code', OLD.code));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER bodies_code_fixed BEFORE UPDATE OF code ON bodies
    FOR EACH ROW EXECUTE FUNCTION plenary_body_code_fixed();

-- The places of the documents already registered.
UPDATE document_summaries s
SET body = b.code, session = se.number, wg = g.code, meeting = m.number, parent = p.symbol,
    parent_reissued = p.reissued
FROM documents d JOIN bodies b ON b.id = d.body_id
LEFT JOIN sessions se ON se.id = d.session_id
LEFT JOIN working_group_meetings m ON m.id = d.meeting_id
LEFT JOIN working_groups g ON g.id = m.working_group_id
LEFT JOIN documents p ON p.id = d.parent_id
WHERE s.document_id = d.id;
