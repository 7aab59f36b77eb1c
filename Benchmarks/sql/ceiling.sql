-- The table PostgreSQL's insert ceiling writes to: shaped like a registration (a body, a unique symbol, a title,
-- a timestamp), with its keys and a check, but no trigger, no audit row and no event.
\set ON_ERROR_STOP on
CREATE TABLE registrations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id     integer NOT NULL,
    symbol      text NOT NULL UNIQUE,
    title       text NOT NULL CHECK (btrim(title) <> ''),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE registration_serial;
