//! Local tokens: what `local-cloud token ROLE [ID]` prints, an ID token as the template's
//! user pool would issue it (SPEC §7: the role as a group, the bound id as
//! `custom:subject_id`), signed by the development key.

use es_core::Role;
use serde_json::{json, Map, Value};

use crate::devkey::DevKey;
use crate::template::{Resolver, Stack, Template};
use crate::{Error, Result};

/// The user pool client whose tokens a role gets (its logical id in the template).
fn client_of(role: Role) -> &'static str {
    match role {
        Role::Radar => "RadarClient",
        _ => "PeopleClient",
    }
}

/// What to mint: a role, its subject's id for the bound roles, a lifetime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    pub role: Role,
    pub id: Option<String>,
    /// Seconds from now to `exp`; negative for a token that has expired.
    pub expires_in: i64,
}

impl TokenRequest {
    /// `ROLE [ID]`, checked: a bound role needs its id, another role takes none.
    pub fn parse(args: &[String], expires_in: i64) -> Result<Self> {
        let names = Role::ALL
            .iter()
            .map(|role| role.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let (role, id) = match args {
            [role] => (role, None),
            [role, id] => (role, Some(id.clone())),
            [] => return Err(Error::new(format!("token needs a ROLE ({names})"))),
            _ => return Err(Error::new("token takes ROLE and at most one ID")),
        };
        let role = Role::parse(role)
            .ok_or_else(|| Error::new(format!("unknown role {role:?} (roles: {names})")))?;
        match (role.is_bound(), &id) {
            (true, None) => Err(Error::new(format!(
                "role {0} is bound to one {0}: give its id (token {0} ID)",
                role.as_str()
            ))),
            (false, Some(id)) => Err(Error::new(format!(
                "role {} is bound to no subject: drop the id {id:?}",
                role.as_str()
            ))),
            _ => Ok(Self {
                role,
                id,
                expires_in,
            }),
        }
    }
}

/// The local user pool as the template's JWT authorizer knows it: its issuer and the ids of
/// the two clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPool {
    pub issuer: String,
    /// `PeopleClient`'s id.
    pub people_client: String,
    /// `RadarClient`'s id.
    pub radar_client: String,
}

impl LocalPool {
    /// From the template: the issuer of the JWT authorizer that protects its routes, and the
    /// clients' ids, which must be among that authorizer's audiences.
    pub fn from_template(template: &Template, stack: &Stack) -> Result<Self> {
        let authorizers = stack.jwt_authorizers();
        let authorizer = match authorizers.as_slice() {
            [one] => *one,
            [] => {
                return Err(Error::new(
                    "no route of template.yaml is behind a JWT authorizer (HttpApi Auth.DefaultAuthorizer)",
                ))
            }
            several => {
                let names: Vec<&str> = several.iter().map(|a| a.name.as_str()).collect();
                return Err(Error::new(format!(
                    "several JWT authorizers ({}): cannot tell which issues the tokens",
                    names.join(", ")
                )));
            }
        };
        let resolver = Resolver::new(template, &stack.context);
        let client = |logical_id: &str| -> Result<String> {
            if template.resource_type(logical_id) != Some("AWS::Cognito::UserPoolClient") {
                return Err(Error::new(format!(
                    "template.yaml has no AWS::Cognito::UserPoolClient {logical_id}"
                )));
            }
            let id = resolver.reference(logical_id)?;
            if !authorizer.audiences.contains(&id) {
                return Err(Error::new(format!(
                    "{logical_id} ({id}) is not an audience of the authorizer {}",
                    authorizer.name
                )));
            }
            Ok(id)
        };
        Ok(Self {
            issuer: authorizer.issuer.clone(),
            people_client: client(client_of(Role::Operator))?,
            radar_client: client(client_of(Role::Radar))?,
        })
    }

    /// The claims of an ID token of `request` at `now` (seconds since the epoch), as Cognito
    /// writes them.
    pub fn id_token_claims(&self, request: &TokenRequest, now: i64) -> Map<String, Value> {
        let role = request.role.as_str();
        let expires = now + request.expires_in;
        // An expired token was issued an hour before it expired.
        let issued = if request.expires_in > 0 {
            now
        } else {
            expires - 3600
        };
        let subject = format!("{role}:{}", request.id.as_deref().unwrap_or(""));
        let username = match &request.id {
            Some(id) => format!("{role}-{id}"),
            None => role.to_string(),
        };
        let audience = match request.role {
            Role::Radar => &self.radar_client,
            _ => &self.people_client,
        };
        let mut claims = json!({
            "sub": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("local-cloud:{subject}").as_bytes()).to_string(),
            "cognito:groups": [role],
            "iss": self.issuer,
            "aud": audience,
            "token_use": "id",
            "cognito:username": username,
            "auth_time": issued,
            "iat": issued,
            "exp": expires,
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        if let Some(id) = &request.id {
            claims["custom:subject_id"] = Value::String(id.clone());
        }
        match claims {
            Value::Object(claims) => claims,
            _ => unreachable!("an object"),
        }
    }
}

/// `claims` signed by `key`: RS256, `kid` the key's id.
pub fn sign(claims: &Map<String, Value>, key: &DevKey) -> Result<String> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, key.encoding_key())
        .map_err(|e| Error::new(format!("cannot sign the token: {e}")))
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<TokenRequest> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        TokenRequest::parse(&args, 3600)
    }

    #[test]
    fn roles_and_ids_are_checked() {
        assert_eq!(parse(&["operator"]).unwrap().role, Role::Operator);
        assert_eq!(parse(&["radar", "r-1"]).unwrap().id.as_deref(), Some("r-1"));
        for bad in [
            &["radar"][..],
            &["owner"],
            &["customer"],
            &["operator", "x"],
            &["auditor", "x"],
            &["boss"],
            &[],
            &["owner", "a", "b"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let error = parse(&["radar"]).unwrap_err().to_string();
        assert!(error.contains("radar"), "{error}");
    }

    #[test]
    fn id_token_claims_are_cognito_s() {
        let pool = LocalPool {
            issuer: "https://issuer".into(),
            people_client: "people".into(),
            radar_client: "radars".into(),
        };
        let radar = pool.id_token_claims(&parse(&["radar", "r-1"]).unwrap(), 1_700_000_000);
        assert_eq!(radar["aud"], "radars");
        assert_eq!(radar["iss"], "https://issuer");
        assert_eq!(radar["token_use"], "id");
        assert_eq!(radar["cognito:groups"], json!(["radar"]));
        assert_eq!(radar["custom:subject_id"], "r-1");
        assert_eq!(radar["iat"], 1_700_000_000);
        assert_eq!(radar["auth_time"], 1_700_000_000);
        assert_eq!(radar["exp"], 1_700_003_600);
        let again = pool.id_token_claims(&parse(&["radar", "r-1"]).unwrap(), 1_700_000_000);
        assert_eq!(radar["sub"], again["sub"]);
        assert!(uuid::Uuid::parse_str(radar["sub"].as_str().unwrap()).is_ok());

        let operator = pool.id_token_claims(&parse(&["operator"]).unwrap(), 1_700_000_000);
        assert_eq!(operator["aud"], "people");
        assert!(operator.get("custom:subject_id").is_none());
        assert_ne!(operator["sub"], radar["sub"]);

        let expired = TokenRequest {
            expires_in: -60,
            ..parse(&["auditor"]).unwrap()
        };
        let expired = pool.id_token_claims(&expired, 1_700_000_000);
        assert_eq!(expired["exp"], 1_699_999_940);
        assert!(expired["iat"].as_i64() < expired["exp"].as_i64());
    }
}
