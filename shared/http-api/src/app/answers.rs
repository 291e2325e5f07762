//! The answers most routes give, from one call each: a command that creates an aggregate under
//! a new id (201), a command on an existing one (its version), the view of the path's id.

use es_core::ValidationError;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{ApiError, ApiRequest, ApiResponse, App};

#[cfg(test)]
mod tests;

impl App {
    /// Creates the aggregate `id`, which the server just made (`Uuid::new_v4`), as
    /// [`App::create`] does, and answers 201 `{<id_field>: id, "version": v}` with the
    /// `Location` `{collection}/{id}` (e.g. `/radars`) and the version as ETag.
    pub async fn create_new<A: es_core::Aggregate>(
        &self,
        request: &ApiRequest,
        (id_field, id): (&str, Uuid),
        collection: &str,
        command: impl Into<A::Command>,
    ) -> Result<ApiResponse, ApiError> {
        let outcome = self
            .create::<A>(request, &id.to_string(), command.into())
            .await?;
        Ok(ApiResponse::created_version(
            id_field,
            id,
            format!("{collection}/{id}"),
            outcome.version,
        ))
    }

    /// Creates an aggregate under an id the server makes, its command parsed from the JSON
    /// body by `parse`; answered as [`App::create_new`] does.
    pub async fn create_from_body<A: es_core::Aggregate, C: Into<A::Command>>(
        &self,
        request: &ApiRequest,
        id_field: &str,
        collection: &str,
        parse: fn(Uuid, &Value) -> Result<C, ValidationError>,
    ) -> Result<ApiResponse, ApiError> {
        let id = Uuid::new_v4();
        let command = parse(id, &request.json()?)?;
        self.create_new::<A>(request, (id_field, id), collection, command)
            .await
    }

    /// Runs a command on the aggregate `id` as [`App::execute`] does, and answers
    /// `{<id_field>: id, "version": v}` with the version as ETag.
    pub async fn execute_versioned<A: es_core::Aggregate>(
        &self,
        request: &ApiRequest,
        id: (&str, impl ToString + Serialize),
        command: impl Into<A::Command>,
    ) -> Result<ApiResponse, ApiError> {
        let (id_field, id) = id;
        let outcome = self
            .execute::<A>(request, &id.to_string(), command.into())
            .await?;
        Ok(ApiResponse::version(id_field, id, outcome.version))
    }

    /// A command on the aggregate whose uuid is the path parameter `parameter` (a 404 naming
    /// `what` when it is none), parsed from the JSON body by `parse`; answered as
    /// [`App::execute_versioned`] does, `parameter` naming the id.
    pub async fn execute_on_path<A: es_core::Aggregate, C: Into<A::Command>>(
        &self,
        request: &ApiRequest,
        (parameter, what): (&str, &str),
        parse: fn(&Value) -> Result<C, ValidationError>,
    ) -> Result<ApiResponse, ApiError> {
        let id = request.uuid_parameter(parameter, what)?;
        let command = parse(&request.json()?)?;
        self.execute_versioned::<A>(request, (parameter, id), command)
            .await
    }

    /// [`App::execute_on_path`], the answer also carrying the `fields` (a JSON object) the
    /// command's new state gives, e.g. a balance: `{<parameter>: id, ...fields, "version": v}`.
    pub async fn execute_on_path_answered<A: es_core::Aggregate, C: Into<A::Command>>(
        &self,
        request: &ApiRequest,
        (parameter, what): (&str, &str),
        parse: fn(&Value) -> Result<C, ValidationError>,
        fields: impl FnOnce(&A) -> Value,
    ) -> Result<ApiResponse, ApiError> {
        let id = request.uuid_parameter(parameter, what)?;
        let command = parse(&request.json()?)?;
        let outcome = self
            .execute::<A>(request, &id.to_string(), command.into())
            .await?;
        let mut body = Map::new();
        body.insert(parameter.to_owned(), serde_json::json!(id));
        if let Value::Object(fields) = fields(&outcome.state) {
            body.extend(fields);
        }
        body.insert("version".to_owned(), outcome.version.into());
        Ok(ApiResponse::ok(body).etag(outcome.version))
    }

    /// GET of one item of read model `V`, its key the uuid path parameter `parameter`: the
    /// view, as [`App::find_path_view`] finds it, with its version as ETag.
    pub async fn get_view<V: projection::View>(
        &self,
        request: &ApiRequest,
        variable: &str,
        parameter: (&str, &str),
    ) -> Result<ApiResponse, ApiError> {
        let found = self
            .find_path_view::<V>(request, variable, parameter)
            .await?;
        Ok(ApiResponse::ok(found.view).etag(found.version))
    }

    /// The item of read model `V` (its table named by `variable`) whose key is the uuid path
    /// parameter `parameter`, honouring `?min_version=` as [`App::read_view`] does; an id that
    /// is no uuid, or no item, is a 404 naming `what` (`"radar"`, `"owner"`, …).
    pub async fn find_path_view<V: projection::View>(
        &self,
        request: &ApiRequest,
        variable: &str,
        (parameter, what): (&str, &str),
    ) -> Result<FoundView<V>, ApiError> {
        let id = request.uuid_parameter(parameter, what)?;
        let key = id.to_string();
        let (view, version) = self
            .read_view_versioned::<V>(request, variable, &key)
            .await?
            .ok_or_else(|| ApiError::not_found(what, &key))?;
        Ok(FoundView { id, view, version })
    }
}

/// A view [`App::find_path_view`] found: the id of the path, the view, and the version of its
/// stream the view has applied (the ETag of its answer).
#[derive(Debug, Clone)]
pub struct FoundView<V> {
    pub id: Uuid,
    pub view: V,
    pub version: u64,
}
