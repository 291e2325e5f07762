//! `template.yaml` read as data: the resources the local cloud provisions and the functions it
//! runs, with CloudFormation's intrinsic functions resolved locally.
//!
//! The YAML parser is `saphyr` (0.3): a maintained, fully YAML 1.2 compliant pure-Rust parser
//! (the successor of yaml-rust/yaml-rust2, by the same maintainers), with the workspace's MSRV
//! (1.85). `serde_yaml` is archived; `serde-saphyr` needs Rust 1.89 and a typed target, while
//! here the document is walked generically: it is converted to a `serde_json::Value` tree and
//! read from there. CloudFormation's short tags (`!Ref`, `!GetAtt`, `!Sub`) are refused with a
//! clear error: the template uses the long forms only.
//!
//! Supported intrinsics: `Ref` (resources, parameters with a `Default`, pseudo parameters),
//! `Fn::GetAtt` (list or dotted form), `Fn::Sub` (string or `[string, vars]`), `Fn::Join`,
//! `Fn::Select`. Physical names are the template's names where it sets one, else the logical
//! id.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Value};

pub use crate::schedule::ScheduleSpec;

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

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("template.yaml is not valid YAML: {0}")]
    Yaml(String),
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    Invalid(String),
}

type Result<T> = std::result::Result<T, TemplateError>;

fn invalid(message: impl Into<String>) -> TemplateError {
    TemplateError::Invalid(message.into())
}

/// The YAML document of a template, as JSON.
#[derive(Clone, Debug)]
pub struct Template {
    pub document: Value,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self> {
        let docs = Yaml::load_from_str(text).map_err(|e| TemplateError::Yaml(e.to_string()))?;
        let doc = docs
            .into_iter()
            .next()
            .ok_or_else(|| TemplateError::Yaml("empty document".into()))?;
        let document = yaml_to_json(&doc, "")?;
        if !document.get("Resources").is_some_and(Value::is_object) {
            return Err(invalid("the template has no Resources mapping"));
        }
        Ok(Self { document })
    }

    pub fn resources(&self) -> &Map<String, Value> {
        self.document["Resources"]
            .as_object()
            .expect("checked by parse")
    }

    pub fn resource_type(&self, logical_id: &str) -> Option<&str> {
        self.resources().get(logical_id)?.get("Type")?.as_str()
    }

    fn properties(&self, logical_id: &str) -> &Value {
        self.resources()
            .get(logical_id)
            .and_then(|r| r.get("Properties"))
            .unwrap_or(&Value::Null)
    }

    /// The properties of a SAM function with `Globals.Function` merged in (the function's own
    /// values win; maps such as `Environment.Variables` are merged key by key).
    fn function_properties(&self, logical_id: &str) -> Value {
        let globals = self
            .document
            .pointer("/Globals/Function")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        let mut merged = globals;
        merge(&mut merged, self.properties(logical_id));
        merged
    }
}

impl Template {
    /// The properties of an HTTP API with `Globals.HttpApi` merged in; the implicit API of SAM
    /// (`ServerlessHttpApi`, for events without `ApiId`) has the globals only.
    fn http_api_properties(&self, logical_id: &str) -> Value {
        let mut merged = self
            .document
            .pointer("/Globals/HttpApi")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        merge(&mut merged, self.properties(logical_id));
        merged
    }
}

fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, over) if !over.is_null() => *base = over.clone(),
        _ => {}
    }
}

fn yaml_to_json(node: &Yaml, at: &str) -> Result<Value> {
    Ok(match node {
        Yaml::Value(scalar) => scalar_to_json(scalar, at)?,
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Sequence(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, &format!("{at}/{i}")))
                .collect::<Result<_>>()?,
        ),
        Yaml::Mapping(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = match key {
                    Yaml::Value(Scalar::String(s)) => s.to_string(),
                    Yaml::Value(other) => match scalar_to_json(other, at)? {
                        Value::String(s) => s,
                        v => v.to_string(),
                    },
                    Yaml::Representation(text, _, _) => text.to_string(),
                    _ => return Err(invalid(format!("{at}: a mapping key is not a scalar"))),
                };
                let value = yaml_to_json(value, &format!("{at}/{key}"))?;
                map.insert(key, value);
            }
            Value::Object(map)
        }
        Yaml::Tagged(tag, _) => {
            return Err(TemplateError::Unsupported(format!(
                "{at}: YAML tag !{} (short-form intrinsic): write the long form (Ref, Fn::GetAtt, Fn::Sub)",
                tag.suffix
            )))
        }
        Yaml::Alias(_) => {
            return Err(TemplateError::Unsupported(format!(
                "{at}: YAML aliases are not supported"
            )))
        }
        Yaml::BadValue => return Err(invalid(format!("{at}: bad YAML value"))),
    })
}

fn scalar_to_json(scalar: &Scalar, at: &str) -> Result<Value> {
    Ok(match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => serde_json::Number::from_f64(f.into_inner())
            .map(Value::Number)
            .ok_or_else(|| invalid(format!("{at}: {f} is not a finite number")))?,
        Scalar::String(s) => Value::String(s.to_string()),
    })
}

// -------------------------------------------------------------------------------------------
// Intrinsic functions
// -------------------------------------------------------------------------------------------

/// Resolves intrinsic functions against a template and a stack context.
pub struct Resolver<'a> {
    template: &'a Template,
    ctx: &'a StackContext,
}

impl<'a> Resolver<'a> {
    pub fn new(template: &'a Template, ctx: &'a StackContext) -> Self {
        Self { template, ctx }
    }

