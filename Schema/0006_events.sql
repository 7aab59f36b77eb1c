-- Change events: every audit row, once committed, is announced on the channel `plenary_events` with its seq as the
-- payload. `watch` streams the audit trail itself; the notification only wakes the servers listening (several may
-- share one database) so they read the new rows by seq instead of polling. The payload stays small on purpose:
-- NOTIFY payloads are limited to 8000 bytes and a lost or merged notification must cost nothing but a wake-up.
-- NOTIFY is transactional, so a rolled-back change announces nothing and a committed one is announced after its
-- row is visible.

CREATE FUNCTION plenary_audit_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plenary_events', NEW.seq::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER audit_log_notify AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION plenary_audit_notify();
