//! Where the stack "is": pseudo parameters, and the ARNs and URLs its resources get locally.

use std::collections::BTreeMap;

/// Where the stack "is": the values of the pseudo parameters and how queue URLs look.
#[derive(Clone, Debug)]
pub struct StackContext {
    pub stack_name: String,
    pub region: String,
    pub account: String,
    /// Base of the queue URLs (`<base>/<account>/<name>`): the SQS endpoint.
    pub sqs_endpoint: String,
    /// The real stream ARN of each table (by table name), once known (after provisioning).
    pub stream_arns: BTreeMap<String, String>,
    /// Template parameters given a value (`--parameter KEY=VALUE`, checked by
    /// [`crate::parameters::check`]): `Ref` gives it instead of the parameter's `Default`.
    pub parameters: BTreeMap<String, String>,
}

impl StackContext {
    pub const STACK_NAME: &'static str = "es-serverless";
    pub const REGION: &'static str = "us-east-1";
    pub const ACCOUNT: &'static str = "123456789012";

    /// The local stack: `es-serverless` in us-east-1, account 123456789012.
    pub fn local(sqs_endpoint: &str) -> Self {
        Self {
            stack_name: Self::STACK_NAME.into(),
            region: Self::REGION.into(),
            account: Self::ACCOUNT.into(),
            sqs_endpoint: sqs_endpoint.trim_end_matches('/').into(),
            stream_arns: BTreeMap::new(),
            parameters: BTreeMap::new(),
        }
    }

    pub fn with_parameters(mut self, parameters: BTreeMap<String, String>) -> Self {
        self.parameters = parameters;
        self
    }

    pub fn queue_url(&self, name: &str) -> String {
        format!("{}/{}/{}", self.sqs_endpoint, self.account, name)
    }

    pub fn queue_arn(&self, name: &str) -> String {
        format!("arn:aws:sqs:{}:{}:{}", self.region, self.account, name)
    }

    pub fn table_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:dynamodb:{}:{}:table/{}",
            self.region, self.account, name
        )
    }

    /// The stream ARN of a table: the real one when known, else a wildcard placeholder that
    /// still names the table (event source mappings find their table from it).
    pub fn stream_arn(&self, table: &str) -> String {
        self.stream_arns
            .get(table)
            .cloned()
            .unwrap_or_else(|| format!("{}/stream/*", self.table_arn(table)))
    }

    pub fn bus_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:events:{}:{}:event-bus/{}",
            self.region, self.account, name
        )
    }

    /// The id a user pool gets locally: `<region>_<logical id>` (Cognito's are
    /// `<region>_<9 characters>`), e.g. `us-east-1_UserPool`.
    pub fn user_pool_id(&self, logical_id: &str) -> String {
        format!("{}_{logical_id}", self.region)
    }

    pub fn function_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:lambda:{}:{}:function:{}",
            self.region, self.account, name
        )
    }
}
