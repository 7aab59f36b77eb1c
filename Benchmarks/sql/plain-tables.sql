-- The tables the import's ceiling loads into: the same columns, defaults, keys and indexes as the registry's
-- documents and document_versions, but no trigger, no foreign key and no check beyond NOT NULL — what `COPY`
-- costs PostgreSQL when nothing but storing and indexing the rows runs.
\set ON_ERROR_STOP on
CREATE TABLE plain_documents (LIKE documents INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED
    INCLUDING INDEXES);
CREATE TABLE plain_document_versions (LIKE document_versions INCLUDING DEFAULTS INCLUDING IDENTITY
    INCLUDING GENERATED INCLUDING INDEXES);
