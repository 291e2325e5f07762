//! The keys table: one data key per subject, and the pepper.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use aws_sdk_dynamodb::Client;
use event_store::dynamo::{self, DynamoError};
use tokio::sync::OnceCell;

use crate::crypto::{random_key, KeySealer, Pepper, SubjectKey};
use crate::schema::{DATA_KEY, PEPPER_SUBJECT, SUBJECT};
use crate::KeyStoreError;

/// The environment variable that names the keys table.
pub const KEYS_TABLE_ENV: &str = "PERSONAL_DATA_KEYS_TABLE";

/// BatchGetItem reads at most this many keys per request.
const BATCH_GET_MAX: usize = 100;
/// How many times unprocessed keys of a batch read are asked for again.
const BATCH_GET_ATTEMPTS: u32 = 8;

/// The subject of a person: `owner#<id>`, `customer#<id>` (the aggregate type and id).
pub fn subject(aggregate_type: &str, id: impl fmt::Display) -> String {
    format!("{aggregate_type}#{id}")
}

type PepperCell = Arc<OnceCell<Arc<Pepper>>>;

/// The pepper cell of `table` shared by every store of this process: the pepper is read once
/// per cold start.
fn process_pepper(table: &str) -> PepperCell {
    static CELLS: OnceLock<Mutex<HashMap<String, PepperCell>>> = OnceLock::new();
    let mut cells = CELLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    cells.entry(table.to_owned()).or_default().clone()
}

