//! The development signing key: an RSA 2048 key that stands for the user pool's signing key
//! locally. The local cloud makes it on first use and keeps it outside the repository:
//! `$ES_LOCAL_KEY_FILE` if set, else `${XDG_CACHE_HOME:-$HOME/.cache}/es-serverless/local-jwt-key.pem`
//! (PKCS#8 PEM, mode 0600).
//!
//! Two processes may make it at once (parallel tests): each writes its own key to a temporary
//! file beside the final one and hard-links it into place, which fails if the file exists; so
//! exactly one key wins, and everybody reads the winner.

use std::ffi::OsString;
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};

use crate::{Error, Result};

/// The variable that names the key file.
pub const KEY_FILE_ENV: &str = "ES_LOCAL_KEY_FILE";

/// The development key: signs the local tokens, verifies them in the gateway.
pub struct DevKey {
    /// The key id (`kid` of the tokens' header): a digest of the public key.
    pub kid: String,
    pub path: PathBuf,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for DevKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevKey")
            .field("kid", &self.kid)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn non_empty(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

impl DevKey {
    /// `$ES_LOCAL_KEY_FILE`, else `${XDG_CACHE_HOME:-$HOME/.cache}/es-serverless/local-jwt-key.pem`.
    pub fn default_path() -> Result<PathBuf> {
        if let Some(path) = non_empty(KEY_FILE_ENV) {
            return Ok(path.into());
        }
        let cache = non_empty("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| non_empty("HOME").map(|home| PathBuf::from(home).join(".cache")))
            .ok_or_else(|| {
                Error::new(format!(
                    "cannot place the development key: set {KEY_FILE_ENV}, XDG_CACHE_HOME or HOME"
                ))
            })?;
        Ok(cache.join("es-serverless").join("local-jwt-key.pem"))
    }

    /// The key at [`Self::default_path`], made if missing; loaded once per process.
    pub fn shared() -> Result<Arc<DevKey>> {
        static KEY: OnceLock<std::result::Result<Arc<DevKey>, String>> = OnceLock::new();
        KEY.get_or_init(|| {
            Self::default_path()
                .and_then(|path| Self::load_or_create(&path))
                .map(Arc::new)
                .map_err(|e| e.to_string())
        })
        .clone()
        .map_err(Error::new)
    }

    /// The key at `path`, made first if there is none (see the module's documentation).
    pub fn load_or_create(path: &Path) -> Result<DevKey> {
        match std::fs::read(path) {
            Ok(pem) => return Self::from_pem(&pem, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::new(format!("{}: {e}", path.display()))),
        }
        create(path)?;
        let pem =
            std::fs::read(path).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        Self::from_pem(&pem, path)
    }

    fn from_pem(pem: &[u8], path: &Path) -> Result<DevKey> {
        let bad = |what: &str| {
            Error::new(format!(
                "{}: {what}; delete it to get a new development key",
                path.display()
            ))
        };
        let encoding =
            EncodingKey::from_rsa_pem(pem).map_err(|e| bad(&format!("not an RSA key ({e})")))?;
        let text = std::str::from_utf8(pem).map_err(|_| bad("not PEM text"))?;
        let body: String = text
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .map(str::trim)
            .collect();
        let der = STANDARD
            .decode(body)
            .map_err(|_| bad("not PEM (bad base64)"))?;
        let pair = KeyPair::from_pkcs8(&der)
            .or_else(|_| KeyPair::from_der(&der))
            .map_err(|e| {
                bad(&format!(
                    "not an RSA private key of 2048 bits or more ({e})"
                ))
            })?;
        let public = pair.public_key().as_ref();
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, public);
        Ok(DevKey {
            kid: URL_SAFE_NO_PAD.encode(digest.as_ref()),
            path: path.to_path_buf(),
            encoding,
            decoding: DecodingKey::from_rsa_der(public),
        })
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }
}

/// A new RSA 2048 private key as PKCS#8 PEM.
fn new_key_pem() -> Result<String> {
    let pair = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| Error::new("cannot generate an RSA key"))?;
    let der = pair
        .as_der()
        .map_err(|_| Error::new("cannot encode the RSA key"))?;
    let base64 = STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in base64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    Ok(pem)
}

/// Writes a new key to `path` unless a key is there already (then that one stays).
fn create(path: &Path) -> Result<()> {
    let context = |e: std::io::Error| Error::new(format!("{}: {e}", path.display()));
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(context)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "key".into());
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let written = (|| -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)?;
        file.write_all(new_key_pem().map_err(std::io::Error::other)?.as_bytes())?;
        file.sync_all()?;
        // Exactly one link wins; the others find the file there.
        match std::fs::hard_link(&temp, path) {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
            _ => Ok(()),
        }
    })();
    let _ = std::fs::remove_file(&temp);
    written.map_err(context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir()
            .join(format!("devkey-{name}-{}", uuid::Uuid::new_v4().simple()))
            .join("key.pem")
    }

    #[test]
    fn the_key_is_made_once_private_and_read_back() {
        let path = temp_path("once");
        let first = DevKey::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = DevKey::load_or_create(&path).unwrap();
        assert_eq!(first.kid, again.kid);
        // No temporary file is left behind.
        let entries = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(entries, 1);
        let other = DevKey::load_or_create(&temp_path("other")).unwrap();
        assert_ne!(first.kid, other.kid);
    }

    #[test]
    fn concurrent_first_uses_agree_on_one_key() {
        let path = temp_path("race");
        let barrier = Arc::new(std::sync::Barrier::new(6));
        let kids: Vec<String> = (0..6)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    DevKey::load_or_create(&path).unwrap().kid
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert!(kids.iter().all(|k| k == &kids[0]), "{kids:?}");
        assert_eq!(DevKey::load_or_create(&path).unwrap().kid, kids[0]);
    }

    #[test]
    fn a_broken_key_file_is_reported_with_its_path() {
        let path = temp_path("broken");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "not a key").unwrap();
        let error = DevKey::load_or_create(&path).unwrap_err().to_string();
        assert!(error.contains(&path.display().to_string()), "{error}");
    }
}
