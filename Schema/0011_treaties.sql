-- Instruments and parties: the Convention and the Protocols that supplement it, and who did what to which of
-- them, on which day (issue 14).
--
-- What a treaty section keeps is the record of acts — signatures, instruments of ratification, acceptance,
-- approval, accession or succession, declarations, reservations and notifications, their withdrawals, and
-- denunciations — each with its date. Everything else is derived from those acts and never stored: the status of a
-- participant (signatory, contracting, party, denounced), the day an instrument entered into force for it, the
-- parties as of any day, the count over time, and the instrument's own entry into force (the Treaties module,
-- Sources/Treaties/EntryIntoForce.swift, applies article 38 to the deposits; a date recorded with the instrument
-- stands where the deposits are not known, and is flagged where they disagree).
--
-- The rules of the final clauses that concern what may be entered are held here, whoever connects: acts are
-- history (never updated or deleted), every act of a treaty family (a Convention and its Protocols) first locks
-- the Convention's row, so concurrent acts on one treaty take turns and every check below sees the acts committed
-- before it. Refusals raise SQLSTATE PL551 (plenary_refuse, Schema/0004) naming the key and the rule.
--
-- Decisions taken where the final clauses leave room (docs/ARCHITECTURE.md, "Instruments and parties"):
-- - accession is for a participant that has not signed; a signatory ratifies, accepts or approves;
-- - one instrument of consent per participant and instrument, unless an earlier one was denounced and the
--   denunciation has taken effect (one year after its receipt): the participant may then join again;
-- - denouncing the Convention denounces its Protocols: derived (the Protocol's status looks at the Convention's
--   denunciation), not written as extra rows;
-- - the seed's rule: an instrument of consent for a Protocol needs the same participant's instrument for the
--   Convention on the same day or before, not denounced in between; and a Convention denunciation cannot be
--   entered with a receipt before a Protocol instrument that relied on it.

-- The reference list: States by ISO 3166-1 alpha-3 code with their United Nations short names (the 193 Member
-- States, the two observer States, Cook Islands and Niue, which take part in treaties in their own right), and the
-- regional economic integration organizations. ISO assigns no alpha-3 code to the European Union; Plenary uses
-- EUU (the code the World Bank and others use for it), which is never an ISO code of a State.
CREATE TABLE treaty_participants (
    code  text PRIMARY KEY,
    name  text NOT NULL,
    kind  text NOT NULL,
    CONSTRAINT treaty_participants_code_format CHECK (code ~ '^[A-Z]{3}$'),
    CONSTRAINT treaty_participants_name_key UNIQUE (name),
    CONSTRAINT treaty_participants_kind_valid CHECK (kind IN ('state', 'reio'))
);

