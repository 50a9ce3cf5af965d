-- Identity credentials issued to wallets (issue 17 §3): each holds an index into the provider's
-- Token Status List, chosen at random (draft-ietf-oauth-status-list §12.5: indices in issuing
-- order would let verifiers link a citizen's credentials). A credential counts as revoked when
-- revoked_at is set (its identity was lost) or its account no longer exists (closed): so no
-- foreign key, the row outlives the account. Rows are kept until the credential expires.
CREATE TABLE wallet_credentials (
    idx        BIGINT PRIMARY KEY,
    account_id TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX wallet_credentials_account ON wallet_credentials (account_id);
