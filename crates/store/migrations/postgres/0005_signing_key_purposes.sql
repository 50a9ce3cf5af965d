-- Each signing key has one purpose (issue 11.6; RFC 8725 §3.12): 'tokens' keys sign ID, access
-- and logout tokens and are published in the JWKS; 'identity' keys sign evidence credentials
-- and core identity JWTs and are published in did.json. Keys made before are token keys.
ALTER TABLE signing_keys ADD COLUMN purpose TEXT NOT NULL DEFAULT 'tokens';

-- From this version on signing_keys.private_pem, accounts.totp_secret and the server secret
-- 'pairwise-subject-salt' hold values sealed under the key-encryption key (issue 11.7). SQL
-- cannot seal: the provider seals what earlier versions stored in the clear right after these
-- migrations run (Database::migrate).