    /// `value` with every intrinsic function replaced by its value.
    pub fn resolve(&self, value: &Value) -> Result<Value> {
        match value {
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one entry");
                match key.as_str() {
                    "Ref" => {
                        let id = self.resolve_string(arg)?;
                        Ok(Value::String(self.reference(&id)?))
                    }
                    "Fn::GetAtt" => {
                        let (id, attribute) = match self.resolve(arg)? {
                            Value::String(dotted) => {
                                let (id, attribute) = dotted.split_once('.').ok_or_else(|| {
                                    invalid(format!("Fn::GetAtt {dotted}: expected X.Attribute"))
                                })?;
                                (id.to_string(), attribute.to_string())
                            }
                            Value::Array(parts) if parts.len() == 2 => (
                                string_of(&parts[0], "Fn::GetAtt")?,
                                string_of(&parts[1], "Fn::GetAtt")?,
                            ),
                            other => return Err(invalid(format!("Fn::GetAtt {other}"))),
                        };
                        Ok(Value::String(self.attribute(&id, &attribute)?))
                    }
                    "Fn::Sub" => match arg {
                        Value::String(text) => Ok(Value::String(self.sub(text, &Map::new())?)),
                        Value::Array(parts) if parts.len() == 2 => {
                            let text = string_of(&parts[0], "Fn::Sub")?;
                            let vars = match self.resolve(&parts[1])? {
                                Value::Object(vars) => vars,
                                other => return Err(invalid(format!("Fn::Sub variables {other}"))),
                            };
                            Ok(Value::String(self.sub(&text, &vars)?))
                        }
                        other => Err(invalid(format!("Fn::Sub {other}"))),
                    },
                    "Fn::Join" => match self.resolve(arg)? {
                        Value::Array(parts) if parts.len() == 2 => {
                            let separator = string_of(&parts[0], "Fn::Join")?;
                            let items = parts[1]
                                .as_array()
                                .ok_or_else(|| invalid("Fn::Join: expected a list"))?
                                .iter()
                                .map(|v| string_of(v, "Fn::Join"))
                                .collect::<Result<Vec<_>>>()?;
                            Ok(Value::String(items.join(&separator)))
                        }
                        other => Err(invalid(format!("Fn::Join {other}"))),
                    },
                    "Fn::Select" => match self.resolve(arg)? {
                        Value::Array(parts) if parts.len() == 2 => {
                            let index = match &parts[0] {
                                Value::Number(n) => n.as_u64(),
                                Value::String(s) => s.parse().ok(),
                                _ => None,
                            }
                            .ok_or_else(|| invalid("Fn::Select: bad index"))?;
                            parts[1]
                                .as_array()
                                .and_then(|items| items.get(index as usize))
                                .cloned()
                                .ok_or_else(|| invalid("Fn::Select: index out of range"))
                        }
                        other => Err(invalid(format!("Fn::Select {other}"))),
                    },
                    other if other.starts_with("Fn::") || other == "Condition" => Err(
                        TemplateError::Unsupported(format!("intrinsic {other} is not supported")),
                    ),
                    _ => Ok(Value::Object(self.resolve_map(map)?)),
                }
            }
            Value::Object(map) => Ok(Value::Object(self.resolve_map(map)?)),
            Value::Array(items) => Ok(Value::Array(
                items
                    .iter()
                    .map(|item| self.resolve(item))
                    .collect::<Result<_>>()?,
            )),
            other => Ok(other.clone()),
        }
    }

    fn resolve_map(&self, map: &Map<String, Value>) -> Result<Map<String, Value>> {
        map.iter()
            .map(|(k, v)| Ok((k.clone(), self.resolve(v)?)))
            .collect()
    }

    /// A value that must resolve to a string (numbers and booleans are written out).
    pub fn resolve_string(&self, value: &Value) -> Result<String> {
        string_of(&self.resolve(value)?, "value")
    }

    /// What `Ref: id` gives.
    pub fn reference(&self, id: &str) -> Result<String> {
        let ctx = self.ctx;
        match id {
            "AWS::StackName" => return Ok(ctx.stack_name.clone()),
            "AWS::Region" => return Ok(ctx.region.clone()),
            "AWS::AccountId" => return Ok(ctx.account.clone()),
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            "AWS::StackId" => {
                return Ok(format!(
                    "arn:aws:cloudformation:{}:{}:stack/{}/local",
                    ctx.region, ctx.account, ctx.stack_name
                ))
            }
            _ => {}
        }
        if let Some(parameter) = self.template.document.pointer(&format!("/Parameters/{id}")) {
            if let Some(value) = ctx.parameters.get(id) {
                return Ok(value.clone());
            }
            return parameter
                .get("Default")
                .map(|d| string_of(d, id))
                .transpose()?
                .ok_or_else(|| invalid(format!("parameter {id} has no Default")));
        }
        let kind = self
            .template
            .resource_type(id)
            .ok_or_else(|| invalid(format!("Ref to unknown resource {id}")))?;
        match kind {
            "AWS::SQS::Queue" => Ok(ctx.queue_url(&self.physical_name(id)?)),
            "AWS::Serverless::HttpApi" | "AWS::ApiGatewayV2::Api" => Ok(api_id(id)),
            "AWS::Cognito::UserPool" => Ok(ctx.user_pool_id(id)),
            "AWS::Cognito::UserPoolClient" => Ok(user_pool_client_id(id)),
            _ => self.physical_name(id),
        }
    }

    /// What `Fn::GetAtt: [id, attribute]` gives.
    pub fn attribute(&self, id: &str, attribute: &str) -> Result<String> {
        let ctx = self.ctx;
        let kind = self
            .template
            .resource_type(id)
            .ok_or_else(|| invalid(format!("Fn::GetAtt of unknown resource {id}")))?;
        let name = self.physical_name(id)?;
        let value = match (kind, attribute) {
            ("AWS::DynamoDB::Table", "Arn") => ctx.table_arn(&name),
            ("AWS::DynamoDB::Table", "StreamArn") => ctx.stream_arn(&name),
            ("AWS::SQS::Queue", "Arn") => ctx.queue_arn(&name),
            ("AWS::SQS::Queue", "QueueName") => name,
            ("AWS::SQS::Queue", "QueueUrl") => ctx.queue_url(&name),
            ("AWS::Events::EventBus", "Arn") => ctx.bus_arn(&name),
            ("AWS::Events::EventBus", "Name") => name,
            ("AWS::Events::Rule", "Arn") => {
                let bus = self.rule_bus_name(id)?;
                if bus == "default" {
                    format!("arn:aws:events:{}:{}:rule/{name}", ctx.region, ctx.account)
                } else {
                    format!(
                        "arn:aws:events:{}:{}:rule/{bus}/{name}",
                        ctx.region, ctx.account
                    )
                }
            }
            ("AWS::Serverless::Function", "Arn") | ("AWS::Lambda::Function", "Arn") => {
                ctx.function_arn(&name)
            }
            ("AWS::Cognito::UserPool", "Arn") => format!(
                "arn:aws:cognito-idp:{}:{}:userpool/{}",
                ctx.region,
                ctx.account,
                ctx.user_pool_id(id)
            ),
            ("AWS::Cognito::UserPool", "ProviderName" | "ProviderURL") => format!(
                "cognito-idp.{}.amazonaws.com/{}",
                ctx.region,
                ctx.user_pool_id(id)
            ),
            ("AWS::Cognito::UserPool", "UserPoolId") => ctx.user_pool_id(id),
            ("AWS::Cognito::UserPoolClient", "ClientId") => user_pool_client_id(id),
            _ => {
                return Err(TemplateError::Unsupported(format!(
                    "Fn::GetAtt {id}.{attribute} ({kind}) is not supported"
                )))
            }
        };
        Ok(value)
    }

    /// `${AWS::Region}`, `${Resource}`, `${Resource.Attribute}`, `${Var}` of `vars`, and
    /// `${!Literal}` (which stands for `${Literal}`).
    pub fn sub(&self, text: &str, vars: &Map<String, Value>) -> Result<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| invalid(format!("Fn::Sub {text}: unclosed ${{")))?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(value) = vars.get(name) {
                out.push_str(&string_of(value, name)?);
            } else if let Some((id, attribute)) = name
                .split_once('.')
                .filter(|(id, _)| !id.starts_with("AWS::"))
            {
                out.push_str(&self.attribute(id, attribute)?);
            } else {
                out.push_str(&self.reference(name)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The name a resource has in the local cloud: the template's where it sets one, else the
    /// logical id (functions: their binary, the name `cargo lambda watch` knows them by).
    pub fn physical_name(&self, id: &str) -> Result<String> {
        let kind = self
            .template
            .resource_type(id)
            .ok_or_else(|| invalid(format!("unknown resource {id}")))?;
        let props = self.template.properties(id);
        let named = |property: &str| -> Result<Option<String>> {
            props
                .get(property)
                .map(|v| self.resolve_string(v))
                .transpose()
        };
        let name = match kind {
            "AWS::DynamoDB::Table" => named("TableName")?,
            "AWS::SQS::Queue" => named("QueueName")?,
            "AWS::Events::EventBus" | "AWS::Events::Rule" => named("Name")?,
            "AWS::Serverless::Function" => {
                let binary = self
                    .template
                    .resources()
                    .get(id)
                    .and_then(|r| r.pointer("/Metadata/BuildProperties/Binary"));
                match binary {
                    Some(binary) => Some(self.resolve_string(binary)?),
                    None => named("FunctionName")?,
                }
            }
            "AWS::Lambda::Function" => named("FunctionName")?,
            "AWS::Cognito::UserPoolGroup" => named("GroupName")?,
            _ => None,
        };
        Ok(name.unwrap_or_else(|| id.to_string()))
    }

    fn rule_bus_name(&self, id: &str) -> Result<String> {
        match self.template.properties(id).get("EventBusName") {
            Some(bus) => {
                let bus = self.resolve_string(bus)?;
                // An ARN names the bus after its last slash.
                Ok(bus.rsplit('/').next().unwrap_or(&bus).to_string())
            }
            None => Ok("default".into()),
        }
    }
}

/// The id a user pool client gets locally (Cognito's are lower-case letters and digits):
/// `local` and the logical id in lower case, `PeopleClient` → `localpeopleclient`.
fn user_pool_client_id(logical_id: &str) -> String {
    let id: String = logical_id
        .to_ascii_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("local{id}")
}

/// The id a local HTTP API gets (API Gateway ids are 10 lower-case characters).
fn api_id(logical_id: &str) -> String {
    logical_id
        .to_ascii_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect()
}

fn string_of(value: &Value, what: &str) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(invalid(format!("{what}: expected a string, got {other}"))),
    }
}

