//! What every function sets up at a cold start: logging and its runtime ([`init_tracing`],
//! [`block_on`]), and the AWS SDK configuration, [`sdk_config`], which
//! every function uses (through `http_api::App::from_env`, `event_consumer::sdk_config` or
//! directly), so that a change here reaches all of them.
//!
//! It is `aws_config::load_defaults` (region, credentials, `AWS_ENDPOINT_URL` and the other
//! settings from the environment, as before) with two things made on first use instead of
//! at every cold start, neither of which a function needs before its first request:
//!
//! - **The TLS trust store** ([`LazyTlsHttpClient`]). The SDK's default HTTP client loads the
//!   platform's root certificates from `Client::new`: on a machine with a certificate
//!   directory, some 150 files read and parsed, about half of a function's init time, even
//!   when every endpoint is plain `http` (the local cloud, moto). This client is the SDK's own
//!   hyper + rustls (aws-lc) connector, the one the SDK would pick, with the roots loaded on
//!   the first `https` request: an `http://` endpoint never loads them, an `https` endpoint
//!   (AWS) loads the same roots the SDK would, once per process, and every certificate is
//!   verified against them as before.
//! - **The credential providers other than the environment's** ([`credentials`]). The default
//!   chain tries the environment first, but building it builds its later links too (an STS
//!   client for web identity tokens, with its endpoint rules; IMDS clients), at every cold
//!   start. In Lambda the environment always has the role's credentials (`AWS_ACCESS_KEY_ID`,
//!   …), and so does the local cloud; anywhere else the whole default chain is built (with the
//!   default provider configuration) when credentials are first needed.

mod start;

pub use aws_config::SdkConfig;
pub use start::{block_on, init_tracing};

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::provider_config::ProviderConfig;
use aws_config::BehaviorVersion;
use aws_credential_types::provider::{future, ProvideCredentials};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_http_client::{Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// The SDK configuration from the environment (Lambda's, or the local cloud's with
/// `AWS_ENDPOINT_URL`), with [`LazyTlsHttpClient`] as its HTTP client and [`credentials`] as
/// its credentials.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(LazyTlsHttpClient::default())
        .credentials_provider(credentials())
        .load()
        .await
}

/// The default credential chain with its first link, the environment's variables, made now
/// and the rest ([`DefaultCredentialsChain`]: profile, web identity token, ECS, IMDS) made
/// when the environment has none, the first time credentials are needed. It answers what the
/// default chain would: that chain tries the environment first too.
pub fn credentials() -> CredentialsProviderChain {
    CredentialsProviderChain::first_try(
        "Environment",
        EnvironmentVariableCredentialsProvider::new(),
    )
    .or_else("DefaultChain", DefaultChainOnDemand::default())
}

/// [`DefaultCredentialsChain`], built on its first use (with [`LazyTlsHttpClient`] for the
/// providers that call a service).
#[derive(Debug, Default)]
struct DefaultChainOnDemand {
    chain: tokio::sync::OnceCell<DefaultCredentialsChain>,
}

impl ProvideCredentials for DefaultChainOnDemand {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let chain = self
                .chain
                .get_or_init(|| async {
                    let config =
                        ProviderConfig::default().with_http_client(LazyTlsHttpClient::default());
                    DefaultCredentialsChain::builder()
                        .configure(config)
                        .build()
                        .await
                })
                .await;
            chain.provide_credentials().await
        })
    }
}

/// The SDK's default HTTPS client (hyper 1, rustls on aws-lc, the platform's root
/// certificates, proxies from the environment) with its trust store loaded when the first
/// `https` request is sent, not when a service client is built.
///
/// Each connector it hands out keeps two connectors of the SDK, each made on first use: one
/// with the platform's roots, for `https` (and for everything when a proxy is configured,
/// since a proxy may itself be `https`), and one with an empty trust store for plain `http`,
/// which never starts a TLS session. Like the SDK's client, it keeps one connector per
/// timeout setting, so connection pools last across requests.
#[derive(Debug, Default)]
pub struct LazyTlsHttpClient {
    connectors: Mutex<HashMap<ConnectorKey, SharedHttpConnector>>,
}

/// What a connector is made for: its connect and read timeouts (as the SDK's own client).
type ConnectorKey = (Option<Duration>, Option<Duration>);

