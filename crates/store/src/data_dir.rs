//! The data directory and what the provider writes there (the SQLite database, key files, the
//! mail outbox) belong to the service's user alone: folders 0700, files 0600 (issue 11.8). A
//! copy of the database or a key file must not be readable by another local account.

use std::path::Path;

/// Creates `dir` and any missing parents as 0700. A folder that already exists keeps its mode
/// (it may be shared, like `/tmp`), but one that others can enter is reported.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let existed = dir.is_dir();
        builder.mode(0o700);
        builder.create(dir)?;
        if existed && std::fs::metadata(dir)?.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                dir = %dir.display(),
                "the data folder can be read by other users: make it 0700"
            );
        }
        Ok(())
    }
    #[cfg(not(unix))]
    builder.create(dir)
}

/// Writes a new file readable and writable by its owner only (0600). `Ok(false)` if `path`
/// already exists: another process made it first, and its file is kept.
pub fn create_private_file(path: &Path, contents: &[u8]) -> std::io::Result<bool> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(contents)?;
            file.sync_all()?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Makes an existing file 0600 (a database made by an earlier version); nothing if it is absent.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Prepares a SQLite database file before SQLite opens it: created empty as 0600 (SQLite then
/// gives its `-wal` and `-shm` files the same mode), or tightened to 0600 with those files if it
/// was made by an earlier version.
pub fn prepare_sqlite_file(path: &Path) -> std::io::Result<()> {
    if path.parent().is_some_and(|p| p.is_dir()) {
        create_private_file(path, b"")?;
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        make_private(Path::new(&name))?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_are_made_0700_and_files_0600() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        let file = dir.join("key");
        assert!(create_private_file(&file, b"one").unwrap());
        assert!(!create_private_file(&file, b"two").unwrap());
        assert_eq!(std::fs::read(&file).unwrap(), b"one");
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn an_earlier_database_and_its_wal_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("one-login.sqlite");
        let wal = dir.path().join("one-login.sqlite-wal");
        for path in [&db, &wal] {
            std::fs::write(path, b"x").unwrap();
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        prepare_sqlite_file(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&wal), 0o600);
        assert_eq!(std::fs::read(&db).unwrap(), b"x");
    }
}
