-- Two label functions were declared IMMUTABLE with bodies PostgreSQL counts as only STABLE: `text || integer`
-- resolves to the `anytextcat` operator, which calls the integer's output function through the type system and is
-- marked STABLE. An IMMUTABLE SQL function whose body is less than immutable is never inlined, so each was run as a
-- query of its own, parsed and planned again in every transaction that called it — the documents' row trigger
-- names the session a document is filed under on every insert: about 45 µs of PostgreSQL's CPU per registration
-- at 8 clients (pg_stat_user_functions, track_functions = all). With the integers cast to text the bodies are
-- immutable, the functions are inlined where they are called, and the text they give is the same.
CREATE OR REPLACE FUNCTION plenary_session_label(number integer, part integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT 'session ' || number::text || CASE WHEN part > 1 THEN ' (part ' || part::text || ')' ELSE '' END
$$;

CREATE OR REPLACE FUNCTION plenary_decision_number(session_number integer, serial integer, letter text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT session_number::text || '/' || serial::text || CASE WHEN letter <> '' THEN ' ' || letter ELSE '' END
$$;

-- Versions written after their corrigendum's own transaction are checked against the corrigendum rules (0014). The
-- check looked each new version's document up, six lookups for the six versions of one document: an import of
-- 100,000 documents spent 0.57 s on it. Each document is now looked up once.
CREATE OR REPLACE FUNCTION plenary_corrigendum_new_versions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    corrigendum bigint;
BEGIN
    FOR corrigendum IN
        SELECT d.id FROM (SELECT DISTINCT document_id FROM new_versions WHERE required) n
        JOIN documents d ON d.id = n.document_id
        WHERE d.relation = 'corrigendum' AND d.created_at < now()
        ORDER BY d.id
    LOOP
        PERFORM plenary_corrigendum_language_rules(corrigendum);
    END LOOP;
    RETURN NULL;
END;
$$;
