-- Documents :first … :last of the benchmark's data set and their six language versions, in one statement, with
-- every constraint and trigger in force (the document trigger checks each symbol against its session and moves the
-- series counters; the version trigger checks each status).
--
-- Document k goes to session (k - 1) mod :sessions_total, as its j-th document (j = (k - 1) div :sessions_total
-- + 1), so any prefix 1 … K of the set is spread evenly over every body and session: the data set at 10k documents
-- is the first 10k documents of the one at 1M. Every tenth document of a session is an L document, every tenth
-- offset by five a conference room paper, the rest the main series: TAA/COP/2001/7, TAA/COP/2001/L.1,
-- TAA/COP/2001/CRP.1. Only the bodies whose index is :part modulo :parts are written, so several loaders can run
-- side by side without waiting for each other's counter rows.
\set ON_ERROR_STOP on

WITH numbered AS (
    SELECT k, (k - 1) % :sessions_total AS session_index, (k - 1) / :sessions_total + 1 AS j
    FROM generate_series(:first::bigint, :last::bigint) AS k
),
placed AS (
    SELECT k, j, session_index / :sessions_per_body + 1 AS body_index, session_index % :sessions_per_body + 1 AS n
    FROM numbered
    WHERE (session_index / :sessions_per_body) % :parts = :part
),
described AS (
    SELECT p.*, 2000 + p.n AS year,
           CASE WHEN j % 10 = 0 THEN 'L' WHEN j % 10 = 5 THEN 'CRP' ELSE 'main' END AS series,
           CASE WHEN j % 10 = 0 THEN j / 10 WHEN j % 10 = 5 THEN (j + 5) / 10 ELSE j END AS serial
    FROM placed p
),
inserted AS (
    INSERT INTO documents (body_id, symbol, sort_key, session_id, series, issuer, period, serial, doc_type,
                           distribution, title, agenda_items, original_language, issued_on)
    SELECT s.body_id,
           b.code || '/' || d.year || '/'
               || CASE d.series WHEN 'main' THEN d.serial::text ELSE d.series || '.' || d.serial END,
           b.code || '/' || lpad(d.year::text, 6, '0') || '/'
               || CASE d.series WHEN 'main' THEN '' ELSE d.series || '.' END || lpad(d.serial::text, 6, '0'),
           s.id, d.series, b.code, d.year::text, d.serial,
           CASE d.series WHEN 'L' THEN 'limited' WHEN 'CRP' THEN 'conferenceRoomPaper' ELSE 'main' END,
           CASE d.series WHEN 'L' THEN 'limited' ELSE 'general' END,
           (ARRAY['Provisional agenda and annotations', 'Report of the Conference of the Parties on its session',
                  'Implementation of the Protocol against the Smuggling of Migrants by Land, Sea and Air',
                  'Technical assistance provided by the secretariat', 'Draft resolution on international cooperation',
                  'Information submitted by States parties in response to the questionnaire',
                  'Activities of the working group on trafficking in persons', 'Note by the secretariat',
                  'Financial and budgetary matters: proposed programme of work',
                  'Review of the implementation of the Firearms Protocol'])[1 + d.k % 10]
               || ' (' || d.j || ')',
           ARRAY[(1 + d.j % 12)::text], 'en', s.start_date - 42
    FROM described d
    JOIN bodies b ON b.code = 'T' || chr(65 + (d.body_index::int - 1) / 26) || chr(65 + (d.body_index::int - 1) % 26) || '/COP'
    JOIN sessions s ON s.body_id = b.id AND s.number = d.n AND s.part = 1
    ORDER BY d.k
    RETURNING id, issued_on
)
INSERT INTO document_versions (document_id, language, required, status, issued_on)
SELECT i.id, l.language, true, v.status, CASE WHEN v.status = 'issued' THEN i.issued_on END
FROM inserted i
CROSS JOIN unnest(ARRAY['ar', 'zh', 'en', 'fr', 'ru', 'es']) WITH ORDINALITY AS l (language, position)
CROSS JOIN LATERAL (
    SELECT CASE WHEN l.language = 'en' THEN 'issued'
                ELSE (ARRAY['expected', 'submitted', 'translated', 'issued'])[1 + (i.id + l.position) % 4] END AS status
) v;
