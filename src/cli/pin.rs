//! `fuse pin`: one `sha256/<base64>  <subject>` line per certificate (`  (CA)` appended
//! for CA certificates), or with `--json` one object listing them.

use serde::Serialize;
use serde_json::json;

use super::Output;
use super::args::PinArgs;
use crate::error::Error;
use crate::pin::{self, CertificatePin};

#[derive(Serialize)]
struct Listed<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    /// Position in the file or the presented chain (0 = first / leaf).
    index: usize,
    #[serde(flatten)]
    cert: &'a CertificatePin,
}

pub fn run(args: &PinArgs, out: &Output) -> anyhow::Result<()> {
    if let Some(raw) = &args.connect {
        let target = pin::parse_target(raw).map_err(Error::from)?;
        let timeout = std::time::Duration::from_secs(args.timeout);
        let chain = pin::pins_of_server(&target, args.servername.as_deref(), timeout)
            .map_err(Error::from)?;
        if out.json {
            let listed: Vec<Listed<'_>> = chain
                .iter()
                .enumerate()
                .map(|(index, cert)| Listed {
                    file: None,
                    index,
                    cert,
                })
                .collect();
            out.json_result(&json!({
                "host": target.host,
                "port": target.port,
                // null: the host was sent as SNI (none for an IP address).
                "servername": args.servername,
                "certificates": listed,
            }))?;
        } else {
            print_lines(&chain);
        }
        return Ok(());
    }

    // Read everything first: no partial output when a later file is bad.
    let mut files = Vec::with_capacity(args.certs.len());
    for path in &args.certs {
        let pins = pin::pins_of_file(path).map_err(Error::from)?;
        files.push((path.display().to_string(), pins));
    }
    if out.json {
        let listed: Vec<Listed<'_>> = files
            .iter()
            .flat_map(|(file, pins)| {
                pins.iter().enumerate().map(move |(index, cert)| Listed {
                    file: Some(file),
                    index,
                    cert,
                })
            })
            .collect();
        out.json_result(&json!({ "certificates": listed }))?;
    } else {
        for (_, pins) in &files {
            print_lines(pins);
        }
    }
    Ok(())
}

fn print_lines(pins: &[CertificatePin]) {
    for p in pins {
        let ca = if p.ca { "  (CA)" } else { "" };
        println!("{}  {}{ca}", p.pin, p.subject);
    }
}