/// The keys table. Cheap to clone: the SDK client and the pepper cache are shared.
#[derive(Clone)]
pub struct KeyStore {
    client: Client,
    table: String,
    pepper: PepperCell,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    /// The keys table `table`; its pepper is cached for the whole process.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        let table = table.into();
        let pepper = process_pepper(&table);
        Self {
            client,
            table,
            pepper,
        }
    }

    /// The table named by [`KEYS_TABLE_ENV`].
    pub fn from_env(client: Client) -> Result<Self, KeyStoreError> {
        let table = std::env::var(KEYS_TABLE_ENV)
            .map_err(|_| KeyStoreError::NotConfigured(KEYS_TABLE_ENV))?;
        Ok(Self::new(client, table))
    }

    /// A store with a pepper cache of its own, as another process would have (tests).
    pub fn isolated(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            pepper: PepperCell::default(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// A new key for `subject`, in memory only: [`KeyStore::save`] stores it once the input
    /// it is for turned out valid, so a refused request leaves no key behind.
    pub fn create(&self, subject: &str) -> Result<SubjectKey, KeyStoreError> {
        reserved(subject)?;
        SubjectKey::generate(subject)
    }

    /// Stores a key made by [`KeyStore::create`]; never replaces a stored key. A retried
    /// write that finds its own key succeeds.
    pub async fn save(&self, key: &SubjectKey) -> Result<(), KeyStoreError> {
        reserved(key.subject())?;
        match self.put_new(key.subject(), key.bytes()).await? {
            true => Ok(()),
            false => match self.read(key.subject()).await? {
                Some(stored) if stored == key.bytes() => Ok(()),
                _ => Err(KeyStoreError::KeyExists(key.subject().to_owned())),
            },
        }
    }

    /// The subject's key; `None` when it was never stored or was erased.
    pub async fn load(&self, subject: &str) -> Result<Option<SubjectKey>, KeyStoreError> {
        reserved(subject)?;
        self.read(subject)
            .await?
            .map(|bytes| {
                SubjectKey::from_bytes(subject, &bytes)
                    .ok_or_else(|| KeyStoreError::Corrupt(subject.to_owned()))
            })
            .transpose()
    }

    /// The keys of `subjects` that exist, by subject (BatchGetItem, 100 per request,
    /// consistent reads, unprocessed keys asked for again).
    pub async fn load_many<S: AsRef<str>>(
        &self,
        subjects: &[S],
    ) -> Result<HashMap<String, SubjectKey>, KeyStoreError> {
        let subjects: BTreeSet<&str> = subjects.iter().map(AsRef::as_ref).collect();
        for subject in &subjects {
            reserved(subject)?;
        }
        let subjects: Vec<&str> = subjects.into_iter().collect();
        let mut keys = HashMap::with_capacity(subjects.len());
        for chunk in subjects.chunks(BATCH_GET_MAX) {
            for item in self.batch_get(chunk).await? {
                let subject = match item.get(SUBJECT) {
                    Some(AttributeValue::S(subject)) => subject.clone(),
                    _ => return Err(KeyStoreError::Corrupt("a batch read item".into())),
                };
                let key = data_key(&item)
                    .and_then(|bytes| SubjectKey::from_bytes(&subject, bytes))
                    .ok_or_else(|| KeyStoreError::Corrupt(subject.clone()))?;
                keys.insert(subject, key);
            }
        }
        Ok(keys)
    }

    /// Destroys the subject's key, and with it every sealed copy of its personal data.
    /// Erasing a key that is not there is not an error.
    pub async fn erase(&self, subject: &str) -> Result<(), KeyStoreError> {
        reserved(subject)?;
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(SUBJECT, AttributeValue::S(subject.to_owned()))
            .send()
            .await?;
        Ok(())
    }

    /// The sealer of `key`'s subject (it needs the pepper, read once per process).
    pub async fn sealer<'a>(&self, key: &'a SubjectKey) -> Result<KeySealer<'a>, KeyStoreError> {
        Ok(KeySealer {
            key,
            pepper: self.pepper().await?,
        })
    }

    async fn pepper(&self) -> Result<Arc<Pepper>, KeyStoreError> {
        self.pepper
            .get_or_try_init(|| self.load_or_create_pepper())
            .await
            .cloned()
    }

    /// The stored pepper, or a new one: the first writer wins, a loser reads the winner's.
    async fn load_or_create_pepper(&self) -> Result<Arc<Pepper>, KeyStoreError> {
        let stored = match self.read(PEPPER_SUBJECT).await? {
            Some(bytes) => bytes,
            None => {
                let bytes = random_key()?;
                if self.put_new(PEPPER_SUBJECT, &bytes).await? {
                    bytes.to_vec()
                } else {
                    self.read(PEPPER_SUBJECT)
                        .await?
                        .ok_or_else(|| KeyStoreError::Corrupt(PEPPER_SUBJECT.into()))?
                }
            }
        };
        Pepper::from_bytes(&stored)
            .map(Arc::new)
            .ok_or_else(|| KeyStoreError::Corrupt(PEPPER_SUBJECT.into()))
    }

    /// The key bytes stored for `subject` (consistent read).
    async fn read(&self, subject: &str) -> Result<Option<Vec<u8>>, KeyStoreError> {
        match dynamo::get_item(&self.client, &self.table, (SUBJECT, subject), true).await? {
            None => Ok(None),
            Some(item) => data_key(&item)
                .map(|bytes| Some(bytes.to_vec()))
                .ok_or_else(|| KeyStoreError::Corrupt(subject.to_owned())),
        }
    }

    /// Writes `bytes` for `subject` unless an item is there; whether it wrote.
    async fn put_new(&self, subject: &str, bytes: &[u8]) -> Result<bool, KeyStoreError> {
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(SUBJECT, AttributeValue::S(subject.to_owned()))
            .item(DATA_KEY, AttributeValue::B(Blob::new(bytes)))
            .condition_expression("attribute_not_exists(#subject)")
            .expression_attribute_names("#subject", SUBJECT)
            .send()
            .await;
        match written {
            Ok(_) => Ok(true),
            Err(error) => match error.into_service_error() {
                PutItemError::ConditionalCheckFailedException(_) => Ok(false),
                other => Err(DynamoError::service(other).into()),
            },
        }
    }

    /// The items of ≤ 100 subjects, asking again for what DynamoDB left unprocessed.
    async fn batch_get(
        &self,
        subjects: &[&str],
    ) -> Result<Vec<HashMap<String, AttributeValue>>, KeyStoreError> {
        let mut request = KeysAndAttributes::builder().consistent_read(true);
        for subject in subjects {
            request = request.keys(HashMap::from([(
                SUBJECT.to_owned(),
                AttributeValue::S((*subject).to_owned()),
            )]));
        }
        let mut pending = Some(request.build()?);
        let mut items = Vec::with_capacity(subjects.len());
        let mut attempt = 0;
        while let Some(keys) = pending.take() {
            if attempt > 0 {
                if attempt >= BATCH_GET_ATTEMPTS {
                    return Err(KeyStoreError::Unprocessed(attempt));
                }
                tokio::time::sleep(Duration::from_millis(20 << attempt.min(6))).await;
            }
            attempt += 1;
            let mut output = self
                .client
                .batch_get_item()
                .request_items(&self.table, keys)
                .send()
                .await?;
            if let Some(found) = output
                .responses
                .as_mut()
                .and_then(|r| r.remove(&self.table))
            {
                items.extend(found);
            }
            pending = output
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
                .filter(|k| !k.keys.is_empty());
        }
        Ok(items)
    }
}

fn data_key(item: &HashMap<String, AttributeValue>) -> Option<&[u8]> {
    match item.get(DATA_KEY) {
        Some(AttributeValue::B(blob)) => Some(blob.as_ref()),
        _ => None,
    }
}

/// Subjects starting with `$` are the table's own items (the pepper), never a person's.
fn reserved(subject: &str) -> Result<(), KeyStoreError> {
    if subject.is_empty() || subject.starts_with('$') {
        return Err(KeyStoreError::Reserved(subject.to_owned()));
    }
    Ok(())
}
