-- Passkeys (issue 17 §1, WebAuthn Level 3): each account's public-key credentials. The
-- credential id (base64url, as the browser gives it) is the key: signing in with a discoverable
-- credential names only it and the user handle. `user_handle` is the same for all of an
-- account's passkeys (WebAuthn §14.6.1: a random id, never the email address). `passkey` is the
-- library's record of the credential (public key, flags) as JSON; `sign_count` is its
-- signature counter kept beside it, so that a use whose counter is not above it is refused in
-- the same conditional write (§6.1.1: a counter that goes back means a cloned authenticator).
-- The version number is a date, unlikely to clash with a neighbour's next number.
CREATE TABLE passkeys (
    credential_id TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_handle   TEXT NOT NULL,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    sign_count    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_account ON passkeys (account_id, created_at);