INSERT INTO treaty_participants (code, name, kind) VALUES
    ('AFG', 'Afghanistan', 'state'),
    ('ALB', 'Albania', 'state'),
    ('DZA', 'Algeria', 'state'),
    ('AND', 'Andorra', 'state'),
    ('AGO', 'Angola', 'state'),
    ('ATG', 'Antigua and Barbuda', 'state'),
    ('ARG', 'Argentina', 'state'),
    ('ARM', 'Armenia', 'state'),
    ('AUS', 'Australia', 'state'),
    ('AUT', 'Austria', 'state'),
    ('AZE', 'Azerbaijan', 'state'),
    ('BHS', 'Bahamas', 'state'),
    ('BHR', 'Bahrain', 'state'),
    ('BGD', 'Bangladesh', 'state'),
    ('BRB', 'Barbados', 'state'),
    ('BLR', 'Belarus', 'state'),
    ('BEL', 'Belgium', 'state'),
    ('BLZ', 'Belize', 'state'),
    ('BEN', 'Benin', 'state'),
    ('BTN', 'Bhutan', 'state'),
    ('BOL', 'Bolivia (Plurinational State of)', 'state'),
    ('BIH', 'Bosnia and Herzegovina', 'state'),
    ('BWA', 'Botswana', 'state'),
    ('BRA', 'Brazil', 'state'),
    ('BRN', 'Brunei Darussalam', 'state'),
    ('BGR', 'Bulgaria', 'state'),
    ('BFA', 'Burkina Faso', 'state'),
    ('BDI', 'Burundi', 'state'),
    ('CPV', 'Cabo Verde', 'state'),
    ('KHM', 'Cambodia', 'state'),
    ('CMR', 'Cameroon', 'state'),
    ('CAN', 'Canada', 'state'),
    ('CAF', 'Central African Republic', 'state'),
    ('TCD', 'Chad', 'state'),
    ('CHL', 'Chile', 'state'),
    ('CHN', 'China', 'state'),
    ('COL', 'Colombia', 'state'),
    ('COM', 'Comoros', 'state'),
    ('COG', 'Congo', 'state'),
    ('COK', 'Cook Islands', 'state'),
    ('CRI', 'Costa Rica', 'state'),
    ('CIV', 'Côte d''Ivoire', 'state'),
    ('HRV', 'Croatia', 'state'),
    ('CUB', 'Cuba', 'state'),
    ('CYP', 'Cyprus', 'state'),
    ('CZE', 'Czechia', 'state'),
    ('PRK', 'Democratic People''s Republic of Korea', 'state'),
    ('COD', 'Democratic Republic of the Congo', 'state'),
    ('DNK', 'Denmark', 'state'),
    ('DJI', 'Djibouti', 'state'),
    ('DMA', 'Dominica', 'state'),
    ('DOM', 'Dominican Republic', 'state'),
    ('ECU', 'Ecuador', 'state'),
    ('EGY', 'Egypt', 'state'),
    ('SLV', 'El Salvador', 'state'),
    ('GNQ', 'Equatorial Guinea', 'state'),
    ('ERI', 'Eritrea', 'state'),
    ('EST', 'Estonia', 'state'),
    ('SWZ', 'Eswatini', 'state'),
    ('ETH', 'Ethiopia', 'state'),
    ('FJI', 'Fiji', 'state'),
    ('FIN', 'Finland', 'state'),
    ('FRA', 'France', 'state'),
    ('GAB', 'Gabon', 'state'),
    ('GMB', 'Gambia', 'state'),
    ('GEO', 'Georgia', 'state'),
    ('DEU', 'Germany', 'state'),
    ('GHA', 'Ghana', 'state'),
    ('GRC', 'Greece', 'state'),
    ('GRD', 'Grenada', 'state'),
    ('GTM', 'Guatemala', 'state'),
    ('GIN', 'Guinea', 'state'),
    ('GNB', 'Guinea-Bissau', 'state'),
    ('GUY', 'Guyana', 'state'),
    ('HTI', 'Haiti', 'state'),
    ('VAT', 'Holy See', 'state'),
    ('HND', 'Honduras', 'state'),
    ('HUN', 'Hungary', 'state'),
    ('ISL', 'Iceland', 'state'),
    ('IND', 'India', 'state'),
    ('IDN', 'Indonesia', 'state'),
    ('IRN', 'Iran (Islamic Republic of)', 'state'),
    ('IRQ', 'Iraq', 'state'),
    ('IRL', 'Ireland', 'state'),
    ('ISR', 'Israel', 'state'),
    ('ITA', 'Italy', 'state'),
    ('JAM', 'Jamaica', 'state'),
    ('JPN', 'Japan', 'state'),
    ('JOR', 'Jordan', 'state'),
    ('KAZ', 'Kazakhstan', 'state'),
    ('KEN', 'Kenya', 'state'),
    ('KIR', 'Kiribati', 'state'),
    ('KWT', 'Kuwait', 'state'),
    ('KGZ', 'Kyrgyzstan', 'state'),
    ('LAO', 'Lao People''s Democratic Republic', 'state'),
    ('LVA', 'Latvia', 'state'),
    ('LBN', 'Lebanon', 'state'),
    ('LSO', 'Lesotho', 'state'),
    ('LBR', 'Liberia', 'state'),
    ('LBY', 'Libya', 'state'),
    ('LIE', 'Liechtenstein', 'state'),
    ('LTU', 'Lithuania', 'state'),
    ('LUX', 'Luxembourg', 'state'),
    ('MDG', 'Madagascar', 'state'),
    ('MWI', 'Malawi', 'state'),
    ('MYS', 'Malaysia', 'state'),
    ('MDV', 'Maldives', 'state'),
    ('MLI', 'Mali', 'state'),
    ('MLT', 'Malta', 'state'),
    ('MHL', 'Marshall Islands', 'state'),
    ('MRT', 'Mauritania', 'state'),
    ('MUS', 'Mauritius', 'state'),
    ('MEX', 'Mexico', 'state'),
    ('FSM', 'Micronesia (Federated States of)', 'state'),
    ('MCO', 'Monaco', 'state'),
    ('MNG', 'Mongolia', 'state'),
    ('MNE', 'Montenegro', 'state'),
    ('MAR', 'Morocco', 'state'),
    ('MOZ', 'Mozambique', 'state'),
    ('MMR', 'Myanmar', 'state'),
    ('NAM', 'Namibia', 'state'),
    ('NRU', 'Nauru', 'state'),
    ('NPL', 'Nepal', 'state'),
    ('NLD', 'Netherlands (Kingdom of the)', 'state'),
    ('NZL', 'New Zealand', 'state'),
    ('NIC', 'Nicaragua', 'state'),
    ('NER', 'Niger', 'state'),
    ('NGA', 'Nigeria', 'state'),
    ('NIU', 'Niue', 'state'),
    ('MKD', 'North Macedonia', 'state'),
    ('NOR', 'Norway', 'state'),
    ('OMN', 'Oman', 'state'),
    ('PAK', 'Pakistan', 'state'),
    ('PLW', 'Palau', 'state'),
    ('PSE', 'State of Palestine', 'state'),
    ('PAN', 'Panama', 'state'),
    ('PNG', 'Papua New Guinea', 'state'),
    ('PRY', 'Paraguay', 'state'),
    ('PER', 'Peru', 'state'),
    ('PHL', 'Philippines', 'state'),
    ('POL', 'Poland', 'state'),
    ('PRT', 'Portugal', 'state'),
    ('QAT', 'Qatar', 'state'),
    ('KOR', 'Republic of Korea', 'state'),
    ('MDA', 'Republic of Moldova', 'state'),
    ('ROU', 'Romania', 'state'),
    ('RUS', 'Russian Federation', 'state'),
    ('RWA', 'Rwanda', 'state'),
    ('KNA', 'Saint Kitts and Nevis', 'state'),
    ('LCA', 'Saint Lucia', 'state'),
    ('VCT', 'Saint Vincent and the Grenadines', 'state'),
    ('WSM', 'Samoa', 'state'),
    ('SMR', 'San Marino', 'state'),
    ('STP', 'Sao Tome and Principe', 'state'),
    ('SAU', 'Saudi Arabia', 'state'),
    ('SEN', 'Senegal', 'state'),
    ('SRB', 'Serbia', 'state'),
    ('SYC', 'Seychelles', 'state'),
    ('SLE', 'Sierra Leone', 'state'),
    ('SGP', 'Singapore', 'state'),
    ('SVK', 'Slovakia', 'state'),
    ('SVN', 'Slovenia', 'state'),
    ('SLB', 'Solomon Islands', 'state'),
    ('SOM', 'Somalia', 'state'),
    ('ZAF', 'South Africa', 'state'),
    ('SSD', 'South Sudan', 'state'),
    ('ESP', 'Spain', 'state'),
    ('LKA', 'Sri Lanka', 'state'),
    ('SDN', 'Sudan', 'state'),
    ('SUR', 'Suriname', 'state'),
    ('SWE', 'Sweden', 'state'),
    ('CHE', 'Switzerland', 'state'),
    ('SYR', 'Syrian Arab Republic', 'state'),
    ('TJK', 'Tajikistan', 'state'),
    ('THA', 'Thailand', 'state'),
    ('TLS', 'Timor-Leste', 'state'),
    ('TGO', 'Togo', 'state'),
    ('TON', 'Tonga', 'state'),
    ('TTO', 'Trinidad and Tobago', 'state'),
    ('TUN', 'Tunisia', 'state'),
    ('TUR', 'Türkiye', 'state'),
    ('TKM', 'Turkmenistan', 'state'),
    ('TUV', 'Tuvalu', 'state'),
    ('UGA', 'Uganda', 'state'),
    ('UKR', 'Ukraine', 'state'),
    ('ARE', 'United Arab Emirates', 'state'),
    ('GBR', 'United Kingdom of Great Britain and Northern Ireland', 'state'),
    ('TZA', 'United Republic of Tanzania', 'state'),
    ('USA', 'United States of America', 'state'),
    ('URY', 'Uruguay', 'state'),
    ('UZB', 'Uzbekistan', 'state'),
    ('VUT', 'Vanuatu', 'state'),
    ('VEN', 'Venezuela (Bolivarian Republic of)', 'state'),
    ('VNM', 'Viet Nam', 'state'),
    ('YEM', 'Yemen', 'state'),
    ('ZMB', 'Zambia', 'state'),
    ('ZWE', 'Zimbabwe', 'state'),
    ('EUU', 'European Union', 'reio');

