-- Account interventions (issue 10, "What an operator can do"). `status` is 'active',
-- 'suspended' (until an operator lifts it) or 'blocked' (for good); the two `*_required_at`
-- columns say since when the citizen owes a new password, or a new proof of identity (evidence
-- from before that time no longer counts), and are cleared when it is done.
ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE accounts ADD COLUMN password_reset_required_at BIGINT;
ALTER TABLE accounts ADD COLUMN reproving_required_at BIGINT;

-- Each intervention whose effect on live access (sessions, back-channel logout, grants) the
-- running provider still has to carry out: the command line writes the row, and whichever
-- provider replica claims it first (access_ended_at from NULL) ends the access. No foreign
-- key: a deleted account's row must outlive the account.
CREATE TABLE account_interventions (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    access_ended_at BIGINT
);
CREATE INDEX account_interventions_pending ON account_interventions (access_ended_at, created_at);