// -------------------------------------------------------------------------------------------
// The stack: what to provision and what to run
// -------------------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyElement {
    pub name: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexSpec {
    pub name: String,
    pub key_schema: Vec<KeyElement>,
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub projection_type: String,
    pub non_key_attributes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSpec {
    pub logical_id: String,
    pub name: String,
    /// Attribute name → `S`, `N` or `B`.
    pub attributes: Vec<(String, String)>,
    pub key_schema: Vec<KeyElement>,
    pub global_indexes: Vec<IndexSpec>,
    pub local_indexes: Vec<IndexSpec>,
    /// `NEW_IMAGE`, `NEW_AND_OLD_IMAGES`, …: the table has a stream.
    pub stream_view_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redrive {
    pub dead_letter_arn: String,
    pub max_receive_count: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueSpec {
    pub logical_id: String,
    pub name: String,
    /// SQS attributes set at creation (`VisibilityTimeout`, `MessageRetentionPeriod`, …) and
    /// `RedrivePolicy` (as the JSON text SQS expects).
    pub attributes: BTreeMap<String, String>,
    pub redrive: Option<Redrive>,
    pub visibility_timeout: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusSpec {
    pub logical_id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSpec {
    pub id: String,
    pub arn: String,
    pub input: Option<String>,
    pub input_path: Option<String>,
    /// `DeadLetterConfig.Arn`: given to the emulator as written (moto never fails a delivery).
    pub dead_letter_arn: Option<String>,
    /// `RetryPolicy`: `(MaximumRetryAttempts, MaximumEventAgeInSeconds)`, likewise.
    pub retry_policy: Option<(Option<i32>, Option<i32>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleSpec {
    pub logical_id: String,
    pub name: String,
    pub bus_name: String,
    pub description: Option<String>,
    pub pattern: Value,
    pub enabled: bool,
    pub targets: Vec<TargetSpec>,
}

/// An HTTP API route: `method` upper case (`ANY` for any), `path` as written
/// (`/radars/{radar_id}`); `None` is the `$default` route.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteSpec {
    pub method_and_path: Option<(String, String)>,
    /// The authorizer that checks the route's requests: the event's `Auth.Authorizer`, else
    /// its API's `Auth.DefaultAuthorizer`; `None` for a public route (`Authorizer: NONE`, or
    /// no authorizer at all).
    pub auth: Option<RouteAuth>,
}

/// A JWT authorizer of an HTTP API (`Auth.Authorizers.<name>` with a `JwtConfiguration`),
/// resolved.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct JwtAuthorizerSpec {
    /// `<API logical id>.<authorizer name>`.
    pub name: String,
    /// The header the token comes in, lower case (`IdentitySource:
    /// $request.header.Authorization` → `authorization`).
    pub header: String,
    /// `JwtConfiguration.issuer`: the `iss` a token must have.
    pub issuer: String,
    /// `JwtConfiguration.audience`: a token's `aud` (or, without one, `client_id`) must be one.
    pub audiences: Vec<String>,
}

/// How a route is protected.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteAuth {
    pub authorizer: JwtAuthorizerSpec,
    /// `AuthorizationScopes`: the token's `scope` (or `scp`) must hold one; empty: no check.
    pub scopes: Vec<String>,
}

impl RouteSpec {
    pub fn route_key(&self) -> String {
        match &self.method_and_path {
            Some((method, path)) => format!("{method} {path}"),
            None => "$default".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqsSource {
    pub queue_arn: String,
    pub queue_name: String,
    pub batch_size: u32,
    pub report_batch_item_failures: bool,
    pub enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSource {
    /// As the template resolves it (the placeholder `…/stream/*` before provisioning).
    pub stream_arn: String,
    pub table_name: String,
    pub batch_size: u32,
    /// `TRIM_HORIZON` or `LATEST`.
    pub starting_position: String,
    /// `None`: retry until the record expires (here: forever).
    pub maximum_retry_attempts: Option<u32>,
    pub report_batch_item_failures: bool,
    /// `DestinationConfig.OnFailure.Destination`: an SQS queue ARN.
    pub on_failure_arn: Option<String>,
    pub enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSpec {
    pub logical_id: String,
    /// The binary name: what `cargo lambda watch` invokes.
    pub name: String,
    pub timeout: Duration,
    pub environment: BTreeMap<String, String>,
    pub routes: Vec<RouteSpec>,
    pub sqs_sources: Vec<SqsSource>,
    pub stream_sources: Vec<StreamSource>,
    /// `Schedule` events: run by the local cloud ([`crate::schedule`]).
    pub schedules: Vec<ScheduleSpec>,
    /// Whether its role may put messages on a queue, directly (`sqs:SendMessage`) or through
    /// EventBridge (`events:PutEvents`): the queue pollers are woken after it ran
    /// ([`sends_messages`]).
    pub sends_messages: bool,
}

/// Everything the local cloud provisions and runs, names and references resolved.
#[derive(Clone, Debug)]
pub struct Stack {
    pub context: StackContext,
    pub tables: Vec<TableSpec>,
    /// Dead-letter queues come before the queues that redrive to them.
    pub queues: Vec<QueueSpec>,
    pub buses: Vec<BusSpec>,
    pub rules: Vec<RuleSpec>,
    pub functions: Vec<FunctionSpec>,
    /// Resource types and event types that the local cloud does not run.
    pub warnings: Vec<String>,
}

impl Stack {
    pub fn from_template(template: &Template, context: StackContext) -> Result<Self> {
        let mut stack = Stack {
            context,
            tables: vec![],
            queues: vec![],
            buses: vec![],
            rules: vec![],
            functions: vec![],
            warnings: vec![],
        };
        let ctx = stack.context.clone();
        let resolver = Resolver::new(template, &ctx);
        for (id, resource) in template.resources() {
            let kind = resource.get("Type").and_then(Value::as_str).unwrap_or("");
            match kind {
                "AWS::DynamoDB::Table" => stack.tables.push(table(&resolver, template, id)?),
                "AWS::SQS::Queue" => stack.queues.push(queue(&resolver, template, id)?),
                "AWS::Events::EventBus" => stack.buses.push(BusSpec {
                    logical_id: id.clone(),
                    name: resolver.physical_name(id)?,
                }),
                "AWS::Events::Rule" => stack.rules.push(rule(&resolver, template, id)?),
                "AWS::Serverless::Function" => {
                    let (function, warnings) = function(&resolver, template, id)?;
                    stack.functions.push(function);
                    stack.warnings.extend(warnings);
                }
                // Permissions and the API itself: nothing to run locally (the gateway serves
                // every route of every HttpApi on one port). The user pool: the gateway's JWT
                // authorizer accepts the tokens `local-cloud token` signs in its name. Alarms,
                // their topic and the dashboard watch AWS's metrics: nothing to watch here
                // (the local figures are the runner's own).
                "AWS::SNS::Topic"
                | "AWS::SNS::Subscription"
                | "AWS::CloudWatch::Alarm"
                | "AWS::CloudWatch::Dashboard"
                | "AWS::SQS::QueuePolicy"
                | "AWS::Serverless::HttpApi"
                | "AWS::IAM::Role"
                | "AWS::IAM::ManagedPolicy"
                | "AWS::Cognito::UserPool"
                | "AWS::Cognito::UserPoolClient"
                | "AWS::Cognito::UserPoolGroup" => {}
                other => stack
                    .warnings
                    .push(format!("{id}: {other} is not emulated locally")),
            }
        }
        stack.queues = dead_letter_queues_first(std::mem::take(&mut stack.queues));
        Ok(stack)
    }

    /// Runs every schedule every `every` (`--schedule-every`), whatever its rate (cron too).
    pub fn run_schedules_every(&mut self, every: Duration) {
        for function in &mut self.functions {
            for schedule in &mut function.schedules {
                schedule.every = Some(every);
            }
        }
    }

    pub fn queue_by_arn(&self, arn: &str) -> Option<&QueueSpec> {
        self.queues
            .iter()
            .find(|q| self.context.queue_arn(&q.name) == arn)
    }

    pub fn function(&self, name: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The JWT authorizers that protect at least one route, each once.
    pub fn jwt_authorizers(&self) -> Vec<&JwtAuthorizerSpec> {
        let mut authorizers: Vec<&JwtAuthorizerSpec> = self
            .functions
            .iter()
            .flat_map(|f| f.routes.iter())
            .filter_map(|r| r.auth.as_ref().map(|a| &a.authorizer))
            .collect();
        authorizers.sort();
        authorizers.dedup();
        authorizers
    }

    /// The environment every function needs, merged (`cargo lambda watch` gives all functions
    /// the one environment of its process). Names mean the same thing everywhere (contract), so
    /// a conflict is reported, and the first value kept.
    pub fn function_environment(&self) -> (BTreeMap<String, String>, Vec<String>) {
        let mut merged = BTreeMap::new();
        let mut conflicts = vec![];
        for function in &self.functions {
            for (key, value) in &function.environment {
                match merged.get(key) {
                    Some(existing) if existing != value => conflicts.push(format!(
                        "{key}: {} sets {value:?}, another function {existing:?}",
                        function.name
                    )),
                    Some(_) => {}
                    None => {
                        merged.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (merged, conflicts)
    }
}

fn dead_letter_queues_first(mut queues: Vec<QueueSpec>) -> Vec<QueueSpec> {
    let mut ordered: Vec<QueueSpec> = vec![];
    while !queues.is_empty() {
        let names: BTreeSet<String> = queues.iter().map(|q| q.name.clone()).collect();
        let (ready, waiting): (Vec<_>, Vec<_>) = queues.into_iter().partition(|q| {
            q.redrive.as_ref().is_none_or(|r| {
                let dlq = r.dead_letter_arn.rsplit(':').next().unwrap_or_default();
                !names.contains(dlq) || dlq == q.name
            })
        });
        if ready.is_empty() {
            // A cycle of redrives: keep the template order for the rest.
            ordered.extend(waiting);
            break;
        }
        ordered.extend(ready);
        queues = waiting;
    }
    ordered
}

fn key_schema(resolver: &Resolver, value: Option<&Value>, at: &str) -> Result<Vec<KeyElement>> {
    let value = resolver.resolve(value.unwrap_or(&Value::Null))?;
    value
        .as_array()
        .ok_or_else(|| invalid(format!("{at}: KeySchema is missing")))?
        .iter()
        .map(|key| {
            Ok(KeyElement {
                name: string_of(&key["AttributeName"], at)?,
                key_type: string_of(&key["KeyType"], at)?,
            })
        })
        .collect()
}

fn indexes(resolver: &Resolver, value: Option<&Value>, at: &str) -> Result<Vec<IndexSpec>> {
    let Some(value) = value else {
        return Ok(vec![]);
    };
    let value = resolver.resolve(value)?;
    value
        .as_array()
        .ok_or_else(|| invalid(format!("{at}: indexes must be a list")))?
        .iter()
        .map(|index| {
            let name = string_of(&index["IndexName"], at)?;
            Ok(IndexSpec {
                key_schema: key_schema(resolver, index.get("KeySchema"), &name)?,
                projection_type: index
                    .pointer("/Projection/ProjectionType")
                    .map(|v| string_of(v, &name))
                    .transpose()?
                    .unwrap_or_else(|| "ALL".into()),
                non_key_attributes: index
                    .pointer("/Projection/NonKeyAttributes")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
                name,
            })
        })
        .collect()
}

fn table(resolver: &Resolver, template: &Template, id: &str) -> Result<TableSpec> {
    let props = template.properties(id);
    let attributes = resolver
        .resolve(props.get("AttributeDefinitions").unwrap_or(&Value::Null))?
        .as_array()
        .ok_or_else(|| invalid(format!("{id}: AttributeDefinitions is missing")))?
        .iter()
        .map(|a| {
            Ok((
                string_of(&a["AttributeName"], id)?,
                string_of(&a["AttributeType"], id)?,
            ))
        })
        .collect::<Result<_>>()?;
    let stream = props
        .get("StreamSpecification")
        .map(|s| resolver.resolve(s))
        .transpose()?;
    Ok(TableSpec {
        logical_id: id.into(),
        name: resolver.physical_name(id)?,
        attributes,
        key_schema: key_schema(resolver, props.get("KeySchema"), id)?,
        global_indexes: indexes(resolver, props.get("GlobalSecondaryIndexes"), id)?,
        local_indexes: indexes(resolver, props.get("LocalSecondaryIndexes"), id)?,
        stream_view_type: stream
            .as_ref()
            .and_then(|s| s.get("StreamViewType"))
            .map(|v| string_of(v, id))
            .transpose()?,
    })
}

/// CloudFormation queue properties that are SQS attributes of the same name.
const QUEUE_ATTRIBUTES: [&str; 8] = [
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
    "FifoQueue",
    "ContentBasedDeduplication",
    "SqsManagedSseEnabled",
];

fn queue(resolver: &Resolver, template: &Template, id: &str) -> Result<QueueSpec> {
    let props = resolver.resolve(template.properties(id))?;
    let mut attributes = BTreeMap::new();
    for name in QUEUE_ATTRIBUTES {
        if let Some(value) = props.get(name) {
            attributes.insert(name.to_string(), string_of(value, id)?);
        }
    }
    let redrive = match props.get("RedrivePolicy") {
        Some(policy) => {
            let policy = match policy {
                Value::String(text) => serde_json::from_str(text)
                    .map_err(|e| invalid(format!("{id}: RedrivePolicy: {e}")))?,
                other => other.clone(),
            };
            let dead_letter_arn = string_of(&policy["deadLetterTargetArn"], id)?;
            let max_receive_count = string_of(&policy["maxReceiveCount"], id)?
                .parse()
                .map_err(|_| invalid(format!("{id}: maxReceiveCount is not a number")))?;
            attributes.insert(
                "RedrivePolicy".into(),
                serde_json::json!({
                    "deadLetterTargetArn": dead_letter_arn,
                    "maxReceiveCount": max_receive_count,
                })
                .to_string(),
            );
            Some(Redrive {
                dead_letter_arn,
                max_receive_count,
            })
        }
        None => None,
    };
    Ok(QueueSpec {
        logical_id: id.into(),
        name: resolver.physical_name(id)?,
        visibility_timeout: attributes
            .get("VisibilityTimeout")
            .and_then(|v| v.parse().ok()),
        attributes,
        redrive,
    })
}

fn rule(resolver: &Resolver, template: &Template, id: &str) -> Result<RuleSpec> {
    let props = resolver.resolve(template.properties(id))?;
    let targets = props
        .get("Targets")
        .and_then(Value::as_array)
        .map(|targets| {
            targets
                .iter()
                .map(|t| {
                    Ok(TargetSpec {
                        id: string_of(&t["Id"], id)?,
                        arn: string_of(&t["Arn"], id)?,
                        input: t.get("Input").map(|v| string_of(v, id)).transpose()?,
                        input_path: t.get("InputPath").map(|v| string_of(v, id)).transpose()?,
                        dead_letter_arn: t
                            .pointer("/DeadLetterConfig/Arn")
                            .map(|v| string_of(v, id))
                            .transpose()?,
                        retry_policy: t.get("RetryPolicy").map(|p| {
                            let field = |name: &str| {
                                p.get(name)
                                    .and_then(|v| string_of(v, id).ok()?.parse().ok())
                            };
                            (
                                field("MaximumRetryAttempts"),
                                field("MaximumEventAgeInSeconds"),
                            )
                        }),
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?
        .unwrap_or_default();
    let pattern = props.get("EventPattern").cloned().ok_or_else(|| {
        invalid(format!(
            "{id}: only rules with an EventPattern are supported"
        ))
    })?;
    let pattern = match pattern {
        Value::String(text) => {
            serde_json::from_str(&text).map_err(|e| invalid(format!("{id}: EventPattern: {e}")))?
        }
        other => other,
    };
    Ok(RuleSpec {
        logical_id: id.into(),
        name: resolver.physical_name(id)?,
        bus_name: resolver.rule_bus_name(id)?,
        description: props
            .get("Description")
            .map(|v| string_of(v, id))
            .transpose()?,
        pattern,
        enabled: props
            .get("State")
            .and_then(Value::as_str)
            .unwrap_or("ENABLED")
            == "ENABLED",
        targets,
    })
}

fn number(value: Option<&Value>, default: u32, at: &str) -> Result<u32> {
    match value {
        None => Ok(default),
        Some(v) => string_of(v, at)?
            .parse()
            .map_err(|_| invalid(format!("{at}: {v} is not a number"))),
    }
}

fn reports_item_failures(props: &Value) -> bool {
    props
        .get("FunctionResponseTypes")
        .and_then(Value::as_array)
        .is_some_and(|types| {
            types
                .iter()
                .any(|t| t.as_str() == Some("ReportBatchItemFailures"))
        })
}

/// SAM policy templates that grant sending to a queue or putting events on a bus.
const SENDING_POLICY_TEMPLATES: [&str; 3] = [
    "SQSSendMessagePolicy",
    "EventBridgePutEventsPolicy",
    "SNSPublishMessagePolicy",
];

/// Managed policies that grant no sending (the execution roles SAM functions commonly name).
const NON_SENDING_MANAGED_POLICIES: [&str; 5] = [
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSXRayDaemonWriteAccess",
];

/// Whether a function's `Policies` may let it put a message on a queue: a sending policy
/// template, an action `sqs:SendMessage*`, `events:PutEvents`, `sns:Publish` or a wildcard
/// covering one, a policy resource of the template (`Ref`) granting one, or a managed policy
/// the runner does not know (counted as sending: a wrong "yes" costs a few empty receives, a
/// wrong "no" delays messages until the safety poll).
pub fn sends_messages(template: &Template, policies: Option<&Value>) -> bool {
    fn action_sends(action: &str) -> bool {
        let action = action.to_ascii_lowercase();
        action == "*"
            || ["sqs:", "events:", "sns:"]
                .iter()
                .any(|service| action == format!("{service}*"))
            || action.starts_with("sqs:sendmessage")
            || action == "events:putevents"
            || action == "sns:publish"
    }
    fn grants(template: &Template, value: &Value, depth: usize) -> bool {
        if depth > 8 {
            return true;
        }
        match value {
            Value::Array(items) => items.iter().any(|v| grants(template, v, depth + 1)),
            Value::String(name) => {
                let name = name.rsplit('/').next().unwrap_or(name);
                !NON_SENDING_MANAGED_POLICIES.contains(&name)
            }
            Value::Object(map) => map.iter().any(|(key, v)| match key.as_str() {
                "Action" | "NotAction" => match v {
                    Value::String(a) => action_sends(a) || key == "NotAction",
                    Value::Array(actions) => {
                        key == "NotAction"
                            || actions.iter().any(|a| a.as_str().is_none_or(action_sends))
                    }
                    _ => true,
                },
                "Ref" => match v.as_str().and_then(|id| template.resources().get(id)) {
                    Some(resource) => grants(
                        template,
                        resource
                            .pointer("/Properties/PolicyDocument")
                            .unwrap_or(&Value::Null),
                        depth + 1,
                    ),
                    // A parameter or a pseudo parameter: an unknown policy.
                    None => true,
                },
                "Statement" | "PolicyDocument" => grants(template, v, depth + 1),
                name if SENDING_POLICY_TEMPLATES.contains(&name) => true,
                // Other SAM policy templates (DynamoDBCrudPolicy, …) grant no sending.
                _ => false,
            }),
            _ => false,
        }
    }
    policies.is_some_and(|p| grants(template, p, 0))
}

fn function(
    resolver: &Resolver,
    template: &Template,
    id: &str,
) -> Result<(FunctionSpec, Vec<String>)> {
    let props = template.function_properties(id);
    let name = resolver.physical_name(id)?;
    let mut warnings = vec![];
    let environment = match props.pointer("/Environment/Variables") {
        Some(vars) => resolver
            .resolve(vars)?
            .as_object()
            .ok_or_else(|| invalid(format!("{id}: Environment.Variables is not a mapping")))?
            .iter()
            .map(|(k, v)| Ok((k.clone(), string_of(v, k)?)))
            .collect::<Result<_>>()?,
        None => BTreeMap::new(),
    };
    let timeout = Duration::from_secs(u64::from(number(props.get("Timeout"), 3, id)?));
    let mut spec = FunctionSpec {
        logical_id: id.into(),
        name,
        timeout,
        environment,
        routes: vec![],
        sqs_sources: vec![],
        stream_sources: vec![],
        schedules: vec![],
        sends_messages: sends_messages(template, props.get("Policies")),
    };
    let events = props
        .get("Events")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (event_id, event) in events {
        let at = format!("{id}.Events.{event_id}");
        let kind = event.get("Type").and_then(Value::as_str).unwrap_or("");
        let raw = event.get("Properties").cloned().unwrap_or(Value::Null);
        match kind {
            "HttpApi" => {
                let path = raw
                    .get("Path")
                    .map(|p| resolver.resolve_string(p))
                    .transpose()?;
                let method = raw
                    .get("Method")
                    .map(|m| resolver.resolve_string(m))
                    .transpose()?;
                let method_and_path = match (method, path) {
                    (None, None) => None,
                    (method, Some(path)) => {
                        let method = method.unwrap_or_else(|| "ANY".into()).to_ascii_uppercase();
                        let method = if method == "X-AMAZON-APIGATEWAY-ANY-METHOD" || method == "*"
                        {
                            "ANY".into()
                        } else {
                            method
                        };
                        Some((method, path))
                    }
                    (Some(_), None) => {
                        return Err(invalid(format!("{at}: a Method without a Path")));
                    }
                };
                let auth = route_auth(resolver, template, &raw, &at)?;
                spec.routes.push(RouteSpec {
                    method_and_path,
                    auth,
                });
            }
            "SQS" => {
                let props = resolver.resolve(&raw)?;
                let queue_arn = string_of(&props["Queue"], &at)?;
                spec.sqs_sources.push(SqsSource {
                    queue_name: queue_arn.rsplit(':').next().unwrap_or_default().to_string(),
                    queue_arn,
                    batch_size: number(props.get("BatchSize"), 10, &at)?,
                    report_batch_item_failures: reports_item_failures(&props),
                    enabled: props
                        .get("Enabled")
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                });
            }
            "DynamoDB" => {
                let props = resolver.resolve(&raw)?;
                let stream_arn = string_of(&props["Stream"], &at)?;
                let table_name = stream_arn
                    .split_once(":table/")
                    .and_then(|(_, rest)| rest.split('/').next())
                    .ok_or_else(|| invalid(format!("{at}: {stream_arn} is not a stream ARN")))?
                    .to_string();
                let retries = match props.get("MaximumRetryAttempts") {
                    None => None,
                    Some(v) => {
                        let n: i64 = string_of(v, &at)?
                            .parse()
                            .map_err(|_| invalid(format!("{at}: MaximumRetryAttempts")))?;
                        u32::try_from(n).ok()
                    }
                };
                spec.stream_sources.push(StreamSource {
                    stream_arn,
                    table_name,
                    batch_size: number(props.get("BatchSize"), 100, &at)?,
                    starting_position: props
                        .get("StartingPosition")
                        .and_then(Value::as_str)
                        .unwrap_or("TRIM_HORIZON")
                        .to_string(),
                    maximum_retry_attempts: retries,
                    report_batch_item_failures: reports_item_failures(&props),
                    on_failure_arn: props
                        .pointer("/DestinationConfig/OnFailure/Destination")
                        .map(|v| string_of(v, &at))
                        .transpose()?,
                    enabled: props
                        .get("Enabled")
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                });
            }
            "Schedule" => {
                let schedule = ScheduleSpec::from_event(
                    &resolver.resolve(&raw)?,
                    &format!("{id}{event_id}"),
                    &at,
                )?;
                if schedule.every.is_none() {
                    warnings.push(format!(
                        "{at}: {} runs only with --schedule-every (cron is not emulated)",
                        schedule.expression
                    ));
                }
                spec.schedules.push(schedule);
            }
            other => warnings.push(format!("{at}: event type {other} is not emulated locally")),
        }
    }
    spec.routes.sort();
    Ok((spec, warnings))
}

fn strings(value: Option<&Value>, at: &str) -> Result<Vec<String>> {
    match value {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(items)) => items.iter().map(|v| string_of(v, at)).collect(),
        Some(other) => Ok(vec![string_of(other, at)?]),
    }
}

/// The authorizer of an `HttpApi` event (`props`: its `Properties`, unresolved), as API
/// Gateway applies it: the event's `Auth.Authorizer` (`NONE`: public), else the API's
/// `Auth.DefaultAuthorizer`. Only JWT authorizers are emulated: a route that needs another
/// kind is refused rather than served unchecked.
fn route_auth(
    resolver: &Resolver,
    template: &Template,
    props: &Value,
    at: &str,
) -> Result<Option<RouteAuth>> {
    let api = match props.get("ApiId") {
        None => "ServerlessHttpApi".to_string(),
        Some(api) => api
            .get("Ref")
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| invalid(format!("{at}: ApiId must be a Ref to an HttpApi")))?,
    };
    let api_props = template.http_api_properties(&api);
    let api_auth = api_props.get("Auth").cloned().unwrap_or(Value::Null);
    let route_auth = props.get("Auth").cloned().unwrap_or(Value::Null);
    let chosen = match route_auth.get("Authorizer") {
        Some(name) => Some(resolver.resolve_string(name)?),
        None => api_auth
            .get("DefaultAuthorizer")
            .map(|name| resolver.resolve_string(name))
            .transpose()?,
    };
    let Some(name) = chosen.filter(|name| name != "NONE") else {
        return Ok(None);
    };
    let definition = api_auth
        .get("Authorizers")
        .and_then(|authorizers| authorizers.get(&name))
        .ok_or_else(|| {
            invalid(format!(
                "{at}: authorizer {name} is not in {api}'s Auth.Authorizers"
            ))
        })?;
    let definition = resolver.resolve(definition)?;
    let unsupported = |what: String| TemplateError::Unsupported(format!("{at}: {what}"));
    let jwt = definition.get("JwtConfiguration").ok_or_else(|| {
        unsupported(format!(
            "authorizer {name} is not a JWT authorizer (JwtConfiguration); only those are emulated"
        ))
    })?;
    let identity_source = definition
        .get("IdentitySource")
        .map(|s| string_of(s, at))
        .transpose()?
        .unwrap_or_else(|| "$request.header.Authorization".into());
    let header = identity_source
        .strip_prefix("$request.header.")
        .ok_or_else(|| {
            unsupported(format!(
                "authorizer {name}: IdentitySource {identity_source} (only $request.header.<name>)"
            ))
        })?
        .to_ascii_lowercase();
    let issuer = jwt
        .get("issuer")
        .map(|i| string_of(i, at))
        .transpose()?
        .ok_or_else(|| invalid(format!("{at}: authorizer {name} has no issuer")))?;
    let audiences = strings(jwt.get("audience"), at)?;
    if audiences.is_empty() {
        return Err(invalid(format!("{at}: authorizer {name} has no audience")));
    }
    let scopes = match route_auth.get("AuthorizationScopes") {
        Some(scopes) => strings(Some(&resolver.resolve(scopes)?), at)?,
        None => strings(definition.get("AuthorizationScopes"), at)?,
    };
    Ok(Some(RouteAuth {
        authorizer: JwtAuthorizerSpec {
            name: format!("{api}.{name}"),
            header,
            issuer,
            audiences,
        },
        scopes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real_template() -> Template {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        Template::load(&path).expect("template.yaml parses")
    }

    fn real_stack() -> Stack {
        Stack::from_template(
            &real_template(),
            StackContext::local("http://127.0.0.1:4566"),
        )
        .expect("the stack resolves")
    }

    fn tiny(yaml: &str) -> Template {
        Template::parse(yaml).expect("parses")
    }

    #[test]
    fn the_real_template_has_the_event_store_and_read_model_tables() {
        let stack = real_stack();
        let names: BTreeSet<&str> = stack.tables.iter().map(|t| t.name.as_str()).collect();
        for table in [
            "EventsTable",
            "RadarsTable",
            "OwnersTable",
            "VehiclesTable",
            "InfractionsTable",
            "PlateOwnersTable",
            "InventoryTable",
            "CustomersTable",
            "CartsTable",
            "OrdersTable",
            "OrderReportsTable",
        ] {
            assert!(names.contains(table), "{table} in {names:?}");
        }
        let events = stack
            .tables
            .iter()
            .find(|t| t.name == "EventsTable")
            .unwrap();
        assert_eq!(events.stream_view_type.as_deref(), Some("NEW_IMAGE"));
        assert_eq!(
            events.key_schema,
            vec![
                KeyElement {
                    name: "stream_id".into(),
                    key_type: "HASH".into()
                },
                KeyElement {
                    name: "version".into(),
                    key_type: "RANGE".into()
                },
            ]
        );
        assert!(events.attributes.contains(&("version".into(), "N".into())));
        let indexes: Vec<&str> = events
            .global_indexes
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(indexes, ["by_correlation", "global_feed"]);
        let infractions = stack
            .tables
            .iter()
            .find(|t| t.name == "InfractionsTable")
            .unwrap();
        assert_eq!(infractions.global_indexes.len(), 4);
        assert!(infractions.stream_view_type.is_none());
    }

    #[test]
    fn the_real_template_queues_redrive_to_their_dead_letter_queues_created_first() {
        let stack = real_stack();
        let position = |name: &str| {
            stack
                .queues
                .iter()
                .position(|q| q.name == name)
                .unwrap_or_else(|| panic!("queue {name}"))
        };
        for queue in [
            "RadarProjectionQueue",
            "OwnerProjectionQueue",
            "VehicleProjectionQueue",
            "InfractionProjectionQueue",
            "InfractionPolicyQueue",
            "InventoryProjectionQueue",
            "CustomerProjectionQueue",
            "CartProjectionQueue",
            "OrderProjectionQueue",
            "ReserveStockQueue",
            "TakePaymentQueue",
            "CommitStockQueue",
            "ReleaseStockQueue",
            "ConfirmOrderQueue",
            "CancelOrderQueue",
        ] {
            let spec = &stack.queues[position(queue)];
            let redrive = spec.redrive.as_ref().expect("a redrive policy");
            assert_eq!(
                redrive.dead_letter_arn,
                format!("arn:aws:sqs:us-east-1:123456789012:{queue}DLQ")
            );
            assert_eq!(redrive.max_receive_count, 5);
            assert_eq!(spec.visibility_timeout, Some(180));
            assert!(position(&format!("{queue}DLQ")) < position(queue));
            let policy: Value = serde_json::from_str(&spec.attributes["RedrivePolicy"]).unwrap();
            assert_eq!(policy["maxReceiveCount"], 5);
        }
        assert!(stack.queues.iter().any(|q| q.name == "PublishEventsDLQ"));
        // 15 consumer queues with their DLQs, PublishEventsDLQ and RuleTargetsDLQ.
        assert_eq!(stack.queues.len(), 32);
    }

    #[test]
    fn the_real_template_bus_and_rules_resolve_to_names_and_queue_arns() {
        let stack = real_stack();
        assert_eq!(stack.buses.len(), 1);
        assert_eq!(stack.buses[0].name, "es-serverless-traffic");
        assert_eq!(stack.rules.len(), 15);
        for rule in &stack.rules {
            assert_eq!(rule.bus_name, "es-serverless-traffic");
            assert!(rule.enabled);
            assert_eq!(rule.targets.len(), 1);
            assert!(stack.queue_by_arn(&rule.targets[0].arn).is_some());
        }
        let owners = stack
            .rules
            .iter()
            .find(|r| r.name == "OwnerProjectionRule")
            .unwrap();
        assert_eq!(
            owners.pattern,
            serde_json::json!({"source": ["registration-service"], "detail": {"aggregate_type": ["owner"]}})
        );
        assert_eq!(
            owners.targets[0].arn,
            "arn:aws:sqs:us-east-1:123456789012:OwnerProjectionQueue"
        );
        let policy = stack
            .rules
            .iter()
            .find(|r| r.name == "InfractionPolicyRule")
            .unwrap();
        assert_eq!(
            policy.pattern["detail-type"],
            serde_json::json!([
                "OverspeedDetected",
                "VehicleRegistered",
                "VehicleOwnershipTransferred"
            ])
        );
    }

    #[test]
    fn the_real_template_functions_have_their_binaries_routes_and_environment() {
        let stack = real_stack();
        let install = stack.function("install-radar").expect("install-radar");
        assert_eq!(install.logical_id, "InstallRadarFunction");
        assert_eq!(install.routes.len(), 1);
        assert_eq!(
            install.routes[0].method_and_path,
            Some(("POST".into(), "/radars".into()))
        );
        assert_eq!(install.environment["EVENTS_TABLE"], "EventsTable");
        // Snapshots live in the events table: no table of their own.
        assert!(!install.environment.contains_key("SNAPSHOTS_TABLE"));
        // Globals.Function: environment merged, timeout inherited.
        assert_eq!(install.environment["RUST_LOG"], "info");
        assert_eq!(install.timeout, Duration::from_secs(10));

        let not_found = stack.function("route-not-found").expect("route-not-found");
        assert_eq!(not_found.routes.len(), 1);
        assert_eq!(not_found.routes[0].method_and_path, None);
        assert_eq!(
            stack.function("record-detection").unwrap().routes[0].route_key(),
            "POST /radars/{radar_id}/detections"
        );
        let routes: usize = stack.functions.iter().map(|f| f.routes.len()).sum();
        // 27 routes of the contract and $default (more come with the order system).
        assert!(routes >= 28, "{routes} routes");
    }

    #[test]
    fn the_real_template_event_sources_are_the_stream_and_the_queues() {
        let stack = real_stack();
        let publish = stack.function("publish-events").expect("publish-events");
        assert_eq!(
            publish.environment["EVENT_BUS_NAME"],
            "es-serverless-traffic"
        );
        assert_eq!(publish.timeout, Duration::from_secs(30));
        assert_eq!(
            publish.stream_sources,
            vec![StreamSource {
                stream_arn: "arn:aws:dynamodb:us-east-1:123456789012:table/EventsTable/stream/*"
                    .into(),
                table_name: "EventsTable".into(),
                batch_size: 10,
                starting_position: "TRIM_HORIZON".into(),
                maximum_retry_attempts: Some(100),
                report_batch_item_failures: true,
                on_failure_arn: Some("arn:aws:sqs:us-east-1:123456789012:PublishEventsDLQ".into()),
                enabled: true,
            }]
        );
        let mut consumers: Vec<(String, String)> = stack
            .functions
            .iter()
            .flat_map(|f| {
                f.sqs_sources
                    .iter()
                    .map(|s| (s.queue_name.clone(), f.name.clone()))
            })
            .collect();
        consumers.sort();
        assert_eq!(
            consumers,
            [
                ("CancelOrderQueue", "cancel-order"),
                ("CartProjectionQueue", "project-carts"),
                ("CommitStockQueue", "commit-stock"),
                ("ConfirmOrderQueue", "confirm-order"),
                ("CustomerProjectionQueue", "project-customers"),
                ("InfractionPolicyQueue", "infraction-policy"),
                ("InfractionProjectionQueue", "project-infractions"),
                ("InventoryProjectionQueue", "project-inventory"),
                ("OrderProjectionQueue", "project-orders"),
                ("OwnerProjectionQueue", "project-owners"),
                ("RadarProjectionQueue", "project-radars"),
                ("ReleaseStockQueue", "release-stock"),
                ("ReserveStockQueue", "reserve-stock"),
                ("TakePaymentQueue", "take-payment"),
                ("VehicleProjectionQueue", "project-vehicles"),
            ]
            .map(|(q, f)| (q.to_string(), f.to_string()))
        );
        for function in stack.functions.iter().filter(|f| !f.sqs_sources.is_empty()) {
            assert!(function.sqs_sources[0].report_batch_item_failures);
            assert_eq!(function.sqs_sources[0].batch_size, 10);
        }
    }

    #[test]
    fn the_merged_function_environment_has_every_contract_name() {
        let stack = real_stack();
        let (env, conflicts) = stack.function_environment();
        assert!(conflicts.is_empty(), "{conflicts:?}");
        for (key, value) in [
            ("EVENTS_TABLE", "EventsTable"),
            ("RADARS_TABLE", "RadarsTable"),
            ("OWNERS_TABLE", "OwnersTable"),
            ("VEHICLES_TABLE", "VehiclesTable"),
            ("INFRACTIONS_TABLE", "InfractionsTable"),
            ("PLATE_OWNERS_TABLE", "PlateOwnersTable"),
            ("INVENTORY_TABLE", "InventoryTable"),
            ("CUSTOMERS_TABLE", "CustomersTable"),
            ("CARTS_TABLE", "CartsTable"),
            ("ORDERS_TABLE", "OrdersTable"),
            ("ORDER_REPORTS_TABLE", "OrderReportsTable"),
            ("EVENT_BUS_NAME", "es-serverless-traffic"),
        ] {
            assert_eq!(env.get(key).map(String::as_str), Some(value), "{key}");
        }
    }

    #[test]
    fn intrinsics_resolve_refs_attributes_and_substitutions() {
        let template = tiny(
            r#"
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName:
        Fn::Sub: ${AWS::StackName}-table-${Stage}
  Queue:
    Type: AWS::SQS::Queue
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: my-bus
"#,
        );
        let ctx = StackContext::local("http://127.0.0.1:4566/");
        let r = Resolver::new(&template, &ctx);
        let resolve = |yaml: &str| r.resolve(&tiny_value(yaml)).unwrap();
        assert_eq!(resolve("Ref: Table"), "es-serverless-table-dev");
        assert_eq!(
            resolve("Ref: Queue"),
            "http://127.0.0.1:4566/123456789012/Queue"
        );
        assert_eq!(
            resolve("Fn::GetAtt: [Queue, Arn]"),
            "arn:aws:sqs:us-east-1:123456789012:Queue"
        );
        assert_eq!(
            resolve("Fn::GetAtt: Table.Arn"),
            "arn:aws:dynamodb:us-east-1:123456789012:table/es-serverless-table-dev"
        );
        assert_eq!(
            resolve("Fn::Sub: ${Table.Arn}/index/*"),
            "arn:aws:dynamodb:us-east-1:123456789012:table/es-serverless-table-dev/index/*"
        );
        assert_eq!(
            resolve("Fn::Sub: ${!Literal}-${AWS::Region}-${Bus}"),
            "${Literal}-us-east-1-my-bus"
        );
        assert_eq!(
            resolve("Fn::Sub: [\"${X}-${AWS::AccountId}\", {X: {Ref: Bus}}]"),
            "my-bus-123456789012"
        );
        assert_eq!(resolve("Fn::Join: [\":\", [a, {Ref: Stage}]]"), "a:dev");
        assert_eq!(
            resolve("{Nested: [{Ref: Bus}, 3]}"),
            serde_json::json!({"Nested": ["my-bus", 3]})
        );
        assert!(r.resolve(&tiny_value("Ref: Missing")).is_err());
        assert!(r.resolve(&tiny_value("Fn::GetAtt: [Queue, Nope]")).is_err());
        assert!(r.resolve(&tiny_value("Fn::If: [c, a, b]")).is_err());
    }

    #[test]
    fn known_stream_arns_replace_the_placeholder() {
        let template = tiny("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n");
        let mut ctx = StackContext::local("http://h:1");
        let r = Resolver::new(&template, &ctx);
        assert_eq!(
            r.resolve(&tiny_value("Fn::GetAtt: [T, StreamArn]"))
                .unwrap(),
            "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/*"
        );
        ctx.stream_arns
            .insert("T".into(), "arn:aws:dynamodb:x:table/T/stream/2026".into());
        let r = Resolver::new(&template, &ctx);
        assert_eq!(
            r.resolve(&tiny_value("Fn::GetAtt: [T, StreamArn]"))
                .unwrap(),
            "arn:aws:dynamodb:x:table/T/stream/2026"
        );
    }

    #[test]
    fn short_form_tags_are_refused_with_a_clear_error() {
        let error = Template::parse("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Other\n")
            .expect_err("a tag is refused");
        assert!(error.to_string().contains("long form"), "{error}");
    }

    const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_UserPool";

    fn auth_fixture() -> Template {
        tiny(include_str!("../tests/fixtures/auth-template.yaml"))
    }

    fn route_of<'s>(stack: &'s Stack, function: &str) -> &'s RouteSpec {
        &stack.function(function).expect(function).routes[0]
    }

    #[test]
    fn routes_are_behind_the_default_jwt_authorizer_unless_none() {
        let stack =
            Stack::from_template(&auth_fixture(), StackContext::local("http://h:1")).unwrap();
        let expected = JwtAuthorizerSpec {
            name: "HttpApi.CognitoJwt".into(),
            header: "authorization".into(),
            issuer: ISSUER.into(),
            audiences: vec!["localpeopleclient".into(), "localradarclient".into()],
        };
        assert_eq!(
            route_of(&stack, "list-radars").auth,
            Some(RouteAuth {
                authorizer: expected.clone(),
                scopes: vec![]
            })
        );
        assert_eq!(route_of(&stack, "openapi").auth, None);
        let fallback = route_of(&stack, "route-not-found");
        assert_eq!(fallback.method_and_path, None);
        assert_eq!(
            fallback.auth.as_ref().map(|a| &a.authorizer),
            Some(&expected)
        );
        assert_eq!(
            route_of(&stack, "scoped").auth.as_ref().unwrap().scopes,
            ["radars/write"]
        );
        assert_eq!(stack.jwt_authorizers(), [&expected]);
        // The user pool is stood in for, not missing.
        assert!(stack.warnings.is_empty(), "{:?}", stack.warnings);
    }

    #[test]
    fn cognito_resources_resolve_to_stable_local_ids() {
        let template = auth_fixture();
        let ctx = StackContext::local("http://h:1");
        let r = Resolver::new(&template, &ctx);
        let resolve = |yaml: &str| r.resolve(&tiny_value(yaml)).unwrap();
        assert_eq!(resolve("Ref: UserPool"), "us-east-1_UserPool");
        assert_eq!(resolve("Ref: PeopleClient"), "localpeopleclient");
        assert_eq!(resolve("Ref: RadarClient"), "localradarclient");
        assert_eq!(resolve("Ref: OperatorGroup"), "operator");
        assert_eq!(
            resolve("Fn::GetAtt: [UserPool, Arn]"),
            "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_UserPool"
        );
        assert_eq!(
            resolve("Fn::GetAtt: UserPool.ProviderURL"),
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_UserPool"
        );
        assert_eq!(
            resolve("Fn::GetAtt: [RadarClient, ClientId]"),
            "localradarclient"
        );
    }

    #[test]
    fn authorizers_that_are_not_emulated_are_refused() {
        let with = |authorizer: &str, route_auth: &str| {
            tiny(&format!(
                r#"
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Default
        Authorizers:
          Default:
{authorizer}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E:
          Type: HttpApi
          Properties:
            ApiId:
              Ref: Api
            Path: /x
            Method: GET
{route_auth}
"#
            ))
        };
        let jwt = "            JwtConfiguration:\n              issuer: https://i\n              audience: [a]";
        let stack = |t: Template| Stack::from_template(&t, StackContext::local("http://h:1"));
        let lambda = with("            FunctionArn: arn:aws:lambda:x", "");
        let error = stack(lambda).unwrap_err().to_string();
        assert!(error.contains("only those are emulated"), "{error}");
        let unknown = with(jwt, "            Auth:\n              Authorizer: Other");
        assert!(stack(unknown).unwrap_err().to_string().contains("Other"));
        let no_audience = with(
            "            JwtConfiguration:\n              issuer: https://i",
            "",
        );
        assert!(stack(no_audience).is_err());
        let public = with(jwt, "            Auth:\n              Authorizer: NONE");
        assert_eq!(stack(public).unwrap().functions[0].routes[0].auth, None);
        let protected = stack(with(jwt, "")).unwrap();
        let auth = protected.functions[0].routes[0].auth.clone().unwrap();
        assert_eq!(
            (auth.authorizer.issuer.as_str(), auth.authorizer.audiences),
            ("https://i", vec!["a".to_string()])
        );
    }

    /// SPEC §7: every route of template.yaml needs a token of its user pool, except
    /// `GET /openapi.json`.
    #[test]
    fn the_real_template_protects_every_route_but_the_openapi_document() {
        let stack = real_stack();
        for function in &stack.functions {
            for route in &function.routes {
                let key = route.route_key();
                match &route.auth {
                    None => assert_eq!(key, "GET /openapi.json", "{} is public", function.name),
                    Some(auth) => {
                        assert_eq!(auth.authorizer.issuer, ISSUER, "{key}");
                        assert_eq!(
                            auth.authorizer.audiences,
                            ["localpeopleclient", "localradarclient"],
                            "{key}"
                        );
                        assert_eq!(auth.authorizer.header, "authorization");
                    }
                }
            }
        }
    }

    /// The queue pollers are woken after the functions that may put messages on queues ran.
    #[test]
    fn functions_that_may_send_messages_are_read_from_their_policies() {
        let stack = real_stack();
        let sends = |name: &str| stack.function(name).expect(name).sends_messages;
        assert!(sends("publish-events"), "EventBridgePutEventsPolicy");
        assert!(!sends("project-radars"), "DynamoDB policies only");
        assert!(!sends("install-radar"), "statements of DynamoDB actions");

        let template = tiny(
            r#"
Resources:
  Sending:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [dynamodb:GetItem, sqs:SendMessageBatch]
            Resource: "*"
  Reading:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: "*"
"#,
        );
        let policies = |yaml: &str| sends_messages(&template, Some(&tiny_value(yaml)));
        assert!(policies("- SQSSendMessagePolicy: {QueueName: q}"));
        assert!(policies(
            "- Statement: [{Effect: Allow, Action: 'events:*', Resource: '*'}]"
        ));
        assert!(policies("- Ref: Sending"));
        assert!(policies("- SomeManagedPolicyOfMine"));
        assert!(!policies("- Ref: Reading"));
        assert!(!policies("- AWSLambdaBasicExecutionRole"));
        assert!(!policies("- DynamoDBCrudPolicy: {TableName: t}"));
        assert!(!sends_messages(&template, None));
    }

    fn tiny_value(yaml: &str) -> Value {
        let docs = Yaml::load_from_str(yaml).unwrap();
        yaml_to_json(&docs[0], "").unwrap()
    }
}
