-- Access tokens for the admin protocol. Only a hash of each secret is stored; the secret is shown once.

CREATE TABLE tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL,
    role         text NOT NULL,
    -- The public part of the token, used to find its row without comparing secrets in SQL.
    lookup       text NOT NULL,
    -- SHA-256 of the secret part.
    secret_hash  bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    CONSTRAINT tokens_lookup_key UNIQUE (lookup),
    CONSTRAINT tokens_role_valid CHECK (role IN ('observer', 'secretariat', 'admin')),
    CONSTRAINT tokens_name_format CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    CONSTRAINT tokens_hash_length CHECK (length(secret_hash) = 32)
);

-- A name identifies one live token at a time; revoked tokens keep their rows (and names) as history.
CREATE UNIQUE INDEX tokens_active_name_key ON tokens (name) WHERE revoked_at IS NULL;
