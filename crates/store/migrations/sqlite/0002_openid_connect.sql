-- Values the provider makes once and every replica shares (the pairwise subject salt, markers
-- that make first-start key generation happen once).
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Keys that sign ID, access and logout tokens. A key signs from active_from until retired_at,
-- and is published in the JWKS from creation until well after retirement.
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    alg         TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    active_from BIGINT NOT NULL,
    retired_at  BIGINT
);

-- Relying parties, as registered in config/clients/*.toml and synced on start.
CREATE TABLE clients (
    client_id  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    settings   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- What a citizen agreed to share with a relying party.
CREATE TABLE consents (
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    client_id    TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    claims       TEXT NOT NULL,
    granted_at   BIGINT NOT NULL,
    withdrawn_at BIGINT,
    PRIMARY KEY (account_id, client_id)
);

-- Refresh tokens, by hash only (RFC 6819 §5.1.4.1.3). Each use replaces the token; a replayed
-- one revokes every token of its grant (RFC 9700 §4.14.2).
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    grant_data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_by_grant ON refresh_tokens (grant_id);
