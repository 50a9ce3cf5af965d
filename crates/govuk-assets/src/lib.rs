//! GOV.UK Frontend assets (styles, scripts and images), built from the
//! `govuk-frontend` npm package by `build-assets.sh` into `dist/` and embedded
//! in the binary, plus the shared Askama layout and form macros in
//! `templates/govuk/`.
//!
//! The services mount these files under `/assets/`: a request for
//! `/assets/<path>` is answered with [`asset`]`(path)`.
//!
//! The styles use Arial: the GDS Transport typeface is licensed for GOV.UK
//! services only, so it is neither shipped nor referenced.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod words;

/// The version of the `govuk-frontend` package that `dist/` was built from.
pub const GOVUK_FRONTEND_VERSION: &str = "6.6.0";

/// An embedded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    pub bytes: &'static [u8],
    pub content_type: &'static str,
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const MANIFEST: &str = "application/manifest+json";
const SVG: &str = "image/svg+xml";
const PNG: &str = "image/png";
const ICO: &str = "image/x-icon";

macro_rules! embed {
    ($path:literal, $content_type:expr) => {
        (
            $path,
            Asset {
                bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/dist/", $path)),
                content_type: $content_type,
            },
        )
    };
}

/// Every file of `dist/`, by its path relative to the `/assets/` mount.
/// A test checks that this matches the contents of `dist/` exactly.
static ASSETS: &[(&str, Asset)] = &[
    embed!("govuk-frontend.min.css", CSS),
    embed!("govuk-frontend.min.js", JS),
    embed!("init.js", JS),
    embed!("manifest.json", MANIFEST),
    embed!("images/favicon.ico", ICO),
    embed!("images/favicon.svg", SVG),
    embed!("images/govuk-crest.svg", SVG),
    embed!("images/govuk-icon-180.png", PNG),
    embed!("images/govuk-icon-192.png", PNG),
    embed!("images/govuk-icon-512.png", PNG),
    embed!("images/govuk-icon-mask.svg", SVG),
];

/// The embedded file at `path`, relative to the /assets/ mount, e.g.
/// "govuk-frontend.min.css" or "images/favicon.ico".
///
/// Only the exact paths of embedded files match: anything else, including
/// paths with `..`, a leading `/` or a query string, gives `None`.
pub fn asset(path: &str) -> Option<Asset> {
    ASSETS
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, asset)| *asset)
}

/// The paths of all embedded files, relative to the /assets/ mount.
pub fn paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn css() -> &'static str {
        std::str::from_utf8(asset("govuk-frontend.min.css").unwrap().bytes).unwrap()
    }

    #[test]
    fn css_is_found() {
        let css = asset("govuk-frontend.min.css").expect("css");
        assert_eq!(css.content_type, "text/css; charset=utf-8");
        assert!(css.bytes.len() > 10_000);
    }

    #[test]
    fn js_is_found() {
        for path in ["govuk-frontend.min.js", "init.js"] {
            let js = asset(path).expect(path);
            assert_eq!(js.content_type, "text/javascript; charset=utf-8");
        }
        let init = std::str::from_utf8(asset("init.js").unwrap().bytes).unwrap();
        assert!(init.contains(r#"import { initAll } from "./govuk-frontend.min.js";"#));
        assert!(init.contains("initAll()"));
        let frontend = std::str::from_utf8(asset("govuk-frontend.min.js").unwrap().bytes).unwrap();
        assert!(frontend.contains("initAll"));
        assert!(!frontend.contains("sourceMappingURL"));
    }

    #[test]
    fn images_and_manifest_are_found() {
        assert_eq!(
            asset("images/favicon.ico").unwrap().content_type,
            "image/x-icon"
        );
        assert_eq!(
            asset("images/favicon.svg").unwrap().content_type,
            "image/svg+xml"
        );
        assert_eq!(
            asset("images/govuk-icon-180.png").unwrap().content_type,
            "image/png"
        );
        assert_eq!(
            asset("manifest.json").unwrap().content_type,
            "application/manifest+json"
        );
    }

    #[test]
    fn unknown_paths_are_none() {
        for path in [
            "",
            "/",
            "nope.css",
            "images/",
            "images",
            "/govuk-frontend.min.css",
            "govuk-frontend.min.css?v=1",
            "GOVUK-FRONTEND.MIN.CSS",
            "fonts/bold-b542beb274-v2.woff2",
        ] {
            assert!(asset(path).is_none(), "{path:?}");
        }
    }

    #[test]
    fn path_traversal_is_none() {
        for path in [
            "../Cargo.toml",
            "../../Cargo.toml",
            "images/../govuk-frontend.min.css",
            "./govuk-frontend.min.css",
            "..%2FCargo.toml",
            "images/..\\..\\Cargo.toml",
        ] {
            assert!(asset(path).is_none(), "{path:?}");
        }
    }

    #[test]
    fn every_image_the_css_references_is_embedded() {
        let css = css();
        let mut referenced = BTreeSet::new();
        for piece in css.split("url(").skip(1) {
            let end = piece.find(')').expect("unclosed url(");
            let url = piece[..end].trim().trim_matches(|c| c == '"' || c == '\'');
            let path = url
                .strip_prefix("/assets/")
                .unwrap_or_else(|| panic!("url({url}) is not under /assets/"));
            assert!(asset(path).is_some(), "url({url}) is not embedded");
            referenced.insert(path);
        }
        // The footer's crest: a sign that the parsing above found something.
        assert!(
            referenced.contains("images/govuk-crest.svg"),
            "{referenced:?}"
        );
    }

    #[test]
    fn css_uses_arial_and_no_gds_transport() {
        let css = css();
        assert!(!css.contains("GDS Transport"));
        assert!(!css.contains("@font-face"));
        assert!(!css.contains(".woff"));
        assert!(!css.contains("/fonts/"));
        assert!(css.contains("font-family:arial,sans-serif"));
    }

    #[test]
    fn table_matches_dist_directory() {
        fn walk(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else {
                    let relative = path.strip_prefix(root).unwrap();
                    let parts: Vec<_> = relative
                        .components()
                        .map(|c| c.as_os_str().to_str().unwrap())
                        .collect();
                    out.insert(parts.join("/"));
                }
            }
        }
        let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
        let mut on_disk = BTreeSet::new();
        walk(&dist, &dist, &mut on_disk);
        let embedded: BTreeSet<String> = paths().map(str::to_owned).collect();
        assert_eq!(embedded, on_disk, "update ASSETS in src/lib.rs");
        assert_eq!(paths().count(), embedded.len(), "duplicate paths in ASSETS");
    }

    #[test]
    fn manifest_icons_are_embedded() {
        let manifest = std::str::from_utf8(asset("manifest.json").unwrap().bytes).unwrap();
        for piece in manifest.split("\"src\": \"").skip(1) {
            let src = &piece[..piece.find('"').unwrap()];
            assert!(asset(src).is_some(), "manifest icon {src} is not embedded");
        }
    }
}
