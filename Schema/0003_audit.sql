-- The audit trail: every change, in every module, writes one row in the same transaction. Rows are append-only
-- (the database refuses UPDATE, DELETE and TRUNCATE) and chained: each row stores SHA-256 over its content and
-- the previous row's hash, so `audit verify` finds any edit, insertion or gap.

CREATE TABLE audit_log (
    seq        bigint PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor      text NOT NULL,
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    operation  text NOT NULL,
    before     jsonb,
    after      jsonb,
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL,
    CONSTRAINT audit_log_actor_not_blank CHECK (btrim(actor) <> ''),
    CONSTRAINT audit_log_entity_format CHECK (entity ~ '^[a-z][a-z-]*$'),
    CONSTRAINT audit_log_operation_format CHECK (operation ~ '^[a-z][a-z-]*$')
);

CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, seq);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- The head of the chain: one row, locked by each insert, so sequence numbers are gapless and the chain has one
-- order even when many transactions write at once.
CREATE TABLE audit_head (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq       bigint NOT NULL,
    hash      bytea NOT NULL
);
INSERT INTO audit_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));

-- The exact bytes a row's hash covers. Timestamps in UTC with microseconds and jsonb's canonical text keep it
-- independent of the session's settings.
CREATE FUNCTION plenary_audit_content(
    seq bigint, at timestamptz, actor text, entity text, entity_id text, operation text, before jsonb, after jsonb
) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to(concat_ws(E'\x1f',
        seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), actor, entity, entity_id,
        operation, coalesce(before::text, 'null'), coalesce(after::text, 'null')), 'UTF8')
$$;

CREATE FUNCTION plenary_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head audit_head%ROWTYPE;
BEGIN
    SELECT * INTO head FROM audit_head FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.at := clock_timestamp();
    NEW.prev_hash := head.hash;
    NEW.hash := sha256(NEW.prev_hash || plenary_audit_content(
        NEW.seq, NEW.at, NEW.actor, NEW.entity, NEW.entity_id, NEW.operation, NEW.before, NEW.after));
    UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION plenary_audit_chain();

CREATE FUNCTION plenary_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'P0001',
        HINT = 'corrections are new audit rows, never edits';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION plenary_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION plenary_audit_append_only();
