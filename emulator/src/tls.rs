//! A throwaway CA and a serving certificate for 127.0.0.1 / localhost / ::1 /
//! *.servicebus.windows.net, made with rcgen
//! at start-up, and the rustls server configuration (ring provider, HTTP/1.1).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

/// Errors building TLS material.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// rcgen failed to generate a key or certificate.
    #[error("could not generate the emulator's certificates: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls rejected the certificate or the protocol settings.
    #[error("could not build the TLS server configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The CA (PEM, for clients to trust) and a rustls config serving a certificate it signed.
pub struct TlsMaterial {
    /// CA certificate, PEM.
    pub ca_pem: String,
    /// Server configuration.
    pub config: Arc<rustls::ServerConfig>,
}

/// Generates a CA and a serving certificate.
pub fn generate() -> Result<TlsMaterial, TlsError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "azure-emulator local CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec![
        "127.0.0.1".to_string(),
        "localhost".to_string(),
        "::1".to_string(),
        // Lets clients keep real data-plane URLs and just resolve the host to the emulator.
        "*.servicebus.windows.net".to_string(),
    ])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "azure-emulator");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = params.signed_by(&server_key, &issuer)?;

    let chain: Vec<CertificateDer<'static>> =
        vec![server_cert.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    // Pick ring explicitly: the workspace may also link aws-lc-rs, and then rustls has no
    // unambiguous process-wide default.
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(chain, key)?;
    // HTTP/1.1 only, so a "dropped connection" fault really closes the TCP connection.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsMaterial {
        ca_pem: ca_cert.pem(),
        config: Arc::new(config),
    })
}
