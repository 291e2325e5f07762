//! Authorizing a request against its route's rule (SPEC §7), before the function runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use es_core::{Rejection, RejectionKind};

use crate::access::{rule_for, same_subject, Binding, Caller, CallerError, Grant, Role};
use crate::{ApiError, ApiRequest};

/// A check still owed: the resource a bound caller asked for must be its own.
#[derive(Debug, Clone)]
pub(crate) struct SubjectCheck {
    subject: String,
    done: Arc<AtomicBool>,
}

impl SubjectCheck {
    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }
}

/// `401 unauthenticated` (the response adds `WWW-Authenticate: Bearer`).
pub fn unauthenticated(message: &str) -> ApiError {
    ApiError::Rejected(Rejection::new(
        RejectionKind::Unauthenticated,
        "unauthenticated",
        message,
    ))
}

/// `403 forbidden`.
pub fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::Rejected(Rejection::new(
        RejectionKind::Forbidden,
        "forbidden",
        message,
    ))
}

impl ApiRequest {
    /// Decides whether the caller may make this request; a bound caller's list is narrowed
    /// to its subject here, and a check on the resource is left for the function.
    pub(crate) fn authorize(&mut self) -> Result<(), ApiError> {
        let Some(route) = rule_for(&self.route_key) else {
            tracing::error!(route_key = %self.route_key, "no access rule is declared for this route: refused");
            return Err(forbidden("this route is open to no caller"));
        };
        let caller = match Caller::from_claims(&self.claims) {
            Ok(caller) => caller,
            Err(_) if route.is_public() => return Ok(()),
            Err(CallerError::Unauthenticated) => {
                return Err(unauthenticated("a bearer token is required"))
            }
            Err(CallerError::NoRole(why)) => return Err(forbidden(why)),
        };
        let grant = route.grants.iter().find(|grant| match grant {
            Grant::Public => true,
            Grant::Role(role) | Grant::Bound(role, _) => *role == caller.role,
        });
        self.subject_check = match grant {
            None => {
                return Err(forbidden(format!(
                    "the {} role may not call {}",
                    caller.role.as_str(),
                    route.key()
                )))
            }
            Some(Grant::Bound(role, binding)) => self.bind(*role, &caller, *binding)?,
            Some(_) => None,
        };
        self.caller = Some(caller);
        Ok(())
    }

    fn bind(
        &mut self,
        role: Role,
        caller: &Caller,
        binding: Binding,
    ) -> Result<Option<SubjectCheck>, ApiError> {
        // `Caller::from_claims` refuses a bound role without its id.
        let subject = caller.subject.clone().unwrap_or_default();
        let not_yours = || {
            forbidden(format!(
                "this {} token acts for {subject} only",
                role.as_str()
            ))
        };
        match binding {
            Binding::Path(name) => match self.path_parameters.get(name) {
                Some(value) if same_subject(value, &subject) => Ok(None),
                _ => Err(not_yours()),
            },
            Binding::Query(name) => match self.query.get(name).filter(|v| !v.is_empty()) {
                Some(value) if !same_subject(value, &subject) => Err(not_yours()),
                _ => {
                    self.query.insert(name.to_owned(), subject);
                    Ok(None)
                }
            },
            Binding::Resource => Ok(Some(SubjectCheck {
                subject,
                done: Arc::new(AtomicBool::new(false)),
            })),
        }
    }

    /// Whether this request's function must still check whose resource it names
    /// ([`Self::ensure_subject`]), e.g. to load it only for callers bound to a subject.
    pub fn owes_subject_check(&self) -> bool {
        self.subject_check.is_some()
    }

    /// On a route whose rule binds the caller to the resource, checks that `owner` (the owner
    /// or customer id the resource belongs to) is the caller's subject: another's resource
    /// answers 404, as if it did not exist. The function of such a route calls this before it
    /// answers, or its answer is replaced by a 403; callers not bound to a subject pass.
    pub fn ensure_subject(
        &self,
        owner: Option<&str>,
        what: &str,
        id: &str,
    ) -> Result<(), ApiError> {
        let Some(check) = &self.subject_check else {
            return Ok(());
        };
        check.done.store(true, Ordering::SeqCst);
        match owner {
            Some(owner) if same_subject(owner, &check.subject) => Ok(()),
            _ => Err(ApiError::not_found(what, id)),
        }
    }
}
