-- Proving attempts (issue 11.5): each document check and each marked question set, counted per
-- account and per claimed document across journeys and sessions. `document_key` is a keyed hash
-- (HMAC-SHA256) of the document, never its number. An attempt is inserted as `pending` before
-- its check runs ("reserve, then verify"), then marked `failed`, or deleted when it matched.
CREATE TABLE proving_attempts (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    kind         TEXT NOT NULL,
    document_key TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    started_at   BIGINT NOT NULL
);
CREATE INDEX proving_attempts_by_account ON proving_attempts (account_id, kind, started_at);
CREATE INDEX proving_attempts_by_document ON proving_attempts (document_key, kind, started_at);
