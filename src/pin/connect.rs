//! `fuse pin --connect`: fetch the chain a live server presents, over TLS 1.2/1.3 with
//! rustls.
//!
//! The verifier accepts any certificate and any handshake signature on purpose: this
//! only *prints* what the server sends (including self-signed, expired or weak chains a
//! user wants to inspect before pinning). Nothing is sent after the handshake.
//! Every step (resolve, connect, handshake) shares one deadline.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};

use super::error::Error;

/// Where to connect: `host[:port]`, `[v6]:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Parse `host[:port]` (port 443 by default); IPv6 literals in brackets.
pub fn parse_target(raw: &str) -> Result<Target, Error> {
    let bad = |why: &str| Error::BadTarget {
        target: raw.to_owned(),
        why: why.to_owned(),
    };
    let raw_t = raw.trim();
    if raw_t.is_empty() {
        return Err(bad("empty — give host[:port], e.g. api.example.com:443"));
    }
    if raw_t.contains("://") || raw_t.contains('/') {
        return Err(bad(
            "give host[:port], not a URL (e.g. api.example.com:443)",
        ));
    }
    let (host, port) = if let Some(rest) = raw_t.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| bad("unclosed '[' in an IPv6 address"))?;
        match after {
            "" => (h, None),
            p => (
                h,
                Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| bad("expected ':' after ']'"))?,
                ),
            ),
        }
    } else if raw_t.matches(':').count() > 1 {
        (raw_t, None) // a bare IPv6 address
    } else {
        match raw_t.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (raw_t, None),
        }
    };
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("not a host name or IP address"));
    }
    let port = match port {
        None => 443,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n != 0 => n,
            _ => return Err(bad("the port must be a number from 1 to 65535")),
        },
    };
    Ok(Target {
        host: host.to_owned(),
        port,
    })
}

/// The DER certificates the server presents, in its order (leaf first).
pub fn fetch_chain(
    target: &Target,
    servername: Option<&str>,
    timeout: Duration,
) -> Result<Vec<Vec<u8>>, Error> {
    let now = Instant::now();
    let deadline = now.checked_add(timeout).unwrap_or(now);
    let shown = target.to_string();
    let timed_out = |what| Error::Timeout {
        what,
        target: shown.clone(),
        seconds: timeout.as_secs().max(1),
    };

    let name = servername.unwrap_or(&target.host);
    let server_name = ServerName::try_from(name.to_owned()).map_err(|_| Error::BadTarget {
        target: shown.clone(),
        why: format!("\"{name}\" is not a valid TLS server name (use --servername)"),
    })?;

    let addrs = resolve(target, deadline).map_err(|e| match e {
        None => timed_out("resolving"),
        Some(why) => Error::Resolve {
            host: target.host.clone(),
            why,
        },
    })?;

    let mut last_err = None;
    let mut stream = None;
    for addr in addrs {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out("connecting to"));
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last_err = Some(e),
        }
    }
    let mut stream = match (stream, last_err) {
        (Some(s), _) => s,
        (None, Some(e)) if e.kind() == io::ErrorKind::TimedOut => {
            return Err(timed_out("connecting to"));
        }
        (None, e) => {
            return Err(Error::Connect {
                target: shown,
                source: e.unwrap_or_else(|| io::Error::other("no address")),
            });
        }
    };

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls {
            target: shown.clone(),
            why: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PrintOnly(provider)))
        .with_no_client_auth();
    let mut conn =
        ClientConnection::new(Arc::new(config), server_name).map_err(|e| Error::Tls {
            target: shown.clone(),
            why: e.to_string(),
        })?;

    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out("TLS handshake with"));
        }
        let set = stream
            .set_read_timeout(Some(left))
            .and_then(|()| stream.set_write_timeout(Some(left)));
        if let Err(e) = set {
            return Err(Error::Connect {
                target: shown,
                source: e,
            });
        }
        match conn.complete_io(&mut stream) {
            Ok((0, 0)) if conn.is_handshaking() => {
                return Err(Error::Tls {
                    target: shown,
                    why:
                        "the server closed the connection during the handshake (is it a TLS port?)"
                            .into(),
                });
            }
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out("TLS handshake with"));
            }
            Err(e) => {
                let why = match e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    Some(tls) => tls.to_string(),
                    None => e.to_string(),
                };
                return Err(Error::Tls { target: shown, why });
            }
        }
    }
    let chain: Vec<Vec<u8>> = conn
        .peer_certificates()
        .unwrap_or_default()
        .iter()
        .map(|c| c.as_ref().to_vec())
        .collect();
    // Be polite; the result no longer depends on the connection.
    conn.send_close_notify();
    let _ = conn.complete_io(&mut stream);
    if chain.is_empty() {
        return Err(Error::Tls {
            target: shown,
            why: "the server presented no certificate".into(),
        });
    }
    Ok(chain)
}

/// Resolve in a helper thread so a hanging resolver cannot outlive the deadline.
/// `Err(None)` = timed out.
fn resolve(target: &Target, deadline: Instant) -> Result<Vec<SocketAddr>, Option<String>> {
    if let Ok(ip) = target.host.parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, target.port)]);
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let query = (target.host.clone(), target.port);
    std::thread::spawn(move || {
        let result = query.to_socket_addrs().map(Iterator::collect::<Vec<_>>);
        let _ = tx.send(result);
    });
    match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Some("no addresses".into())),
        Ok(Err(e)) => Err(Some(e.to_string())),
        Err(_) => Err(None),
    }
}

/// Accepts every server: `fuse pin` prints the chain, it does not trust it.
#[derive(Debug)]
struct PrintOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for PrintOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        // Not checked: weak keys (RSA-1024) must still be printable.
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = |s: &str| parse_target(s).map(|t| (t.host, t.port));
        assert_eq!(t("example.com").unwrap(), ("example.com".into(), 443));
        assert_eq!(t("127.0.0.1:8443").unwrap(), ("127.0.0.1".into(), 8443));
        assert_eq!(t("[::1]:4433").unwrap(), ("::1".into(), 4433));
        assert_eq!(t("::1").unwrap(), ("::1".into(), 443));
        assert!(t("https://example.com").is_err());
        assert!(t("example.com:0").is_err());
        assert!(t("example.com:99999").is_err());
        assert!(t("").is_err());
    }
}
