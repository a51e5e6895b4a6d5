//! Which kind a `[KIND/]NAME` argument names. All three kinds of DESIGN are known by their
//! names, plurals and short names; only PushNotificationLink is served by this build.

use super::output::CliError;

/// A kind of group acspush.io.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `PushNotificationLink` (`pnl`).
    PushNotificationLink,
    /// `NotificationHubCredentials` (`nhcred`), planned.
    NotificationHubCredentials,
    /// `CommunicationEventSubscription` (`ces`), planned.
    CommunicationEventSubscription,
}

impl Kind {
    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::PushNotificationLink => "PushNotificationLink",
            Kind::NotificationHubCredentials => "NotificationHubCredentials",
            Kind::CommunicationEventSubscription => "CommunicationEventSubscription",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        let text = text.to_ascii_lowercase();
        let text = text.strip_suffix(".acspush.io").unwrap_or(&text);
        match text {
            "pnl" | "pushnotificationlink" | "pushnotificationlinks" => {
                Some(Kind::PushNotificationLink)
            }
            "nhcred" | "notificationhubcredentials" => Some(Kind::NotificationHubCredentials),
            "ces" | "communicationeventsubscription" | "communicationeventsubscriptions" => {
                Some(Kind::CommunicationEventSubscription)
            }
            _ => None,
        }
    }
}

/// Splits `[KIND/]NAME` (kind default `pnl`) and refuses the kinds this build does not serve.
pub fn served_link_name(target: &str) -> Result<String, CliError> {
    let (kind, name) = match target.split_once('/') {
        Some((kind, name)) => {
            let kind = Kind::parse(kind).ok_or_else(|| {
                CliError::Usage(format!(
                    "unknown kind {kind:?}: use pnl (PushNotificationLink), nhcred (NotificationHubCredentials) or ces (CommunicationEventSubscription)"
                ))
            })?;
            (kind, name)
        }
        None => (Kind::PushNotificationLink, target),
    };
    if name.is_empty() {
        return Err(CliError::Usage(format!("{target:?} names no object")));
    }
    match kind {
        Kind::PushNotificationLink => Ok(name.to_owned()),
        other => Err(CliError::KindNotServed { kind: other.name() }),
    }
}

#[cfg(test)]
mod tests;
