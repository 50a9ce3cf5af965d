//! The schema migrations compiled into the binary, one list per backend.
//!
//! `sqlx::migrate!` would find the files itself, but sqlx's macros are a proc-macro crate that
//! links sqlx with both database drivers for the compiler: a second build of sqlx, of SQLite's
//! C sources and of aws-lc, on every cold build (docs/performance.md, "Build time"). Each list
//! names its folder's files instead; a test reads the folder as `migrate!` would and compares
//! version, description, checksum and transaction mode, so a file left off the list, or a
//! list entry without its file, fails the tests.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// One migration from its file `$dir/$file` (`<version>_<description>.sql`), as `migrate!`
/// reads it: the version from the name, underscores in the description as spaces, run in a
/// transaction unless the file starts with `-- no-transaction`.
macro_rules! migration {
    ($dir:literal, $version:literal, $file:literal) => {{
        let sql: &'static str = include_str!(concat!("../migrations/", $dir, "/", $file));
        let description = $file
            .split_once('_')
            .map(|(_, rest)| rest.trim_end_matches(".sql").replace('_', " "))
            .unwrap_or_default();
        Migration::new(
            $version,
            Cow::Owned(description),
            MigrationType::Simple,
            sql.into_sql_str(),
            sql.starts_with("-- no-transaction"),
        )
    }};
}

/// `migrations/sqlite`, in order.
pub(crate) fn sqlite() -> Migrator {
    Migrator::with_migrations(vec![
        migration!("sqlite", 1, "0001_accounts.sql"),
        migration!("sqlite", 2, "0002_openid_connect.sql"),
        migration!("sqlite", 3, "0003_identity.sql"),
        migration!("sqlite", 4, "0004_proving_attempts.sql"),
        migration!("sqlite", 5, "0005_signing_key_purposes.sql"),
        migration!("sqlite", 7, "0007_account_closure.sql"),
        migration!("sqlite", 8, "0008_account_interventions.sql"),
        migration!("sqlite", 10, "0010_wallet_credentials.sql"),
        migration!("sqlite", 20261207, "20261207_passkeys.sql"),
        migration!("sqlite", 20261207173000, "20261207173000_feedback.sql"),
        migration!("sqlite", 20261208, "20261208_refresh_token_chain.sql"),
    ])
}

/// `migrations/postgres`, in order.
pub(crate) fn postgres() -> Migrator {
    Migrator::with_migrations(vec![
        migration!("postgres", 1, "0001_accounts.sql"),
        migration!("postgres", 2, "0002_openid_connect.sql"),
        migration!("postgres", 3, "0003_identity.sql"),
        migration!("postgres", 4, "0004_proving_attempts.sql"),
        migration!("postgres", 5, "0005_signing_key_purposes.sql"),
        migration!("postgres", 7, "0007_account_closure.sql"),
        migration!("postgres", 8, "0008_account_interventions.sql"),
        migration!("postgres", 10, "0010_wallet_credentials.sql"),
        migration!("postgres", 20261207, "20261207_passkeys.sql"),
        migration!("postgres", 20261207173000, "20261207173000_feedback.sql"),
        migration!("postgres", 20261208, "20261208_refresh_token_chain.sql"),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the database records of a migration, and what decides how it runs.
    fn recorded(m: &Migration) -> (i64, String, Vec<u8>, bool, bool) {
        (
            m.version,
            m.description.to_string(),
            m.checksum.to_vec(),
            m.no_tx,
            m.migration_type == MigrationType::Simple,
        )
    }

    /// Each list is its folder, as `sqlx::migrate!` (and `sqlx migrate run`) read it: a
    /// changed checksum or description would make a database migrated by an earlier build
    /// refuse to start.
    #[tokio::test]
    async fn lists_match_their_folders() {
        for (dir, listed) in [("sqlite", sqlite()), ("postgres", postgres())] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations")
                .join(dir);
            let found = Migrator::new(path).await.unwrap();
            let found: Vec<_> = found.iter().map(recorded).collect();
            let listed: Vec<_> = listed.iter().map(recorded).collect();
            assert_eq!(listed, found, "{dir}");
        }
    }
}
