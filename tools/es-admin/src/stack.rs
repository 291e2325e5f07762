//! Finding the stack's resources by their template's logical ids.
//!
//! CloudFormation names a table or queue of the template `{stack}-{LogicalId}-{suffix}`; the
//! local cloud names it after its logical id alone (localstack/runner, `physical_name`). Both
//! are found by listing (tables, queues) and reading the logical id back out of the name, so
//! the tool needs no CloudFormation permission. The bus has a name in the template,
//! `{stack}-traffic`, in AWS and locally (whose stack is called `es-serverless`).

use aws_sdk_dynamodb::Client as DynamoDb;
use aws_sdk_eventbridge::Client as EventBridge;
use aws_sdk_sqs::Client as Sqs;
use event_store::{EventStore, Tables};

use crate::error::{Context, Error, Result};

/// How physical names relate to logical ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Naming {
    /// The local cloud: the name is the logical id.
    Local,
    /// A CloudFormation stack: `{stack}-{LogicalId}-{suffix}`.
    Deployed { stack: String },
}

impl Naming {
    /// The logical id a physical name stands for, if it is one of the stack's.
    pub fn logical_id(&self, name: &str) -> Option<String> {
        match self {
            Naming::Local => Some(name.to_owned()),
            Naming::Deployed { stack } => {
                let rest = name.strip_prefix(stack.as_str())?.strip_prefix('-')?;
                let (logical, suffix) = rest.rsplit_once('-')?;
                let alphanumeric = |s: &str| !s.is_empty() && s.chars().all(char::is_alphanumeric);
                (alphanumeric(logical) && alphanumeric(suffix)).then(|| logical.to_owned())
            }
        }
    }

    /// What every queue name of the stack starts with (`ListQueues` takes a prefix).
    fn queue_prefix(&self) -> Option<String> {
        match self {
            Naming::Local => None,
            Naming::Deployed { stack } => Some(format!("{stack}-")),
        }
    }
}

/// A queue of the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub logical_id: String,
    pub url: String,
}

impl Queue {
    /// The queue's name: the last segment of its URL.
    pub fn name(&self) -> &str {
        self.url.rsplit('/').next().unwrap_or(&self.url)
    }

    /// Dead-letter queues are named so in the template (`…DLQ`).
    pub fn is_dead_letter_queue(&self) -> bool {
        self.logical_id.ends_with("DLQ")
    }
}

/// The clients and names of one stack.
#[derive(Debug, Clone)]
pub struct Stack {
    pub naming: Naming,
    pub stack_name: String,
    pub dynamodb: DynamoDb,
    pub sqs: Sqs,
    pub eventbridge: EventBridge,
}

impl Stack {
    /// Clients from the default AWS configuration (credentials, region, `AWS_ENDPOINT_URL`).
    pub async fn connect(naming: Naming, stack_name: String) -> Self {
        let config = aws_setup::sdk_config().await;
        Self {
            naming,
            stack_name,
            dynamodb: DynamoDb::new(&config),
            sqs: Sqs::new(&config),
            eventbridge: EventBridge::new(&config),
        }
    }

    /// The bus: `{stack}-traffic` (template.yaml, `TrafficBus`).
    pub fn bus(&self) -> String {
        format!("{}-traffic", self.stack_name)
    }

    /// The physical name of the table of `logical_id` (e.g. `RadarsTable`).
    pub async fn table(&self, logical_id: &str) -> Result<String> {
        let mut start = None;
        loop {
            let page = self
                .dynamodb
                .list_tables()
                .set_exclusive_start_table_name(start)
                .send()
                .await
                .context("listing tables")?;
            if let Some(found) = page
                .table_names()
                .iter()
                .find(|name| self.naming.logical_id(name).as_deref() == Some(logical_id))
            {
                return Ok(found.clone());
            }
            match page.last_evaluated_table_name() {
                Some(last) => start = Some(last.to_owned()),
                None => return Err(self.missing("table", logical_id)),
            }
        }
    }

