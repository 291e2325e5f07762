//! The routes of the HTTP API and how a request finds its route, as API Gateway matches them.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::template::{RouteAuth, Stack};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
    /// `{name+}`: the rest of the path, one segment or more.
    Greedy(String),
}

impl Segment {
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 2,
            Segment::Param(_) => 1,
            Segment::Greedy(_) => 0,
        }
    }
}

#[derive(Clone, Debug)]
struct Route {
    method: String,
    segments: Vec<Segment>,
    route_key: String,
    target: Target,
    auth: Option<RouteAuth>,
}

/// The function a route invokes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub function: String,
    pub timeout: Duration,
}

/// A request matched to its route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMatch {
    pub route_key: String,
    pub target: Target,
    pub path_parameters: BTreeMap<String, String>,
    /// The authorizer the request must pass; `None`: a public route.
    pub auth: Option<RouteAuth>,
}

/// The routes of the HTTP API.
#[derive(Clone, Debug, Default)]
pub struct Routes {
    routes: Vec<Route>,
    default: Option<(Target, Option<RouteAuth>)>,
}

fn segments(path: &str) -> Vec<&str> {
    path.strip_prefix('/').unwrap_or(path).split('/').collect()
}

impl Routes {
    pub fn from_stack(stack: &Stack) -> Self {
        let mut routes = Routes::default();
        for function in &stack.functions {
            let target = Target {
                function: function.name.clone(),
                timeout: function.timeout,
            };
            for route in &function.routes {
                match &route.method_and_path {
                    Some((method, path)) => {
                        routes.add_protected(method, path, target.clone(), route.auth.clone())
                    }
                    None => routes.default = Some((target.clone(), route.auth.clone())),
                }
            }
        }
        routes
    }

    /// A public route.
    pub fn add(&mut self, method: &str, path: &str, target: Target) {
        self.add_protected(method, path, target, None)
    }

    /// A route behind `auth` (`None`: public).
    pub fn add_protected(
        &mut self,
        method: &str,
        path: &str,
        target: Target,
        auth: Option<RouteAuth>,
    ) {
        let parsed = segments(path)
            .into_iter()
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => match name.strip_suffix('+') {
                        Some(name) => Segment::Greedy(name.to_string()),
                        None => Segment::Param(name.to_string()),
                    },
                    None => Segment::Literal(s.to_string()),
                },
            )
            .collect();
        self.routes.push(Route {
            method: method.to_ascii_uppercase(),
            segments: parsed,
            route_key: format!("{} {path}", method.to_ascii_uppercase()),
            target,
            auth,
        });
    }

    pub fn set_default(&mut self, target: Target) {
        self.default = Some((target, None));
    }

    pub fn len(&self) -> usize {
        self.routes.len() + usize::from(self.default.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The route of `method` `path` (`path` as sent: percent-encoded).
    pub fn find(&self, method: &str, path: &str) -> Option<RouteMatch> {
        let request: Vec<&str> = segments(path);
        // Most specific first: segment ranks compared in order, then an exact method.
        let best = self
            .routes
            .iter()
            .filter(|route| route.method == method || route.method == "ANY")
            .filter_map(|route| match_path(&route.segments, &request).map(|p| (route, p)))
            .max_by_key(|(route, _)| {
                let ranks: Vec<u8> = route.segments.iter().map(Segment::rank).collect();
                (ranks, route.method == method)
            });
        match best {
            Some((route, path_parameters)) => Some(RouteMatch {
                route_key: route.route_key.clone(),
                target: route.target.clone(),
                path_parameters,
                auth: route.auth.clone(),
            }),
            None => self.default.as_ref().map(|(target, auth)| RouteMatch {
                route_key: "$default".into(),
                target: target.clone(),
                path_parameters: BTreeMap::new(),
                auth: auth.clone(),
            }),
        }
    }
}

fn match_path(route: &[Segment], request: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut params = BTreeMap::new();
    for (i, segment) in route.iter().enumerate() {
        match segment {
            Segment::Greedy(name) => {
                let rest = request.get(i..).filter(|rest| !rest.is_empty())?;
                if rest.iter().all(|s| s.is_empty()) {
                    return None;
                }
                params.insert(name.clone(), percent_decode(&rest.join("/")));
                return Some(params);
            }
            Segment::Literal(literal) => {
                if request.get(i) != Some(&literal.as_str()) {
                    return None;
                }
            }
            Segment::Param(name) => {
                let value = request.get(i).filter(|v| !v.is_empty())?;
                params.insert(name.clone(), percent_decode(value));
            }
        }
    }
    (route.len() == request.len()).then_some(params)
}

/// `%XX` decoded (invalid escapes and non-UTF-8 results are kept as they were); `+` stays `+`.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}
