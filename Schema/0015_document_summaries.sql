-- What every read of a document recomputed, stored: its six language versions as one row of arrays (in the UN
-- order ar, zh, en, fr, ru, es) and the current text of its family (the latest revision of the original, with its
-- reissue mark). `doc get` then reads one row per document — the document, its summary, its body and place —
-- instead of six rows of versions and a lookup of the latest revision on every read.
--
-- document_versions stays the record (its rules, its audit); the summary is derived from it by the statement
-- triggers below, in the writing transaction, so a reader never sees one without the other. A statement trigger
-- with a transition table refreshes every document a statement touched at once: an import of 100,000 documents
-- refreshes their summaries in one statement, not 600,000 row triggers.

CREATE TABLE document_summaries (
    document_id      bigint PRIMARY KEY REFERENCES documents (id),
    languages        text[] NOT NULL DEFAULT '{}',
    required         boolean[] NOT NULL DEFAULT '{}',
    status           text[] NOT NULL DEFAULT '{}',
    issued_on        date[] NOT NULL DEFAULT '{}',
    file             text[] NOT NULL DEFAULT '{}',
    bytes            bigint[] NOT NULL DEFAULT '{}',
    sha256           text[] NOT NULL DEFAULT '{}',
    -- The family's latest revision as printed (`…/Rev.2`, `…/Rev.2*` when reissued); NULL when none.
    latest_revision  text
);

-- The versions of `documents`, summarised afresh from document_versions.
CREATE FUNCTION plenary_summarise_versions(documents bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO document_summaries AS s (document_id, languages, required, status, issued_on, file, bytes, sha256)
    SELECT v.document_id, array_agg(v.language ORDER BY o.position), array_agg(v.required ORDER BY o.position),
           array_agg(v.status ORDER BY o.position), array_agg(v.issued_on ORDER BY o.position),
           array_agg(v.file ORDER BY o.position), array_agg(v.bytes ORDER BY o.position),
           array_agg(v.sha256 ORDER BY o.position)
    FROM document_versions v
    CROSS JOIN LATERAL (SELECT array_position(ARRAY['ar', 'zh', 'en', 'fr', 'ru', 'es'], v.language) AS position) o
    WHERE v.document_id = ANY (documents)
    GROUP BY v.document_id
    ON CONFLICT (document_id) DO UPDATE SET
        languages = EXCLUDED.languages, required = EXCLUDED.required, status = EXCLUDED.status,
        issued_on = EXCLUDED.issued_on, file = EXCLUDED.file, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256
$$;

-- The latest revision of each of `originals`, written on the original and on every revision of it (a reader of
-- any member of the family learns the current text from its own row).
CREATE FUNCTION plenary_summarise_revisions(originals bigint[]) RETURNS void LANGUAGE sql AS $$
    WITH latest AS (
        SELECT DISTINCT ON (r.parent_id) r.parent_id AS original,
               r.symbol || CASE WHEN r.reissued THEN '*' ELSE '' END AS symbol
        FROM documents r
        WHERE r.relation = 'revision' AND r.parent_id = ANY (originals)
        ORDER BY r.parent_id, r.relation_number DESC
    ), members AS (
        SELECT latest.original AS id, latest.symbol FROM latest
        UNION ALL
        SELECT m.id, latest.symbol FROM latest JOIN documents m ON m.parent_id = latest.original
        WHERE m.relation = 'revision'
    )
    INSERT INTO document_summaries AS s (document_id, latest_revision)
    SELECT id, symbol FROM members
    ON CONFLICT (document_id) DO UPDATE SET latest_revision = EXCLUDED.latest_revision
    WHERE s.latest_revision IS DISTINCT FROM EXCLUDED.latest_revision
$$;

CREATE FUNCTION plenary_document_versions_summarised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plenary_summarise_versions(ARRAY(SELECT DISTINCT document_id FROM changed));
    RETURN NULL;
END;
$$;

CREATE TRIGGER document_versions_summarised_insert AFTER INSERT ON document_versions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION plenary_document_versions_summarised();
CREATE TRIGGER document_versions_summarised_update AFTER UPDATE ON document_versions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION plenary_document_versions_summarised();

-- Every new document has a summary row (a document is written before its versions, sometimes in another
-- statement); a new revision moves its family's current text.
CREATE FUNCTION plenary_documents_summarised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO document_summaries (document_id) SELECT id FROM changed ON CONFLICT (document_id) DO NOTHING;
    PERFORM plenary_summarise_revisions(
        ARRAY(SELECT DISTINCT parent_id FROM changed WHERE relation = 'revision'));
    -- A document registered after revisions of its family (an import in any order) learns the current text too.
    PERFORM plenary_summarise_revisions(ARRAY(SELECT id FROM changed WHERE relation IS NULL));
    RETURN NULL;
END;
$$;

CREATE TRIGGER documents_summarised AFTER INSERT ON documents
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION plenary_documents_summarised();

-- A reissue marks the symbol (`*`); when the reissued document is its family's latest revision, the current text
-- printed on every member changes with it.
CREATE FUNCTION plenary_document_reissue_summarised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plenary_summarise_revisions(ARRAY[NEW.parent_id]);
    RETURN NULL;
END;
$$;

CREATE TRIGGER documents_reissue_summarised AFTER UPDATE OF reissued ON documents
    FOR EACH ROW WHEN (NEW.relation = 'revision' AND NEW.reissued IS DISTINCT FROM OLD.reissued)
    EXECUTE FUNCTION plenary_document_reissue_summarised();

-- The summaries of the documents already registered.
INSERT INTO document_summaries (document_id) SELECT id FROM documents;
SELECT plenary_summarise_versions(ARRAY(SELECT id FROM documents));
SELECT plenary_summarise_revisions(ARRAY(SELECT DISTINCT parent_id FROM documents WHERE relation = 'revision'));

-- Derived rows are not edited by hand: only the triggers above write them (they run as the writer, so this guards
-- against a slip, not a superuser).
CREATE FUNCTION plenary_document_summaries_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plenary_refuse('document_summaries_kept', 'document summaries are derived from the versions; '
        || 'they are never deleted');
    RETURN NULL;
END;
$$;

CREATE TRIGGER document_summaries_no_delete BEFORE DELETE ON document_summaries
    FOR EACH ROW EXECUTE FUNCTION plenary_document_summaries_no_delete();
