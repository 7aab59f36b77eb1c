-- The fixed part of the benchmark's data set, written straight into the schema's tables with every constraint and
-- trigger in force: :bodies treaty bodies (TAA/COP, TAB/COP …: a series word is letters only), :sessions_per_body
-- closed sessions each (session n in October of the year 2000 + n), :decisions_per_session recorded decisions per
-- session, and the two bodies the bulk loads fill: IMPORT/COPY (psql COPY) and IMPORT/PLEN (plenary import), one
-- session each in 2030.
\set ON_ERROR_STOP on

INSERT INTO bodies (code, name, treaty, timezone)
SELECT 'T' || chr(65 + (i - 1) / 26) || chr(65 + (i - 1) % 26) || '/COP',
       'Conference of the Parties to Treaty ' || i, 'Treaty ' || i || ' on Transnational Matters', 'Europe/Vienna'
FROM generate_series(1, :bodies) AS i;

-- Alike but for their codes: the import's file is the export of IMPORT/COPY with the code changed.
INSERT INTO bodies (code, name, timezone) VALUES
    ('IMPORT/COPY', 'Bulk load', 'Europe/Vienna'),
    ('IMPORT/PLEN', 'Bulk load', 'Europe/Vienna');

INSERT INTO sessions (body_id, number, kind, venue, timezone, start_date, end_date, status)
SELECT b.id, n, 'regular', 'Vienna, Austria', 'Europe/Vienna', make_date(2000 + n, 10, 8),
       make_date(2000 + n, 10, 17), 'closed'
FROM bodies b CROSS JOIN generate_series(1, :sessions_per_body) AS n
WHERE b.code LIKE 'T%/COP'
ORDER BY b.id, n;

INSERT INTO sessions (body_id, number, kind, venue, timezone, start_date, end_date, status)
SELECT id, 1, 'regular', 'Vienna, Austria', 'Europe/Vienna', DATE '2030-10-08', DATE '2030-10-17', 'scheduled'
FROM bodies WHERE code IN ('IMPORT/COPY', 'IMPORT/PLEN');

-- Every session's agenda (the bulk loads' two sessions too): twelve items, so the documents and decisions of the
-- data set name items that exist (the database refuses a reference to an item that is not on the agenda).
INSERT INTO agenda_items (session_id, item, title)
SELECT s.id, i,
       (ARRAY['Opening of the session', 'Adoption of the agenda', 'Implementation of the Convention',
              'Trafficking in persons', 'Smuggling of migrants', 'Firearms', 'International cooperation',
              'Technical assistance', 'Review mechanism', 'Financial and budgetary matters',
              'Provisional agenda for the next session', 'Adoption of the report'])[i]
FROM sessions s CROSS JOIN generate_series(1, 12) AS i
ORDER BY s.id, i;

INSERT INTO decisions (body_id, kind, session_number, session_part, stage, serial, title, wording, agenda_item,
                       adopted_on, recorded)
SELECT s.body_id, 'decision', s.number, 1, 'adopted', k,
       (ARRAY['Implementation of the Convention', 'Technical assistance', 'International cooperation',
              'Review mechanism', 'Financial and budgetary matters', 'Trafficking in persons',
              'Smuggling of migrants', 'Firearms'])[1 + k % 8] || ' (' || k || ')',
       'The Conference of the Parties, recalling its earlier decisions, requests the secretariat to continue '
           || 'its work on item ' || (1 + k % 12) || ' and to report at its next session.',
       (1 + k % 12)::text, s.start_date, true
FROM sessions s CROSS JOIN generate_series(1, :decisions_per_session) AS k
JOIN bodies b ON b.id = s.body_id AND b.code LIKE 'T%/COP'
ORDER BY s.id, k;
