-- Closing an account (issue 10 item 4). The account's rows are deleted, but its audit events
-- stay under its id: so audit_events loses its foreign key to accounts (SQLite cannot drop a
-- constraint, hence the copy), and the one change the append-only log allows is the narrow
-- exception below: blanking the client address (personal data: UK GDPR art. 4(1)) of an
-- event, every other column unchanged. Closure does that to the account's earlier events.
CREATE TABLE audit_events_kept (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  TEXT,
    kind        TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    client_ip   TEXT,
    detail      TEXT
);
INSERT INTO audit_events_kept (id, account_id, kind, occurred_at, client_ip, detail)
    SELECT id, account_id, kind, occurred_at, client_ip, detail FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_kept RENAME TO audit_events;
CREATE INDEX audit_events_by_account ON audit_events (account_id, occurred_at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (NEW.client_ip IS NULL AND NEW.id = OLD.id AND NEW.kind = OLD.kind
          AND NEW.occurred_at = OLD.occurred_at
          AND NEW.account_id IS OLD.account_id AND NEW.detail IS OLD.detail)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- Proving attempts outlive a closed account too: under its retired id, a keyed hash of each
-- document still counts against that document, so closing and re-creating an account gives no
-- new tries at someone else's passport (issue 11.5). Same copy, without the foreign key.
CREATE TABLE proving_attempts_kept (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    document_key TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    started_at   BIGINT NOT NULL
);
INSERT INTO proving_attempts_kept (id, account_id, kind, document_key, outcome, started_at)
    SELECT id, account_id, kind, document_key, outcome, started_at FROM proving_attempts;
DROP TABLE proving_attempts;
ALTER TABLE proving_attempts_kept RENAME TO proving_attempts;
CREATE INDEX proving_attempts_by_account ON proving_attempts (account_id, kind, started_at);
CREATE INDEX proving_attempts_by_document ON proving_attempts (document_key, kind, started_at);

-- Ids of closed accounts, never given to a new account: a pairwise subject is derived from the
-- account id, so a new account with a retired id would reach services as the person who left
-- (OpenID Connect Core §8: a subject is never reassigned).
CREATE TABLE retired_accounts (
    account_id TEXT PRIMARY KEY,
    retired_at BIGINT NOT NULL
);
