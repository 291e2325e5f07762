//! CloudFormation's intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`,
//! `Fn::Select`) resolved against the template and the local stack, and the physical names of
//! resources.

use serde_json::{Map, Value};

use super::{invalid, string_of, Result, StackContext, Template, TemplateError};

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

    pub(super) fn rule_bus_name(&self, id: &str) -> Result<String> {
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
