-- Bulk paths, continued (issue 13, item 5). Schema/0010 let the documents' insert rules stand aside for a chunk
-- `plenary import` has just copied and checks set-based itself (`plenary.rows_checked` naming the running
-- transaction). The row triggers added since — the session agreement (0012), the record's references (0013) and
-- the issued-in-a-language rule (0013) — still ran per row on every document an import copies: profiled at 20,000
-- documents, with their own lookups, about a sixth of PostgreSQL's time. They now stand aside the same way, and
-- the import checks the same rules set-based (TransferStore/Loader+Documents.swift):
--   * the agenda items and the session agreement over each chunk, as the insert rules already are;
--   * issued-in-a-language once, after every language version of the import is in.
-- Any other insert (the services, psql, a COPY by hand) meets every trigger as before; updates always do.

-- The references (agenda items) on insert stand aside; on update (agenda items changed, a withdrawal) they never do.
DROP TRIGGER documents_20_record ON documents;
CREATE TRIGGER documents_20_record BEFORE UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION plenary_document_record_rules();
CREATE TRIGGER documents_20_record_insert BEFORE INSERT ON documents
    FOR EACH ROW WHEN (current_setting('plenary.rows_checked', true) IS DISTINCT FROM txid_current()::text)
    EXECUTE FUNCTION plenary_document_record_rules();

-- The session agreement is checked on insert only (a document's session and symbol are fixed once written).
DROP TRIGGER documents_session_agrees ON documents;
CREATE TRIGGER documents_session_agrees BEFORE INSERT ON documents
    FOR EACH ROW WHEN (current_setting('plenary.rows_checked', true) IS DISTINCT FROM txid_current()::text)
    EXECUTE FUNCTION plenary_document_session_agrees();

-- Issued in a language, checked at commit. An AFTER trigger's WHEN is evaluated when the row is written, so a row
-- the import copied with its checks standing aside is never queued; the import checks it after the versions.
DROP TRIGGER documents_30_issued ON documents;
CREATE CONSTRAINT TRIGGER documents_30_issued AFTER UPDATE ON documents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION plenary_document_issued_rules();
CREATE CONSTRAINT TRIGGER documents_30_issued_insert AFTER INSERT ON documents
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (current_setting('plenary.rows_checked', true) IS DISTINCT FROM txid_current()::text)
    EXECUTE FUNCTION plenary_document_issued_rules();