impl HttpClient for LazyTlsHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self
            .connectors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        connectors
            .entry(key)
            .or_insert_with(|| {
                // What the SDK's default client sets (aws-smithy-runtime's
                // `default_https_client`): the timeouts, the sleep for them, the proxies of
                // the environment.
                let mut builder = Connector::builder();
                builder.set_connector_settings(Some(settings.clone()));
                builder.set_sleep_impl(components.sleep_impl());
                builder.set_proxy_config(Some(ProxyConfig::from_env()));
                SharedHttpConnector::new(ByScheme::new(builder, proxy_in_environment()))
            })
            .clone()
    }

    // Nothing to do before the first request: the SDK's client loads its roots here.
    // (`validate_base_client_config` keeps its default, which does nothing.)

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        // As the SDK's hyper client reports itself (in the user agent).
        Some(ConnectorMetadata::new("hyper", Some(Cow::Borrowed("1.x"))))
    }
}

/// Whether a proxy is configured in the environment (the variables `ProxyConfig::from_env`
/// reads). Requests then all go through the connector with the platform's roots.
fn proxy_in_environment() -> bool {
    [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|value| !value.is_empty()))
}

/// One connector of [`LazyTlsHttpClient`]: each request to the SDK connector for its scheme.
#[derive(Debug)]
struct ByScheme {
    builder: ConnectorBuilder,
    /// Everything goes to `tls`.
    proxied: bool,
    /// `http://` requests: TLS-capable, with an empty trust store (no certificate is read).
    plain: OnceLock<Connector>,
    /// `https://` requests: the SDK's default trust store, the platform's root certificates.
    tls: OnceLock<Connector>,
}

impl ByScheme {
    fn new(builder: ConnectorBuilder, proxied: bool) -> Self {
        Self {
            builder,
            proxied,
            plain: OnceLock::new(),
            tls: OnceLock::new(),
        }
    }

    fn connector_for(&self, uri: &str) -> &Connector {
        if !self.proxied && is_plain_http(uri) {
            self.plain.get_or_init(|| self.build(TrustStore::empty()))
        } else {
            self.tls.get_or_init(|| self.build(TrustStore::default()))
        }
    }

    fn build(&self, trust_store: TrustStore) -> Connector {
        let context = TlsContext::builder()
            .with_trust_store(trust_store)
            .build()
            .expect("a TLS context with a trust store and nothing else is valid");
        self.builder
            .clone()
            .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context)
            .build()
    }
}

impl HttpConnector for ByScheme {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        self.connector_for(request.uri()).call(request)
    }
}

fn is_plain_http(uri: &str) -> bool {
    uri.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server answering every connection with one empty 200.
    async fn http_server() -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        port
    }

    #[test]
    fn only_http_urls_are_plain() {
        assert!(is_plain_http("http://127.0.0.1:4566/"));
        assert!(is_plain_http("HTTP://localhost"));
        assert!(!is_plain_http("https://dynamodb.eu-west-1.amazonaws.com/"));
        assert!(!is_plain_http("http:/"));
        assert!(!is_plain_http(""));
    }

    #[tokio::test]
    async fn an_http_request_never_loads_the_trust_store() {
        let port = http_server().await;
        let connector = ByScheme::new(Connector::builder(), false);
        let request = HttpRequest::get(format!("http://127.0.0.1:{port}/")).unwrap();
        let response = connector.call(request).await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(connector.plain.get().is_some());
        assert!(connector.tls.get().is_none(), "the roots were loaded");
    }

    #[tokio::test]
    async fn an_https_request_uses_the_platform_roots() {
        let port = http_server().await;
        let connector = ByScheme::new(Connector::builder(), false);
        // A plain server: the TLS handshake fails, after the roots were loaded.
        let request = HttpRequest::get(format!("https://127.0.0.1:{port}/")).unwrap();
        assert!(connector.call(request).await.is_err());
        assert!(connector.tls.get().is_some());
        assert!(connector.plain.get().is_none());
    }

    #[tokio::test]
    async fn with_a_proxy_every_request_uses_the_platform_roots() {
        let port = http_server().await;
        let connector = ByScheme::new(Connector::builder(), true);
        let request = HttpRequest::get(format!("http://127.0.0.1:{port}/")).unwrap();
        connector.call(request).await.unwrap();
        assert!(connector.tls.get().is_some());
        assert!(connector.plain.get().is_none());
    }
}
