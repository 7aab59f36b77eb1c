-- The audit chain sealed after commit (issue 13, item 3).
--
-- Until now every write took the one `audit_head` row FOR UPDATE, and sent a NOTIFY, inside its commit: writes
-- committed one at a time. Now a writer appends its audit row *unsealed* (no seq, no hashes) and takes no shared
-- lock at all. One chainer per database — whoever holds the advisory lock `plenary_audit_chainer_key()` — seals the
-- committed unsealed rows into the SHA-256 chain shortly after they commit, in batches, with `plenary_audit_seal`:
-- each batch gets the next gapless seqs, updates the head once and sends one NOTIFY.
--
-- Why sealing cannot skip a row whose transaction commits late: a row's seq is given when it is sealed, not when
-- it is written, and the sealer picks rows only by "unsealed" (`seq IS NULL`), never by a range of ids. A row
-- invisible to one batch (its transaction has not committed) is still unsealed for the next one; nothing is ever
-- passed over. The trail's order is the sealing order; within a batch rows go by `id`, which respects every
-- happened-before between writes (a transaction that read or waited for another's change wrote its audit row —
-- the last statement before COMMIT — after that one's was written and committed).

-- The row's identity before it has a seq: the order of writing, used only to order a batch.
ALTER TABLE audit_log ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id);
ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_seq_key UNIQUE (seq);
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole
    CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));
-- The hashed form joins fields with U+001F; a field that held one could shift a boundary and give two different
-- rows one hash. Actor and entity id are the only free-text fields outside JSON (which escapes control
-- characters). NOT VALID: rows written before this rule are judged by the chain they already have.
ALTER TABLE audit_log ADD CONSTRAINT audit_log_no_unit_separator
    CHECK (strpos(actor, chr(31)) = 0 AND strpos(entity_id, chr(31)) = 0) NOT VALID;
-- The chainer's work list: small, because rows leave it within milliseconds.
CREATE INDEX audit_log_unsealed_idx ON audit_log (id) WHERE seq IS NULL;

-- A writer's row arrives unsealed, stamped with the time of writing: whatever seq or hash it brings is dropped
-- (as the old chaining trigger overwrote them), so no writer can place a row in the chain itself.
DROP TRIGGER audit_log_chain ON audit_log;
DROP TRIGGER audit_log_notify ON audit_log;
DROP FUNCTION plenary_audit_chain();
DROP FUNCTION plenary_audit_notify();

CREATE FUNCTION plenary_audit_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.seq := NULL;
    NEW.prev_hash := NULL;
    NEW.hash := NULL;
    NEW.at := clock_timestamp();
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_log_unsealed BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION plenary_audit_unsealed();

-- The one change a row may see: being sealed, by `plenary_audit_seal`, once. Its content never changes.
CREATE OR REPLACE FUNCTION plenary_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
        AND current_setting('plenary.audit_sealing', true) = 'on'
        AND (OLD.id, OLD.at, OLD.actor, OLD.entity, OLD.entity_id, OLD.operation, OLD.before, OLD.after)
            IS NOT DISTINCT FROM
            (NEW.id, NEW.at, NEW.actor, NEW.entity, NEW.entity_id, NEW.operation, NEW.before, NEW.after) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'P0001',
        HINT = 'corrections are new audit rows, never edits';
END;
$$;

-- The advisory lock that makes one session the chainer of this database ("plenary" in ASCII).
CREATE FUNCTION plenary_audit_chainer_key() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT 8101801424588142848::bigint
$$;

-- Seals up to `max_rows` committed unsealed rows, oldest id first, and returns how many; -1 when another session
-- is the chainer (holds the advisory lock), so this one must leave the work to it. The head is locked for the
-- batch, so two sealers could never interleave even without the advisory lock; the lock keeps them from queueing.
-- One NOTIFY per batch, carrying the new head's seq, wakes the servers' watchers.
CREATE FUNCTION plenary_audit_seal(max_rows integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    head_seq bigint;
    head_hash bytea;
    previous bytea;
    pending record;
    sealed integer := 0;
BEGIN
    IF NOT pg_try_advisory_xact_lock(plenary_audit_chainer_key()) THEN
        RETURN -1;
    END IF;
    SELECT seq, hash INTO head_seq, head_hash FROM audit_head FOR UPDATE;
    PERFORM set_config('plenary.audit_sealing', 'on', true);
    FOR pending IN
        SELECT id, at, actor, entity, entity_id, operation, before, after
        FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT max_rows
    LOOP
        previous := head_hash;
        head_seq := head_seq + 1;
        head_hash := sha256(previous || plenary_audit_content(
            head_seq, pending.at, pending.actor, pending.entity, pending.entity_id, pending.operation, pending.before,
            pending.after));
        UPDATE audit_log SET seq = head_seq, prev_hash = previous, hash = head_hash WHERE id = pending.id;
        sealed := sealed + 1;
    END LOOP;
    PERFORM set_config('plenary.audit_sealing', 'off', true);
    IF sealed > 0 THEN
        UPDATE audit_head SET seq = head_seq, hash = head_hash;
        PERFORM pg_notify('plenary_events', head_seq::text);
    END IF;
    RETURN sealed;
END;
$$;

-- Bulk paths (issue 13, item 5): a language version's row trigger did nothing on INSERT but set `updated_at` to
-- now(), which the column's default already does; it ran for every one of the six versions of every document
-- loaded. It now fires on UPDATE only, where its rules (status never goes back, identity fixed) apply.
DROP TRIGGER document_versions_rules ON document_versions;
CREATE TRIGGER document_versions_rules BEFORE UPDATE ON document_versions
    FOR EACH ROW EXECUTE FUNCTION plenary_document_version_rules();

-- A document's rules (plenary_document_rules) ran per row, with three or four lookups each, on every document an
-- import COPYs. `plenary import` now checks the same rules set-based, one statement per rule over each chunk it
-- has just copied (TransferStore/Loader+Documents.swift), and for that chunk only sets `plenary.rows_checked` to
-- its own transaction id; the insert trigger stands aside while the setting names the running transaction. So:
--   * any other insert — the services, psql, a COPY by hand — meets the row trigger as before;
--   * the setting cannot outlive the import: it names one transaction id, is set with set_config(…, true) inside
--     a savepoint and cleared before the chunk's savepoint is released; a session that left it set at session
--     level still meets the trigger in its next transaction;
--   * a chunk whose set-based check finds a fault is rolled back and loaded again with the trigger, which names
--     the first record at fault exactly as before.
-- Updates keep the row trigger unconditionally (identity and reissue rules).
DROP TRIGGER documents_rules ON documents;
CREATE TRIGGER documents_rules BEFORE UPDATE ON documents
    FOR EACH ROW EXECUTE FUNCTION plenary_document_rules();
CREATE TRIGGER documents_rules_insert BEFORE INSERT ON documents
    FOR EACH ROW WHEN (current_setting('plenary.rows_checked', true) IS DISTINCT FROM txid_current()::text)
    EXECUTE FUNCTION plenary_document_rules();
