-- Each refresh token names the token it replaced (SQLite spends it by trigger on insert; here
-- the rotation's data-modifying WITH does both).
ALTER TABLE refresh_tokens ADD COLUMN replaces TEXT;
