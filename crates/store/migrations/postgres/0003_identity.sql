-- Evidence credentials from identity checks (signed JWTs), sealed with the identity encryption
-- key (AES-256-GCM, bound to the account and credential id). Failed checks are kept too: their
-- contra-indicators must still count when the citizen tries again.
CREATE TABLE identity_credentials (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    source     TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX identity_credentials_by_account ON identity_credentials (account_id, created_at);

-- A citizen's proven identity: the level reached and the credentials that prove it.
CREATE TABLE identity_records (
    account_id     TEXT PRIMARY KEY REFERENCES accounts (id),
    level          TEXT NOT NULL,
    credential_ids TEXT NOT NULL,
    proven_at      BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