    /// The event store of the stack.
    pub async fn event_store(&self) -> Result<EventStore> {
        let events = self.table("EventsTable").await?;
        Ok(EventStore::new(self.dynamodb.clone(), Tables::new(events)))
    }

    /// Every queue of the stack, by logical id.
    pub async fn queues(&self) -> Result<Vec<Queue>> {
        let mut queues = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .sqs
                .list_queues()
                .set_queue_name_prefix(self.naming.queue_prefix())
                .max_results(1000)
                .set_next_token(token)
                .send()
                .await
                .context("listing queues")?;
            for url in page.queue_urls() {
                let name = url.rsplit('/').next().unwrap_or(url);
                if let Some(logical_id) = self.naming.logical_id(name) {
                    queues.push(Queue {
                        logical_id,
                        url: url.clone(),
                    });
                }
            }
            match page.next_token() {
                Some(next) => token = Some(next.to_owned()),
                None => break,
            }
        }
        queues.sort_by(|a, b| a.logical_id.cmp(&b.logical_id));
        Ok(queues)
    }

    /// The queue of `logical_id` (e.g. `RadarProjectionQueueDLQ`).
    pub async fn queue(&self, logical_id: &str) -> Result<Queue> {
        self.queues()
            .await?
            .into_iter()
            .find(|q| q.logical_id == logical_id)
            .ok_or_else(|| self.missing("queue", logical_id))
    }

    /// The URL of the queue whose ARN is `arn` (a rule target, a redrive source).
    pub async fn queue_url_of_arn(&self, arn: &str) -> Result<String> {
        let name = arn
            .strip_prefix("arn:")
            .and_then(|rest| rest.split(':').nth(4))
            .filter(|_| arn.contains(":sqs:"))
            .ok_or_else(|| Error::new(format!("{arn} is not the ARN of an SQS queue")))?;
        let answer = self
            .sqs
            .get_queue_url()
            .queue_name(name)
            .send()
            .await
            .context(format!("finding the queue {name}"))?;
        answer
            .queue_url()
            .map(str::to_owned)
            .ok_or_else(|| Error::new(format!("no URL for the queue {name}")))
    }

    fn missing(&self, what: &str, logical_id: &str) -> Error {
        let r#where = match &self.naming {
            Naming::Local => "in the local cloud (is it running? localstack/run)".to_owned(),
            Naming::Deployed { stack } => {
                format!("in the stack {stack} (named {stack}-{logical_id}-…)")
            }
        };
        Error::new(format!("no {what} {logical_id} {where}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployed_names_give_their_logical_ids_back() {
        let naming = Naming::Deployed {
            stack: "es-serverless".into(),
        };
        assert_eq!(
            naming
                .logical_id("es-serverless-RadarsTable-1A2B3C4D5E6F")
                .as_deref(),
            Some("RadarsTable")
        );
        assert_eq!(
            naming
                .logical_id("es-serverless-RadarProjectionQueueDLQ-x9Y8z7")
                .as_deref(),
            Some("RadarProjectionQueueDLQ")
        );
        assert_eq!(naming.logical_id("other-RadarsTable-1A2B"), None);
        assert_eq!(naming.logical_id("es-serverless-traffic"), None);
        assert_eq!(naming.logical_id("es-serverless-RadarsTable"), None);
        assert_eq!(
            Naming::Local.logical_id("RadarsTable").as_deref(),
            Some("RadarsTable")
        );
    }

    #[test]
    fn dead_letter_queues_are_known_by_their_logical_id() {
        let queue = |id: &str| Queue {
            logical_id: id.into(),
            url: format!("http://localhost/123/{id}"),
        };
        assert!(queue("PublishEventsDLQ").is_dead_letter_queue());
        assert!(queue("RadarProjectionQueueDLQ").is_dead_letter_queue());
        assert!(!queue("RadarProjectionQueue").is_dead_letter_queue());
        assert_eq!(queue("RadarProjectionQueue").name(), "RadarProjectionQueue");
    }
}
