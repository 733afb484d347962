//! TLS for the network sync: the county server's certificate (generated once with rcgen and kept
//! in the county's encrypted database, or an institution's own files) and the laptop's pinning
//! verifier, which accepts exactly the certificate whose SHA-256 the county key line names — no
//! certificate authority, no host name check. rustls with the `ring` provider throughout.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use super::NetError;
use crate::store::Store;

/// The generated certificate (PEM) in the county database's `meta` table.
pub const CERT_KEY: &str = "sync_server_cert_pem";
/// Its private key (PKCS#8 PEM), next to the county's other secret keys.
pub const KEY_KEY: &str = "sync_server_key_pem";

/// The certificate chain and key a server shows.
pub struct ServerCert {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl ServerCert {
    /// The SHA-256 (lowercase hex) of the leaf certificate: what laptops pin.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.chain[0])
    }
}

pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    hex::encode(Sha256::digest(cert.as_ref()))
}

/// rustls 0.23.48 deprecates the ring provider for lacking post-quantum key exchange; the
/// provider that has it (aws-lc-rs) needs cmake and nasm to build, which a village laptop's build
/// and CI do not have. Both ends are ours and speak X25519 with it.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_error(e: impl std::fmt::Display) -> NetError {
    NetError::Tls(e.to_string())
}

/// The county's own certificate: read from its database, or generated (self-signed, for
/// `names`) and kept there on the first start.
pub fn load_or_create(store: &mut Store, names: &[String]) -> Result<ServerCert, NetError> {
    if let (Some(cert), Some(key)) = (store.sync_meta(CERT_KEY)?, store.sync_meta(KEY_KEY)?) {
        return from_pem(cert.as_bytes(), key.as_bytes());
    }
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(names.to_vec()).map_err(tls_error)?;
    // Both or neither: the key is written second, and a certificate without its key is made again.
    store.set_sync_meta(CERT_KEY, &cert.pem())?;
    store.set_sync_meta(KEY_KEY, &signing_key.serialize_pem())?;
    from_pem(
        cert.pem().as_bytes(),
        signing_key.serialize_pem().as_bytes(),
    )
}

/// An institution's certificate chain and key, from PEM files (`--tls-cert`, `--tls-key`).
pub fn from_files(cert: &Path, key: &Path) -> Result<ServerCert, NetError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| NetError::Tls(format!("{}: {e}", path.display())))
    };
    from_pem(&read(cert)?, &read(key)?)
}

fn from_pem(cert: &[u8], key: &[u8]) -> Result<ServerCert, NetError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert)
        .collect::<Result<_, _>>()
        .map_err(tls_error)?;
    if chain.is_empty() {
        return Err(NetError::Tls("no certificate in the PEM data".into()));
    }
    let key = PrivateKeyDer::from_pem_slice(key).map_err(tls_error)?;
    Ok(ServerCert { chain, key })
}

/// The server's TLS configuration (TLS 1.2 and 1.3, no client certificates: a device proves
/// itself by its signatures).
pub fn server_config(cert: ServerCert) -> Result<Arc<rustls::ServerConfig>, NetError> {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(cert.chain, cert.key)
        .map_err(tls_error)?;
    Ok(Arc::new(config))
}

/// The laptop's TLS configuration: only the certificate with this fingerprint is accepted.
pub fn client_config(fingerprint: &str) -> Result<Arc<rustls::ClientConfig>, NetError> {
    let provider = provider();
    let pinned: [u8; 32] = hex::decode(fingerprint)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| NetError::Tls(format!("bad fingerprint {fingerprint}")))?;
    let verifier = Pinned {
        pinned,
        provider: provider.clone(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Accepts the one pinned certificate, and checks that the server holds its key (the handshake
/// signatures, verified as rustls verifies them).
#[derive(Debug)]
struct Pinned {
    pinned: [u8; 32],
    provider: Arc<CryptoProvider>,
}

/// What the verifier says when the certificate is not the pinned one; the client recognizes it.
pub const WRONG_CERTIFICATE: &str = "dripline: certificate is not the pinned one";

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let found: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if found == self.pinned {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(WRONG_CERTIFICATE.into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
