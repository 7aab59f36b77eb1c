-- The summaries' functions (Schema/0015) were SQL functions, which PostgreSQL plans again at every call; a
-- registration calls them three times (its versions once, its family's current text twice). Profiled with
-- pgbench running the statements of one `doc register` (8 clients, pg_stat_statements tracking nested
-- statements): 309 µs per call for the versions, 238–289 µs for the current text even when there was none to
-- find, most of it planning. As PL/pgSQL functions their statements are planned once per session and kept. The
-- statements are the same; an empty list returns at once.

CREATE OR REPLACE FUNCTION plenary_summarise_versions(documents bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(documents) = 0 THEN
        RETURN;
    END IF;
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
        issued_on = EXCLUDED.issued_on, file = EXCLUDED.file, bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256;
END;
$$;

CREATE OR REPLACE FUNCTION plenary_summarise_revisions(originals bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(originals) = 0 THEN
        RETURN;
    END IF;
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
    WHERE s.latest_revision IS DISTINCT FROM EXCLUDED.latest_revision;
END;
$$;
