-- Closing an account (issue 10 item 4). The account's rows are deleted, but its audit events
-- stay under its id: so audit_events loses its foreign key to accounts, and the one change the
-- append-only log allows is the narrow exception below: blanking the client address (personal
-- data: UK GDPR art. 4(1)) of an event, every other column unchanged. Closure does that to the
-- account's earlier events.
ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_account_id_fkey;

CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.client_ip IS NULL AND NEW.id = OLD.id AND NEW.kind = OLD.kind
       AND NEW.occurred_at = OLD.occurred_at
       AND NEW.account_id IS NOT DISTINCT FROM OLD.account_id
       AND NEW.detail IS NOT DISTINCT FROM OLD.detail THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;

-- Proving attempts outlive a closed account too: under its retired id, a keyed hash of each
-- document still counts against that document, so closing and re-creating an account gives no
-- new tries at someone else's passport (issue 11.5).
ALTER TABLE proving_attempts DROP CONSTRAINT IF EXISTS proving_attempts_account_id_fkey;

-- Ids of closed accounts, never given to a new account: a pairwise subject is derived from the
-- account id, so a new account with a retired id would reach services as the person who left
-- (OpenID Connect Core §8: a subject is never reassigned).
CREATE TABLE retired_accounts (
    account_id TEXT PRIMARY KEY,
    retired_at BIGINT NOT NULL
);
