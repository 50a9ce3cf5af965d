-- Feedback from the form every page's phase banner links to (issue 15). Anyone may send it,
-- signed in or not, so a row holds only what the citizen chose to give: what it is about, the
-- text, the page they came from (a local path), the language of the page, and an email
-- address and account id only when they asked for a reply. Closing the account forgets both,
-- the address also where no account is linked (`Accounts::close`); the foreign key clears only
-- the account id on any other deletion. Kept a year (`FeedbackLog::record`). Listed newest
-- first by `one-login feedback list`. The version number is a date and time, unlikely to
-- clash with a neighbour's.
CREATE TABLE feedback (
    id          TEXT PRIMARY KEY,
    topic       TEXT NOT NULL,
    message     TEXT NOT NULL,
    came_from   TEXT,
    language    TEXT NOT NULL,
    reply_email TEXT,
    account_id  TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX feedback_created ON feedback (created_at);
