#!/usr/bin/env bash
# The mechanical part of issue 14 item 4: splits crates/oidc-provider into
#   crates/store    (one-login-store: sqlx, redis, migrations, sealing),
#   crates/core     (one-login-core: protocol, accounts, sessions, identity, limits, mail...),
#   crates/provider (one-login-provider: web, app, the `one-login` binary).
# Run from anywhere in the worktree on a tree that has not been moved yet (after a merge of
# main, say); it moves files with git mv, rewrites `crate::` paths, writes the Cargo.tomls and
# formats. It changes no code beyond paths.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

OLD=crates/oidc-provider
if [ ! -d "$OLD" ]; then
  echo "move.sh: $OLD is gone: the move has been made already" >&2
  exit 1
fi
P=crates/provider
S=crates/store
C=crates/core

git mv "$OLD" "$P"
mkdir -p "$S/src" "$C/src"

# --- the store: repositories, short-lived store, sealing, data folder, migrations ---
git mv "$P/src/store/mod.rs" "$S/src/lib.rs"
for f in "$P"/src/store/*.rs; do git mv "$f" "$S/src/"; done
git mv "$P/src/ephemeral" "$S/src/ephemeral"
git mv "$P/src/sealing.rs" "$P/src/data_dir.rs" "$S/src/"
git mv "$P/migrations" "$S/migrations"

# --- the core: everything between the web and the store ---
for m in oidc accounts sessions identity limits; do git mv "$P/src/$m" "$C/src/$m"; done
for f in mail outbound clock config error logging; do git mv "$P/src/$f.rs" "$C/src/"; done
git mv "$P/data" "$C/data"

STORE_MODS='ephemeral|sealing|data_dir'
CORE_MODS='oidc|accounts|sessions|identity|limits|mail|outbound|clock|config|error|logging'

rs_files() { find "$@" -name '*.rs' -print0; }

# In the store, its modules are at the crate root.
rs_files "$S/src" | xargs -0 sed -i -E \
  -e 's/\bcrate::store::/crate::/g'

# The core names the store's items by their crate.
rs_files "$C/src" | xargs -0 sed -i -E \
  -e 's/\bcrate::store::/one_login_store::/g' \
  -e "s/\\bcrate::($STORE_MODS)\\b/one_login_store::\\1/g"

# The provider names both.
rs_files "$P/src" | xargs -0 sed -i -E \
  -e 's/\bcrate::store::/one_login_store::/g' \
  -e "s/\\bcrate::($STORE_MODS)\\b/one_login_store::\\1/g" \
  -e "s/\\bcrate::($CORE_MODS)\\b/one_login_core::\\1/g" \
  -e 's/\bone_login_provider::store::/one_login_store::/g' \
  -e "s/\\bone_login_provider::($STORE_MODS)\\b/one_login_store::\\1/g" \
  -e "s/\\bone_login_provider::($CORE_MODS)\\b/one_login_core::\\1/g"

# Every user outside: tests, bench, demo, test support.
rs_files "$P/tests" crates/bench crates/demo crates/test-support | xargs -0 sed -i -E \
  -e 's/\bone_login_provider::store::/one_login_store::/g' \
  -e "s/\\bone_login_provider::($STORE_MODS)\\b/one_login_store::\\1/g" \
  -e "s/\\bone_login_provider::($CORE_MODS)\\b/one_login_core::\\1/g" \
  -e 's/\bone_login_provider::(Error|Result)\b/one_login_core::\1/g'

# --- crate roots ---
python3 - "$S/src/lib.rs" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("//! Durable data through sqlx", """//! One Login's storage: the durable database, the short-lived store (`ephemeral`, in memory or
//! Redis) and the sealing of secrets at rest. It knows nothing of the protocol or of accounts'
//! rules: its repositories take and return their own row types, and the domain
//! (`one_login_core`) maps them.
//!
//! Durable data through sqlx""", 1)
s = s.replace("TEXT ids, BIGINT unix seconds. Only the migrations differ per backend.\n", "TEXT ids, BIGINT unix seconds. Only the migrations differ per backend.\n#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]\n", 1)
s = s.replace("mod accounts;\n", "mod accounts;\npub mod data_dir;\npub mod ephemeral;\npub mod sealing;\n", 1)
open(p, "w").write(s)
EOF

cat > "$C/src/lib.rs" <<'EOF'
//! One Login's domain: the OpenID Connect protocol (`oidc`), citizens' accounts and sign-in
//! rules, sessions, identity proving, limits, mail and the provider's outbound requests. No web
//! framework here: `one_login_provider` parses requests, calls this crate and renders; storage
//! is `one_login_store`'s.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounts;
pub mod clock;
pub mod config;
pub mod error;
pub mod identity;
pub mod limits;
pub mod logging;
pub mod mail;
pub mod oidc;
pub mod outbound;
pub mod sessions;

pub use error::{Error, Result};
EOF

# The provider's root keeps its own modules and re-exports; the moved modules' go.
python3 - "$P/src/lib.rs" <<'EOF'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"^//! .*\n", """//! One Login's OpenID Connect provider on the web: the citizen's pages, the protocol's
//! endpoints, the application state and routers. The rules are `one_login_core`'s, the storage
//! `one_login_store`'s.
""", s, count=1)
moved = "accounts clock config data_dir ephemeral error identity limits logging mail oidc outbound sealing sessions store".split()
s = re.sub(r"^pub mod (\w+);\n", lambda m: "" if m.group(1) in moved else m.group(0), s, flags=re.M)
s = s.replace("pub use error::{Error, Result};", "pub use web::error::{Error, Result};")
open(p, "w").write(s)
EOF

# --- manifests ---
cat > "$S/Cargo.toml" <<'EOF'
[package]
name = "one-login-store"
version = "0.1.0"
description = "One Login's storage: SQLite or PostgreSQL through sqlx, the short-lived store in memory or Redis, secrets sealed at rest"
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[lib]
name = "one_login_store"

[dependencies]
tokio.workspace = true
sqlx.workspace = true
redis.workspace = true
moka.workspace = true
tracing.workspace = true
serde.workspace = true
thiserror.workspace = true
async-trait.workspace = true
time.workspace = true
uuid.workspace = true
url.workspace = true
base64.workspace = true
rand.workspace = true
sha2.workspace = true
aws-lc-rs.workspace = true

[dev-dependencies]
tempfile.workspace = true

[lints]
workspace = true
EOF

cat > "$C/Cargo.toml" <<'EOF'
[package]
name = "one-login-core"
version = "0.1.0"
description = "One Login's domain: the OpenID Connect protocol, accounts, sessions, identity proving and limits, with no web framework"
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[lib]
name = "one_login_core"

[dependencies]
one-login-store = { path = "../store" }
one-login-identity-proofing = { path = "../identity-proofing" }
tokio.workspace = true
argon2.workspace = true
totp-rs.workspace = true
qrcode.workspace = true
moka.workspace = true
figment.workspace = true
lettre.workspace = true
tracing.workspace = true
tracing-subscriber.workspace = true
serde.workspace = true
serde_json.workspace = true
thiserror.workspace = true
async-trait.workspace = true
time.workspace = true
uuid.workspace = true
url.workspace = true
base64.workspace = true
rand.workspace = true
sha2.workspace = true
subtle.workspace = true
email_address.workspace = true
humantime-serde.workspace = true
unicode-normalization.workspace = true
jsonwebtoken.workspace = true
aws-lc-rs.workspace = true
reqwest.workspace = true
ipnet.workspace = true

[dev-dependencies]
# The outbound tests answer from a local server.
axum.workspace = true
proptest.workspace = true
tempfile.workspace = true

[lints]
workspace = true
EOF

PROVIDER_DEV=$(sed -n '/^\[dev-dependencies\]/,/^\[/p' "$P/Cargo.toml" | grep -v '^\[' | grep -v '^$')
cat > "$P/Cargo.toml" <<'EOF'
[package]
name = "one-login-provider"
version = "0.1.0"
description = "One Login: the OpenID Connect provider on the web, the citizen's sign-in pages, and the one-login binary"
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[lib]
name = "one_login_provider"

[[bin]]
name = "one-login"
path = "src/main.rs"

[dependencies]
one-login-core = { path = "../core" }
one-login-store = { path = "../store" }
govuk-assets = { path = "../govuk-assets" }
one-login-identity-proofing = { path = "../identity-proofing" }
one-login-shutdown = { path = "../shutdown" }
axum.workspace = true
axum-extra.workspace = true
axum-server.workspace = true
tokio.workspace = true
tower-http.workspace = true
askama.workspace = true
clap.workspace = true
tracing.workspace = true
serde.workspace = true
serde_json.workspace = true
thiserror.workspace = true
time.workspace = true
uuid.workspace = true
url.workspace = true
jsonwebtoken.workspace = true

[dev-dependencies]
EOF
# The provider's own dev-dependencies as they stand, and what its tests used of its former
# dependencies.
{
  printf '%s\n' "$PROVIDER_DEV"
  for d in async-trait sqlx redis reqwest base64 sha2 aws-lc-rs; do
    printf '%s\n' "$PROVIDER_DEV" | grep -q "^$d[ .=]" || echo "$d.workspace = true"
  done
  printf '\n[lints]\nworkspace = true\n'
} >> "$P/Cargo.toml"

# Dependants: the provider's folder, and the crates they now name directly.
dependants() {
  local toml=$1 extra=$2
  sed -i -e "s|one-login-provider = { path = \"../oidc-provider\" }|one-login-provider = { path = \"../provider\" }$extra|" "$toml"
}
core='\none-login-core = { path = \"../core\" }'
store='\none-login-store = { path = \"../store\" }'
dependants crates/demo/Cargo.toml "$core"
dependants crates/test-support/Cargo.toml "$core$store"
dependants crates/bench/Cargo.toml "$core$store"
# What no longer names the provider itself does not depend on it.
for c in bench demo test-support; do
  if ! grep -rq 'one_login_provider' "crates/$c/src" "crates/$c/benches" "crates/$c/tests" 2>/dev/null; then
    sed -i '/^one-login-provider = /d' "crates/$c/Cargo.toml"
  fi
done

python3 - <<'EOF'
p = "Cargo.toml"
s = open(p).read()
s = s.replace("""[profile.dev.package.one-login-provider]
strip = "debuginfo"
""", """[profile.dev.package.one-login-provider]
strip = "debuginfo"
[profile.dev.package.one-login-core]
strip = "debuginfo"
[profile.dev.package.one-login-store]
strip = "debuginfo"
""", 1)
open(p, "w").write(s)

p = "README.md"
s = open(p).read()
s = s.replace("| `crates/oidc-provider` | the provider: library and the `one-login` binary |",
"""| `crates/provider` | the provider on the web: pages, endpoints, router and the `one-login` binary |
| `crates/core` | the domain: OpenID Connect, accounts, sessions, identity proving, limits (no web framework) |
| `crates/store` | storage: SQLite or PostgreSQL, the short-lived store (memory or Redis), sealed secrets |""")
s = s.replace("crates/oidc-provider/migrations/", "crates/store/migrations/")
s = s.replace("crates/oidc-provider/", "crates/provider/")
open(p, "w").write(s)
EOF

cargo fmt --all
echo "move.sh: done; now cargo check --workspace --all-targets"
