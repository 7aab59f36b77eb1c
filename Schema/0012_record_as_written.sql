-- The record as it is written: every UN symbol form the registry's grammar reads, and history entered as history.
--
-- Symbols. The Swift grammar (Sources/Documents/DocumentSymbol.swift) reads the series, any number of bodies
-- (numbered in arabic or Roman, lettered, or named by a word), the session (also a special session, `S-26`) or year,
-- the special and serial components, the modifiers, a resolution's lettered part (`A/RES/49/221 B`) and a
-- parenthetical. The shape check below admits every form it prints; the functions that read the year, the session
-- and the working group out of a stored (canonical) symbol give what the Swift grammar gives, and
-- Tests/DocumentsTests/SymbolDatabaseAgreementTests.swift feeds both the same table of cases.
--
-- History. `session record` and `meeting record` enter a session or meeting that has met. Such a row is marked
-- `recorded`; it must have ended before the server's date when it is entered, and a recorded session is closed.
-- Rows entered by import carry their own status and are not marked. A meeting whose days have passed and that was
-- not cancelled reads as held (plenary_meeting_status): derived at read time, never stored.

-- MARK: Symbols

-- A stored symbol's shape: canonical components separated by `/`, a special session (`S-26`, `ES-10`), then perhaps a
-- lettered part and a parenthetical. The reissue mark is not stored in the symbol (documents.reissued holds it).
CREATE FUNCTION plenary_symbol_shape(symbol text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT length(symbol) <= 200
        AND symbol ~ '^[A-Z][A-Za-z0-9.]*(/([A-Za-z0-9.]+|E?S-[1-9][0-9]{0,2}))*( [A-Z])?( \([0-9A-Z]+\))?$'
$$;

ALTER TABLE documents DROP CONSTRAINT documents_symbol_format;
ALTER TABLE documents ADD CONSTRAINT documents_symbol_format CHECK (plenary_symbol_shape(symbol));

-- A canonical upper-case Roman numeral's value, or NULL (the session of `A/RES/1514 (XV)`).
CREATE FUNCTION plenary_roman(numeral text) RETURNS integer LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    units integer[] := ARRAY[1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1];
    numerals text[] := ARRAY['M', 'CM', 'D', 'CD', 'C', 'XC', 'L', 'XL', 'X', 'IX', 'V', 'IV', 'I'];
    rest text := numeral;
    total integer := 0;
BEGIN
    FOR i IN 1 .. 13 LOOP
        WHILE starts_with(rest, numerals[i]) LOOP
            total := total + units[i];
            rest := substr(rest, length(numerals[i]) + 1);
        END LOOP;
    END LOOP;
    IF rest <> '' OR total = 0 THEN
        RETURN NULL;
    END IF;
    RETURN total;
END;
$$;

-- The symbol's year, as the Swift grammar reads it: a four-digit component, 1946 … 2100 (the one rule for years),
-- in the session place — followed by another component that is not a modifier (`A/59/2005/Add.1` has serial 2005
-- and no year) — or else the year in a final parenthetical (`S/RES/1566 (2004)`).
CREATE OR REPLACE FUNCTION plenary_symbol_year(symbol text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(
        (regexp_match(symbol,
            '/(194[6-9]|19[5-9][0-9]|20[0-9][0-9]|2100)/(?!(Rev|Corr|Add|Amend)\.|Summary([/ ]|$))'))[1]::integer,
        (regexp_match(symbol, ' \((194[6-9]|19[5-9][0-9]|20[0-9][0-9]|2100)\)$'))[1]::integer)
$$;

-- The symbol's session number, as the Swift grammar reads it: a component of one to three digits in the session
-- place (followed by a component that is not a modifier: `A/C.5/61/L.20`, `A/RES/61/1`), or the Roman session of a
-- final parenthetical (`A/RES/1514 (XV)`). A special session (`S-26`) is not a session number.
CREATE FUNCTION plenary_symbol_session(symbol text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(
        (regexp_match(symbol, '/([1-9][0-9]{0,2})/(?!(Rev|Corr|Add|Amend)\.|Summary([/ ]|$))'))[1]::integer,
        plenary_roman((regexp_match(symbol, ' \(([IVXLCDM]+)\)$'))[1]))
$$;

-- The symbol's working group (`WG.4`, `WG.III`): the innermost one when there are several, as in Swift.
CREATE OR REPLACE FUNCTION plenary_symbol_working_group(symbol text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT t.m[1] FROM regexp_matches(symbol, '/(WG\.([1-9][0-9]*|[A-Z]+))(?=/)', 'g') WITH ORDINALITY AS t (m, n)
    ORDER BY t.n DESC LIMIT 1
$$;

-- The session-number agreement (held in Swift by DocumentRules.agree): a symbol that carries a session number is
-- filed under that session. Runs after documents_rules (triggers fire in name order), so the body, working group
-- and year are named first, as Swift names them.
CREATE FUNCTION plenary_document_session_agrees() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    carried integer;
    filed integer;
    body_code text;
BEGIN
    IF NEW.session_id IS NULL THEN
        RETURN NEW;
    END IF;
    carried := plenary_symbol_session(NEW.symbol);
    IF carried IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT s.number, b.code INTO filed, body_code FROM sessions s JOIN bodies b ON b.id = s.body_id
    WHERE s.id = NEW.session_id;
    IF FOUND AND filed <> carried THEN
        PERFORM plenary_refuse('documents_symbol_session', format(
            'symbol: %s carries session %s, but it is filed under session %s of %s', NEW.symbol, carried, filed,
            body_code));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER documents_session_agrees BEFORE INSERT ON documents
    FOR EACH ROW EXECUTE FUNCTION plenary_document_session_agrees();

-- MARK: History

ALTER TABLE sessions ADD COLUMN recorded boolean NOT NULL DEFAULT false;
ALTER TABLE sessions ADD CONSTRAINT sessions_recorded_is_closed CHECK (NOT recorded OR status = 'closed');
ALTER TABLE working_group_meetings ADD COLUMN recorded boolean NOT NULL DEFAULT false;
ALTER TABLE working_group_meetings ADD CONSTRAINT working_group_meetings_recorded_is_scheduled
    CHECK (NOT recorded OR status = 'scheduled');

-- A session or meeting entered as history has met: its last day is before the server's date.
CREATE FUNCTION plenary_recorded_has_met() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.recorded AND NEW.end_date >= current_date THEN
        PERFORM plenary_refuse(TG_TABLE_NAME || '_recorded_has_met', format(
            'end: %s is not past (today is %s); only a %s that has met is recorded, a later one is scheduled',
            NEW.end_date, current_date,
            CASE TG_TABLE_NAME WHEN 'sessions' THEN 'session' ELSE 'meeting' END));
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sessions_recorded_has_met BEFORE INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION plenary_recorded_has_met();
CREATE TRIGGER working_group_meetings_recorded_has_met BEFORE INSERT ON working_group_meetings
    FOR EACH ROW EXECUTE FUNCTION plenary_recorded_has_met();

-- How a meeting reads: a scheduled meeting whose days have passed was held.
CREATE FUNCTION plenary_meeting_status(status text, end_date date) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN status = 'scheduled' AND end_date < current_date THEN 'held' ELSE status END
$$;