-- The instruments of a body: a Convention, and the Protocols that supplement it (one level: a Protocol supplements
-- a Convention, never another Protocol). The entry-into-force rule is article 38's, in numbers: `threshold`
-- counted instruments, in force on the `eif_days`-th day after the deposit of the last of them, and for a later
-- depositor on the `later_days`-th day after its own deposit. `recorded_in_force` is a date known from the record
-- (the seed page's), kept beside the one the deposits give.
CREATE TABLE instruments (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id             bigint NOT NULL REFERENCES bodies (id),
    code                text NOT NULL,
    title               text NOT NULL,
    adopted_on          date NOT NULL,
    -- The adopting resolution, e.g. `General Assembly resolution 55/25`.
    adopted_by          text NOT NULL,
    supplements_id      bigint REFERENCES instruments (id),
    -- Where and until when it was open for signature; an instrument without a period takes no signatures.
    signature_place     text,
    signature_from      date,
    signature_until     date,
    depositary          text NOT NULL DEFAULT 'Secretary-General of the United Nations',
    -- Its texts: document symbols of the registry (six languages each); symbols, since they need not be registered.
    texts               text[] NOT NULL DEFAULT '{}',
    threshold           integer NOT NULL DEFAULT 40,
    eif_days            integer NOT NULL DEFAULT 90,
    later_days          integer NOT NULL DEFAULT 30,
    recorded_in_force   date,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT instruments_code_key UNIQUE (body_id, code),
    CONSTRAINT instruments_code_format CHECK (code ~ '^[A-Z][A-Z0-9-]{0,15}$'),
    CONSTRAINT instruments_title_not_blank CHECK (btrim(title) <> '' AND length(title) <= 1000),
    CONSTRAINT instruments_adopted_by_not_blank CHECK (btrim(adopted_by) <> '' AND length(adopted_by) <= 200),
    CONSTRAINT instruments_place_not_blank
        CHECK (signature_place IS NULL OR (btrim(signature_place) <> '' AND length(signature_place) <= 500)),
    CONSTRAINT instruments_depositary_not_blank CHECK (btrim(depositary) <> '' AND length(depositary) <= 500),
    -- Both ends or neither; from the adoption on; and never ending before it starts.
    CONSTRAINT instruments_signature_period CHECK (
        (signature_from IS NULL) = (signature_until IS NULL)
        AND (signature_from IS NULL OR (signature_from >= adopted_on AND signature_until >= signature_from))),
    CONSTRAINT instruments_threshold_range CHECK (threshold BETWEEN 1 AND 1000),
    -- A later depositor never waits longer than the first ones did.
    CONSTRAINT instruments_days_range CHECK (eif_days BETWEEN 0 AND 3650 AND later_days BETWEEN 0 AND eif_days),
    CONSTRAINT instruments_in_force_after_adoption CHECK (recorded_in_force IS NULL OR recorded_in_force > adopted_on),
    CONSTRAINT instruments_texts_format CHECK (
        cardinality(texts) <= 50
        AND array_to_string(texts, E'\n') ~ '^([A-Z][A-Za-z0-9.]*(/[A-Za-z0-9.()-]+)*\*?(\n|$))*$')
);

CREATE INDEX instruments_supplements_idx ON instruments (supplements_id) WHERE supplements_id IS NOT NULL;

-- `UNTOC of CTOC/COP`: how messages name an instrument.
CREATE FUNCTION plenary_instrument_name(instrument bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT i.code || ' of ' || b.code FROM instruments i JOIN bodies b ON b.id = i.body_id WHERE i.id = instrument
$$;

CREATE FUNCTION plenary_instrument_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent instruments%ROWTYPE;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        -- The acts entered against an instrument were checked against its dates and its Convention: changing
        -- them afterwards would make the record say what the checks never allowed.
        PERFORM plenary_refuse('instruments_fixed', format(
            'instrument: %s is fixed once added; instruments are never edited or deleted (%s refused)',
            plenary_instrument_name(OLD.id), TG_OP));
    END IF;
    IF NEW.supplements_id IS NOT NULL THEN
        SELECT * INTO parent FROM instruments WHERE id = NEW.supplements_id;
        IF NOT FOUND THEN
            RETURN NEW;  -- the foreign key names it
        END IF;
        IF parent.body_id <> NEW.body_id THEN
            PERFORM plenary_refuse('instruments_supplements_body', format(
                'supplements: %s is an instrument of another body', plenary_instrument_name(parent.id)));
        END IF;
        IF parent.supplements_id IS NOT NULL THEN
            PERFORM plenary_refuse('instruments_supplements_convention', format(
                'supplements: %s is itself a Protocol; a Protocol supplements the Convention',
                plenary_instrument_name(parent.id)));
        END IF;
        IF NEW.adopted_on < parent.adopted_on THEN
            PERFORM plenary_refuse('instruments_supplements_order', format(
                'adopted: %s is before the adoption of %s (%s) which it supplements', NEW.adopted_on,
                plenary_instrument_name(parent.id), parent.adopted_on));
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER instruments_rules BEFORE INSERT OR UPDATE OR DELETE ON instruments
    FOR EACH ROW EXECUTE FUNCTION plenary_instrument_rules();
CREATE TRIGGER instruments_no_truncate BEFORE TRUNCATE ON instruments
    FOR EACH STATEMENT EXECUTE FUNCTION plenary_keep_history();

-- The acts, each with its date (the date of deposit, of signature, of the depositary's receipt of a denunciation).
CREATE TABLE treaty_actions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instrument_id   bigint NOT NULL REFERENCES instruments (id),
    participant     text NOT NULL REFERENCES treaty_participants (code),
    kind            text NOT NULL,
    acted_on        date NOT NULL,
    -- The text of a declaration, reservation or notification, and the article it concerns (`35(2)`).
    wording         text,
    article         text,
    -- The declaration, reservation or notification a withdrawal withdraws.
    withdraws_id    bigint REFERENCES treaty_actions (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT treaty_actions_kind_valid CHECK (kind IN (
        'signature', 'ratification', 'acceptance', 'approval', 'accession', 'succession', 'declaration',
        'reservation', 'notification', 'withdrawal', 'denunciation')),
    CONSTRAINT treaty_actions_text_matches CHECK (
        (kind IN ('declaration', 'reservation', 'notification')) = (wording IS NOT NULL)),
    CONSTRAINT treaty_actions_text_length CHECK (wording IS NULL OR (btrim(wording) <> '' AND length(wording) <= 20000)),
    CONSTRAINT treaty_actions_article_format CHECK (article IS NULL OR (
        kind IN ('declaration', 'reservation', 'notification')
        AND article ~ '^[1-9][0-9]{0,2}( ?\([0-9a-z]{1,4}\))*$')),
    CONSTRAINT treaty_actions_withdraws_matches CHECK ((kind = 'withdrawal') = (withdraws_id IS NOT NULL))
);

CREATE UNIQUE INDEX treaty_actions_signature_once ON treaty_actions (instrument_id, participant)
    WHERE kind = 'signature';
CREATE UNIQUE INDEX treaty_actions_withdrawn_once ON treaty_actions (withdraws_id) WHERE withdraws_id IS NOT NULL;
CREATE INDEX treaty_actions_instrument_idx ON treaty_actions (instrument_id, participant, acted_on);
CREATE INDEX treaty_actions_participant_idx ON treaty_actions (participant);

-- The kinds that are instruments of consent to be bound.
CREATE FUNCTION plenary_is_consent(kind text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT kind IN ('ratification', 'acceptance', 'approval', 'accession', 'succession')
$$;

-- The day a denunciation received on `received` takes effect: one year later (article 40).
CREATE FUNCTION plenary_denunciation_effective(received date) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT (received + interval '1 year')::date
$$;

CREATE FUNCTION plenary_treaty_action_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i instruments%ROWTYPE;
    root bigint;
    who treaty_participants%ROWTYPE;
    this text;
    signed date;
    earlier treaty_actions%ROWTYPE;
    target treaty_actions%ROWTYPE;
    relied date;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        -- Acts are history: a mistaken entry is not rewritten; and a Convention deposit that a Protocol deposit
        -- relied on must not be re-dated or deleted from under it.
        PERFORM plenary_refuse('treaty_actions_kept', format(
            'treaty: acts are history and are never edited or deleted (%s refused)', TG_OP));
    END IF;
    SELECT * INTO i FROM instruments WHERE id = NEW.instrument_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key names it
    END IF;
    -- One writer per treaty family at a time: every check below then sees every act committed before it, so two
    -- deposits cannot both pass as "the only one", nor a Protocol deposit race a Convention denunciation.
    root := coalesce(i.supplements_id, i.id);
    PERFORM 1 FROM instruments WHERE id = root FOR NO KEY UPDATE;
    this := plenary_instrument_name(i.id);

    SELECT * INTO who FROM treaty_participants WHERE code = NEW.participant;
    IF NOT FOUND THEN
        PERFORM plenary_refuse('treaty_actions_participant_fkey', format(
            'state: %s is not in the reference list (ISO 3166-1 alpha-3 codes of States, and EUU for the '
            'European Union)', NEW.participant));
    END IF;
    IF NEW.acted_on < i.adopted_on THEN
        PERFORM plenary_refuse('treaty_actions_after_adoption', format(
            'date: %s is before the adoption of %s on %s', NEW.acted_on, this, i.adopted_on));
    END IF;
    SELECT min(acted_on) INTO signed FROM treaty_actions
    WHERE instrument_id = i.id AND participant = NEW.participant AND kind = 'signature';

    IF NEW.kind = 'signature' THEN
        IF i.signature_from IS NULL THEN
            PERFORM plenary_refuse('treaty_actions_signature_period', format(
                'date: %s was never open for signature; a State becomes party by accession', this));
        END IF;
        IF NEW.acted_on NOT BETWEEN i.signature_from AND i.signature_until THEN
            PERFORM plenary_refuse('treaty_actions_signature_period', format(
                'date: %s is outside the period %s was open for signature (%s to %s); after it closed, a State '
                'accedes', NEW.acted_on, this, i.signature_from, i.signature_until));
        END IF;
        IF signed IS NOT NULL THEN
            PERFORM plenary_refuse('treaty_actions_signature_once', format(
                'state: %s already signed %s on %s; a participant signs once', NEW.participant, this, signed));
        END IF;
    END IF;

    IF plenary_is_consent(NEW.kind) THEN
        -- A second instrument of consent: only after the first was denounced and the denunciation took effect.
        SELECT c.* INTO earlier FROM treaty_actions c
        WHERE c.instrument_id = i.id AND c.participant = NEW.participant AND plenary_is_consent(c.kind)
          AND NOT EXISTS (
              SELECT 1 FROM treaty_actions d
              WHERE d.instrument_id IN (i.id, root) AND d.participant = NEW.participant AND d.kind = 'denunciation'
                AND d.acted_on >= c.acted_on AND plenary_denunciation_effective(d.acted_on) <= NEW.acted_on)
        ORDER BY c.acted_on LIMIT 1;
        IF FOUND THEN
            PERFORM plenary_refuse('treaty_actions_consent_once', format(
                'kind: %s already deposited an instrument of %s for %s on %s; a second one is refused unless the '
                'first was denounced and the denunciation has taken effect', NEW.participant, earlier.kind, this,
                earlier.acted_on));
        END IF;
        IF NEW.kind IN ('ratification', 'acceptance', 'approval') AND (signed IS NULL OR signed > NEW.acted_on) THEN
            PERFORM plenary_refuse('treaty_actions_signature_first', format(
                'kind: %s by %s of %s on %s needs a prior signature, and %s; a participant that has not signed '
                'accedes (kind=accession)', NEW.kind, NEW.participant, this, NEW.acted_on,
                CASE WHEN signed IS NULL THEN 'it has not signed' ELSE 'it signed only on ' || signed END));
        END IF;
        IF NEW.kind = 'accession' AND signed IS NOT NULL THEN
            PERFORM plenary_refuse('treaty_actions_accession_unsigned', format(
                'kind: %s signed %s on %s; a signatory ratifies, accepts or approves (kind=ratification|acceptance|'
                'approval), accession is for those that did not sign', NEW.participant, this, signed));
        END IF;
        -- The seed's rule: parties to the Convention before (or on the same day as) any of its Protocols.
        IF i.supplements_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM treaty_actions c
            WHERE c.instrument_id = root AND c.participant = NEW.participant AND plenary_is_consent(c.kind)
              AND c.acted_on <= NEW.acted_on
              AND NOT EXISTS (
                  SELECT 1 FROM treaty_actions d
                  WHERE d.instrument_id = root AND d.participant = NEW.participant AND d.kind = 'denunciation'
                    AND d.acted_on >= c.acted_on AND d.acted_on <= NEW.acted_on))
        THEN
            PERFORM plenary_refuse('treaty_actions_convention_first', format(
                'instrument: %s has deposited no instrument for %s on or before %s; a State becomes party to the '
                'Convention before (or on the same day as) any of its Protocols', NEW.participant,
                plenary_instrument_name(root), NEW.acted_on));
        END IF;
    END IF;

    IF NEW.kind IN ('declaration', 'reservation', 'notification') AND NOT EXISTS (
        SELECT 1 FROM treaty_actions a
        WHERE a.instrument_id = i.id AND a.participant = NEW.participant AND a.acted_on <= NEW.acted_on
          AND (a.kind = 'signature' OR plenary_is_consent(a.kind)))
    THEN
        PERFORM plenary_refuse('treaty_actions_declarant', format(
            'state: %s had neither signed nor deposited an instrument for %s by %s; a %s is made on signature, on '
            'deposit or after', NEW.participant, this, NEW.acted_on, NEW.kind));
    END IF;

    IF NEW.kind = 'withdrawal' THEN
        SELECT * INTO target FROM treaty_actions WHERE id = NEW.withdraws_id;
        IF NOT FOUND OR target.instrument_id <> i.id OR target.participant <> NEW.participant
            OR target.kind NOT IN ('declaration', 'reservation', 'notification')
        THEN
            PERFORM plenary_refuse('treaty_actions_withdrawal_target', format(
                'declaration: %s is not a declaration, reservation or notification of %s on %s', NEW.withdraws_id,
                NEW.participant, this));
        END IF;
        IF target.acted_on > NEW.acted_on THEN
            PERFORM plenary_refuse('treaty_actions_withdrawal_order', format(
                'date: %s is before the %s %s it withdraws was made (%s)', NEW.acted_on, target.kind, target.id,
                target.acted_on));
        END IF;
        IF EXISTS (SELECT 1 FROM treaty_actions WHERE withdraws_id = target.id) THEN
            PERFORM plenary_refuse('treaty_actions_withdrawn_once', format(
                'declaration: %s %s of %s on %s was already withdrawn', target.kind, target.id, NEW.participant, this));
        END IF;
    END IF;

    IF NEW.kind = 'denunciation' THEN
        -- Only a participant bound (or about to be) denounces, once per instrument of consent; denouncing the
        -- Convention has already denounced its Protocols.
        IF NOT EXISTS (
            SELECT 1 FROM treaty_actions c
            WHERE c.instrument_id = i.id AND c.participant = NEW.participant AND plenary_is_consent(c.kind)
              AND c.acted_on <= NEW.acted_on
              AND NOT EXISTS (
                  SELECT 1 FROM treaty_actions d
                  WHERE d.instrument_id IN (i.id, root) AND d.participant = NEW.participant
                    AND d.kind = 'denunciation' AND d.acted_on >= c.acted_on))
        THEN
            PERFORM plenary_refuse('treaty_actions_denunciation_bound', format(
                'state: %s had no instrument for %s in effect on %s that is not already denounced; only a State '
                'bound by it denounces it', NEW.participant, this, NEW.acted_on));
        END IF;
        IF i.supplements_id IS NULL THEN
            SELECT min(p.acted_on) INTO relied FROM treaty_actions p JOIN instruments pi ON pi.id = p.instrument_id
            WHERE pi.supplements_id = i.id AND p.participant = NEW.participant AND plenary_is_consent(p.kind)
              AND p.acted_on > NEW.acted_on;
            IF relied IS NOT NULL THEN
                PERFORM plenary_refuse('treaty_actions_convention_first', format(
                    'date: %s deposited an instrument for a Protocol to %s on %s, relying on its instrument for the '
                    'Convention; a denunciation received on %s would leave that Protocol deposit without it',
                    NEW.participant, this, relied, NEW.acted_on));
            END IF;
        END IF;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER treaty_actions_rules BEFORE INSERT OR UPDATE OR DELETE ON treaty_actions
    FOR EACH ROW EXECUTE FUNCTION plenary_treaty_action_rules();
CREATE TRIGGER treaty_actions_no_truncate BEFORE TRUNCATE ON treaty_actions
    FOR EACH STATEMENT EXECUTE FUNCTION plenary_keep_history();
