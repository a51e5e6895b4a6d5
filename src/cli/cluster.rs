//! The cluster side: a client from the kubeconfig, and the reads the commands make (the link,
//! its events, Secrets as metadata only: Secret data is never fetched, so it cannot be printed).

use k8s_openapi::api::core::v1::{Event, Secret};
use kube::api::{ListParams, PartialObjectMeta};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};

use super::args::ClusterArgs;
use super::output::CliError;
use crate::api::PushNotificationLink;

/// A client and the namespace the command works in.
pub struct Cluster {
    /// Client for the apiserver.
    pub client: Client,
    /// `-n`, else the context's namespace.
    pub namespace: String,
}

impl Cluster {
    /// Connects as kubectl would: `--kubeconfig`, else KUBECONFIG or ~/.kube/config (or
    /// in-cluster), with `--context`.
    pub async fn connect(args: &ClusterArgs) -> Result<Self, CliError> {
        let options = KubeConfigOptions {
            context: args.context.clone(),
            ..KubeConfigOptions::default()
        };
        let config = match &args.kubeconfig {
            Some(path) => {
                let kubeconfig = Kubeconfig::read_from(path)
                    .map_err(|e| CliError::Kubeconfig(format!("{}: {e}", path.display())))?;
                Config::from_custom_kubeconfig(kubeconfig, &options)
                    .await
                    .map_err(|e| e.to_string())
            }
            None if args.context.is_some() => Config::from_kubeconfig(&options)
                .await
                .map_err(|e| e.to_string()),
            None => Config::infer().await.map_err(|e| e.to_string()),
        }
        .map_err(CliError::Kubeconfig)?;
        let namespace = args
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let client = Client::try_from(config).map_err(|source| CliError::Cluster {
            action: "build a Kubernetes client".to_owned(),
            source,
        })?;
        Ok(Self { client, namespace })
    }

    /// Links of the namespace.
    pub fn links(&self) -> Api<PushNotificationLink> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    /// The link `name`; a missing link is an access error (exit 2) with kubectl's wording.
    pub async fn link(&self, name: &str) -> Result<PushNotificationLink, CliError> {
        self.links()
            .get(name)
            .await
            .map_err(|source| CliError::Cluster {
                action: format!("read PushNotificationLink {}/{name}", self.namespace),
                source,
            })
    }

    /// Events about the link, oldest first (core/v1, which also shows events.k8s.io events).
    pub async fn events(&self, name: &str) -> Result<Vec<Event>, CliError> {
        let api: Api<Event> = Api::namespaced(self.client.clone(), &self.namespace);
        let selector =
            format!("involvedObject.kind=PushNotificationLink,involvedObject.name={name}");
        let mut events = api
            .list(&ListParams::default().fields(&selector))
            .await
            .map_err(|source| CliError::Cluster {
                action: format!("list the events of {}/{name}", self.namespace),
                source,
            })?
            .items;
        events.sort_by_key(event_time);
        Ok(events)
    }

    /// A Secret's metadata, `None` when it does not exist.
    pub async fn secret_metadata(
        &self,
        name: &str,
    ) -> Result<Option<PartialObjectMeta<Secret>>, CliError> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.namespace);
        api.get_metadata_opt(name)
            .await
            .map_err(|source| CliError::Cluster {
                action: format!("read the metadata of Secret {}/{name}", self.namespace),
                source,
            })
    }
}

/// When an event last happened: lastTimestamp, eventTime, firstTimestamp, creation.
pub fn event_time(e: &Event) -> Option<jiff::Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or(e.event_time.as_ref().map(|t| t.0))
        .or(e.first_timestamp.as_ref().map(|t| t.0))
        .or(e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}
