//! Helpers shared by the end-to-end tests in `tests/`: scratch folders and OpenSSL's command
//! line, the independent implementation the signatures are checked with.

use std::path::PathBuf;
use std::process::Command;

/// A scratch folder for one test, unique to this process.
pub fn workdir(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kazashi-{suite}-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Runs `openssl` with `args`; returns whether it succeeded and everything it printed.
pub fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed (scripts/test.sh installs it)");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}
