-- A corrigendum corrects an issued text (issue 17, point 5), held by the database as Swift holds it
-- (DocumentRegistry.requireIssued): a corrigendum that covers only some of its document's languages (`doc correct
-- SYMBOL languages=fr`) needs, in each language it covers, an issued version of the document it corrects — a
-- French-only corrigendum before any French text is issued corrects nothing. A version of that language is not
-- enough (every document has six version rows): it must be issued.
--
-- Swift checks the languages given with `languages=`; a corrigendum without them covers all of its document's
-- languages and is not checked. The database cannot tell the two apart, so it checks a partial corrigendum (one
-- that leaves out a language its document requires) and leaves a full one alone: it never refuses what Swift
-- accepts, and a partial corrigendum that arrives any other way (psql, a COPY, an import) meets the rule.
--
-- When it is checked. A corrigendum and its versions written in one transaction (the services write both in one
-- statement; `plenary import` writes every document, then every version, in chunks) are checked at commit, by a
-- deferred constraint trigger on the corrigendum: the order of rows does not matter, and the trigger fires only
-- for corrigenda (its WHEN is evaluated as the row is written), so the bulk path pays nothing for other documents.
-- Versions added later to a corrigendum written by an earlier transaction are checked at the end of their
-- statement, set-based over the statement's new rows (a row trigger on every version would cost the bulk path one
-- call per version); a version that becomes required later is checked at commit.

CREATE FUNCTION plenary_corrigendum_language_rules(corrigendum bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c documents%ROWTYPE;
    parent documents%ROWTYPE;
    uncovered text;
BEGIN
    SELECT * INTO c FROM documents WHERE id = corrigendum;
    IF c.relation IS DISTINCT FROM 'corrigendum' OR c.parent_id IS NULL THEN
        RETURN;
    END IF;
    SELECT * INTO parent FROM documents WHERE id = c.parent_id;
    -- A corrigendum in all of its document's languages is what Swift writes without `languages=`: not checked.
    IF NOT EXISTS (
        SELECT 1 FROM document_versions pv
        WHERE pv.document_id = parent.id AND pv.required
          AND NOT EXISTS (
              SELECT 1 FROM document_versions cv
              WHERE cv.document_id = c.id AND cv.language = pv.language AND cv.required))
    THEN
        RETURN;
    END IF;
    -- The first language it covers, in the UN order, whose text is not issued.
    SELECT cv.language INTO uncovered
    FROM document_versions cv
    LEFT JOIN document_versions pv ON pv.document_id = parent.id AND pv.language = cv.language
    WHERE cv.document_id = c.id AND cv.required AND pv.status IS DISTINCT FROM 'issued'
    ORDER BY array_position(ARRAY['ar', 'zh', 'en', 'fr', 'ru', 'es'], cv.language)
    LIMIT 1;
    IF uncovered IS NOT NULL THEN
        PERFORM plenary_refuse('documents_corrigendum_corrects_issued', format(
            'languages: the %s version of %s is not issued; a corrigendum corrects an issued text', uncovered,
            parent.symbol || CASE WHEN parent.reissued THEN '*' ELSE '' END));
    END IF;
END;
$$;

CREATE FUNCTION plenary_corrigendum_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plenary_corrigendum_language_rules(NEW.id);
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER documents_40_corrigendum_languages AFTER INSERT OR UPDATE OF relation, parent_id
    ON documents DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.relation = 'corrigendum') EXECUTE FUNCTION plenary_corrigendum_rules();

-- Versions written after their corrigendum's own transaction: that transaction's deferred check has passed.
CREATE FUNCTION plenary_corrigendum_new_versions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    corrigendum bigint;
BEGIN
    FOR corrigendum IN
        SELECT DISTINCT d.id FROM new_versions n JOIN documents d ON d.id = n.document_id
        WHERE n.required AND d.relation = 'corrigendum' AND d.created_at < now()
    LOOP
        PERFORM plenary_corrigendum_language_rules(corrigendum);
    END LOOP;
    RETURN NULL;
END;
$$;

CREATE TRIGGER document_versions_40_corrigendum_languages AFTER INSERT ON document_versions
    REFERENCING NEW TABLE AS new_versions
    FOR EACH STATEMENT EXECUTE FUNCTION plenary_corrigendum_new_versions();

CREATE FUNCTION plenary_corrigendum_version_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM plenary_corrigendum_language_rules(NEW.document_id);
    RETURN NULL;
END;
$$;

-- A version that becomes required after its corrigendum was written: a language added to what it covers.
CREATE CONSTRAINT TRIGGER document_versions_41_corrigendum_required AFTER UPDATE OF required ON document_versions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.required AND NOT OLD.required) EXECUTE FUNCTION plenary_corrigendum_version_rules();
