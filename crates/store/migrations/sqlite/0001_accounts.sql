-- Citizens' accounts. Times are unix seconds; ids are TEXT (UUIDs).
CREATE TABLE accounts (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL,
    -- trimmed and lower-cased: one account per address, whatever its case
    email_normalised  TEXT NOT NULL UNIQUE,
    password_hash     TEXT NOT NULL,
    totp_secret       TEXT,
    -- last TOTP time step accepted: a code is accepted once (RFC 6238 §5.2)
    totp_last_step    BIGINT,
    created_at        BIGINT NOT NULL,
    email_verified_at BIGINT,
    updated_at        BIGINT NOT NULL
);

-- Append-only: what happened to an account, for the citizen and for investigators.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  TEXT REFERENCES accounts (id),
    kind        TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    client_ip   TEXT,
    detail      TEXT
);
CREATE INDEX audit_events_by_account ON audit_events (account_id, occurred_at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
