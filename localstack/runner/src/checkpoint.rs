//! Where a stream event source mapping is: the last sequence number processed per shard, kept
//! in a small JSON file per mapping so that positions survive a restart of the runner.
//!
//! Written after every batch as a new file renamed over the old one (atomic on POSIX), so a
//! crash leaves either the previous or the new checkpoint, never half of one.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamCheckpoint {
    /// The stream the positions belong to. Another ARN (moto restarted, table recreated)
    /// makes them meaningless.
    pub stream_arn: String,
    /// Shard id → the last sequence number processed (done, or given up on).
    pub shards: BTreeMap<String, String>,
}

/// The checkpoint file of one mapping.
#[derive(Clone, Debug)]
pub struct CheckpointFile {
    path: PathBuf,
}

impl CheckpointFile {
    /// `<state_dir>/stream-<mapping>.json` (the mapping id made file-name safe).
    pub fn new(state_dir: &Path, mapping: &str) -> Self {
        let safe: String = mapping
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Self {
            path: state_dir.join(format!("stream-{safe}.json")),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved checkpoint, if any. An unreadable file is reported, not ignored.
    pub fn load(&self) -> Result<Option<StreamCheckpoint>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                Error::new(format!(
                    "{} is not a checkpoint: {e} (delete it to start over)",
                    self.path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::new(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    /// The checkpoint of `stream_arn`: the saved one if it is of that stream, else empty.
    pub fn load_for(&self, stream_arn: &str) -> Result<StreamCheckpoint> {
        Ok(match self.load()? {
            Some(saved) if saved.stream_arn == stream_arn => saved,
            Some(saved) => {
                tracing::warn!(
                    "{}: checkpoint of {} ignored, the stream is now {stream_arn} (emulator restarted?)",
                    self.path.display(),
                    saved.stream_arn
                );
                StreamCheckpoint {
                    stream_arn: stream_arn.into(),
                    ..Default::default()
                }
            }
            None => StreamCheckpoint {
                stream_arn: stream_arn.into(),
                ..Default::default()
            },
        })
    }

    /// Writes the checkpoint: a temporary file, synced, renamed over the old one.
    pub fn save(&self, checkpoint: &StreamCheckpoint) -> Result<()> {
        let fail =
            |e: std::io::Error| Error::new(format!("cannot save {}: {e}", self.path.display()));
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let temporary = self.path.with_extension("json.tmp");
        let mut file = std::fs::File::create(&temporary).map_err(fail)?;
        let json = serde_json::to_vec_pretty(checkpoint).expect("a checkpoint serializes");
        file.write_all(&json).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&temporary, &self.path).map_err(fail)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "local-cloud-checkpoint-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_checkpoint_round_trips_and_belongs_to_its_stream() {
        let dir = temp_dir("round-trip");
        let file = CheckpointFile::new(&dir, "publish-events@EventsTable");
        assert!(file
            .path()
            .ends_with("stream-publish-events_EventsTable.json"));
        assert_eq!(file.load().unwrap(), None);
        let mut checkpoint = file.load_for("arn:1").unwrap();
        assert!(checkpoint.shards.is_empty());
        checkpoint
            .shards
            .insert("shard-1".into(), "0000000000000000000042".into());
        file.save(&checkpoint).unwrap();
        assert_eq!(file.load_for("arn:1").unwrap(), checkpoint);
        // Another stream (moto restarted): start over.
        let other = file.load_for("arn:2").unwrap();
        assert_eq!(other.stream_arn, "arn:2");
        assert!(other.shards.is_empty());
        assert!(!file.path().with_extension("json.tmp").exists());
        std::fs::write(file.path(), b"garbage").unwrap();
        assert!(file.load().is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
