-- Each refresh token names the token it replaced. Inserting a successor spends its
-- predecessor here, by trigger: a rotation is one statement, so one commit and one hand-off to
-- the connection's thread where it was two of each (docs/performance.md, sixth round).
ALTER TABLE refresh_tokens ADD COLUMN replaces TEXT;

CREATE TRIGGER refresh_tokens_spend_replaced AFTER INSERT ON refresh_tokens
WHEN NEW.replaces IS NOT NULL
BEGIN
    UPDATE refresh_tokens SET used_at = NEW.created_at
    WHERE token_hash = NEW.replaces AND used_at IS NULL;
END;
