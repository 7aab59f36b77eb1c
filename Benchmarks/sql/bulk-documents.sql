-- Writes :count documents of body :body (its session 1, in 2030) as COPY text to :'file', in the column order
-- Benchmarks/run loads them in: the rows both bulk loads (psql COPY and plenary import) put into the registry.
\set ON_ERROR_STOP on
COPY (
    SELECT b.id, b.code || '/2030/' || k, b.code || '/002030/' || lpad(k::text, 6, '0'), s.id, 'main', b.code,
           '2030', k, 'main', 'general', 'Bulk-loaded document ' || k || ' on technical assistance',
           ARRAY[(1 + k % 12)::text], 'en'
    FROM bodies b JOIN sessions s ON s.body_id = b.id AND s.number = 1
    CROSS JOIN generate_series(1, :count) AS k
    WHERE b.code = :'body'
    ORDER BY k
) TO :'file';
