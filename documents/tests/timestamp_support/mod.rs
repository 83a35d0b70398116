//! The local test TSA (`scripts/tsa/tsa.py`: `openssl ts -reply` behind an HTTP responder on
//! 127.0.0.1) for the timestamp and XAdES-T tests, and OpenSSL's command line, the independent
//! checker of the tokens.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The throw-away TSA PKI, made once per test process (RSA key generation is the slow part).
fn pki() -> &'static Path {
    static PKI: OnceLock<PathBuf> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kazashi-tsa-pki-{}", std::process::id()));
        let status = Command::new(repo().join("scripts/tsa/make-pki.sh"))
            .arg(&dir)
            .status()
            .expect("scripts/tsa/make-pki.sh runs (needs bash and openssl: scripts/test-xml.sh installs them)");
        assert!(status.success(), "make-pki.sh failed");
        dir
    })
}

/// One running TSA, stopped when dropped.
pub struct LocalTsa {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl LocalTsa {
    /// Starts a responder on a free port of 127.0.0.1 over the shared PKI.
    pub fn start() -> LocalTsa {
        let dir = std::env::temp_dir().join(format!(
            "kazashi-tsa-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(pki()).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() != "port" {
                std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
            }
        }
        // Each responder keeps its own serial-number file: point tsa.cnf at the copy.
        let cnf = std::fs::read_to_string(dir.join("tsa.cnf")).unwrap();
        let cnf = cnf.replace(pki().to_str().unwrap(), dir.to_str().unwrap());
        std::fs::write(dir.join("tsa.cnf"), cnf).unwrap();
        let child = Command::new("python3")
            .arg(repo().join("scripts/tsa/tsa.py"))
            .arg(&dir)
            .args(["--max-seconds", "600"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the local TSA");
        let port_file = dir.join("port");
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                if let Ok(port) = text.trim().parse() {
                    break port;
                }
            }
            assert!(Instant::now() < deadline, "the local TSA did not start");
            std::thread::sleep(Duration::from_millis(50));
        };
        LocalTsa { child, dir, port }
    }

    /// The URL of a responder mode (`""` for good tokens, `"bad-nonce"`, …).
    pub fn url(&self, mode: &str) -> String {
        format!("http://127.0.0.1:{}/{mode}", self.port)
    }

    /// The trusted TSA root (DER).
    pub fn root_der(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("root.der")).unwrap()
    }

    /// The trusted TSA root (PEM file), for `openssl ts -verify -CAfile`.
    pub fn root_pem(&self) -> PathBuf {
        self.dir.join("root.pem")
    }

    /// The root of the "untrusted" TSA (DER).
    pub fn other_root_der(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("other-root.der")).unwrap()
    }

    /// A scratch file path in this TSA's folder.
    pub fn scratch(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for LocalTsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `openssl` with `args`; returns whether it succeeded and everything it printed.
pub fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed (scripts/test-xml.sh installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// `openssl ts -verify` of a token (DER ContentInfo) over `data`, trusting `root_pem`.
pub fn openssl_ts_verify(
    token: &[u8],
    data: &[u8],
    root_pem: &Path,
    scratch: &Path,
) -> (bool, String) {
    let token_path = scratch.with_extension("tst");
    let data_path = scratch.with_extension("data");
    std::fs::write(&token_path, token).unwrap();
    std::fs::write(&data_path, data).unwrap();
    openssl(&[
        "ts",
        "-verify",
        "-token_in",
        "-in",
        token_path.to_str().unwrap(),
        "-data",
        data_path.to_str().unwrap(),
        "-CAfile",
        root_pem.to_str().unwrap(),
    ])
}
