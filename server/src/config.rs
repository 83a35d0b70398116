//! The service's configuration, from three places: the command line, `KAZASHI_*` environment
//! variables and a TOML file.
//!
//! Precedence, highest first: a command-line flag, then its environment variable (clap reads
//! both: a flag given on the command line wins over the variable), then the `--config` file, then
//! the built-in default. A switch's variable reads `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`;
//! a switch set by the command line, the variable or the file is on (none turns another off). Why so: a deployment keeps its settings in a file, and an operator can
//! still change one setting for one run without editing it.
//!
//! The defaults are the safe ones: listen on 127.0.0.1 only, J-LIS production roots only, no
//! personal data in responses, challenges valid 300 s, small bodies, a per-client request limit.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::builder::BoolishValueParser;
use clap::Parser;
use serde::Deserialize;

/// The default listen address: loopback, so nothing is exposed until asked for.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// How long an issued challenge may be answered, in seconds.
pub const DEFAULT_CHALLENGE_TTL: i64 = 300;
/// The body limit of the log-in routes: a log-in message is about 3 KB.
pub const DEFAULT_LOGIN_BODY_LIMIT: usize = 64 * 1024;
/// The body limit of `POST /v1/signatures/verify` (base64 of the file and its content).
pub const DEFAULT_SIGNATURE_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Requests per client (IP address) per minute on the `/v1` routes.
pub const DEFAULT_RATE_LIMIT: u32 = 600;
/// The most outstanding challenges the in-process store holds.
pub const DEFAULT_MAX_CHALLENGES: usize = 1_000_000;
/// How long one Redis operation may take before the request fails closed, in milliseconds.
pub const DEFAULT_REDIS_TIMEOUT_MS: u64 = 2_000;
/// The prefix of the Redis keys.
pub const DEFAULT_REDIS_PREFIX: &str = "kazashi:";

/// `kazashi-server`: the relying party's log-in and signed-file verification service.
#[derive(Debug, Default, Parser)]
#[command(name = "kazashi-server", version, about, long_about = None)]
pub struct Cli {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "KAZASHI_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,
    /// This service's relying-party id (a lowercase host name or https:// origin): log-ins
    /// made for any other are rejected. Required (here, in the environment or in the file).
    #[arg(long, env = "KAZASHI_RP_ID", value_name = "ID")]
    pub rp_id: Option<String>,
    /// Redis URL (redis://host:port/db) of the challenge store shared by several instances;
    /// without it the challenges live in this process.
    #[arg(long, env = "KAZASHI_REDIS", value_name = "URL")]
    pub redis: Option<String>,
    /// Also accept the virtual card's test roots (tests and demos only).
    #[arg(long, env = "KAZASHI_TRUST_VIRTUAL_CARD", value_parser = BoolishValueParser::new())]
    pub trust_virtual_card: bool,
    /// Also accept this root (DER or PEM), e.g. the J-LIS test hierarchy's. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub trust_root: Vec<PathBuf>,
    /// TOML configuration file (see server/README.md).
    #[arg(long, env = "KAZASHI_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The base URL clients reach this service at (put in the QR payload), without a trailing
    /// slash [default: http://LISTEN].
    #[arg(long, env = "KAZASHI_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Serve the demo portal page ("Log in with My Number Card").
    #[arg(long, env = "KAZASHI_DEMO_PORTAL", value_parser = BoolishValueParser::new())]
    pub demo_portal: bool,
    /// How long a challenge may be answered, in seconds [default: 300].
    #[arg(long, env = "KAZASHI_CHALLENGE_TTL", value_name = "SECONDS")]
    pub challenge_ttl: Option<i64>,
    /// Requests per client IP per minute on /v1 routes; 0 turns the limit off [default: 600].
    #[arg(long, env = "KAZASHI_RATE_LIMIT", value_name = "N")]
    pub rate_limit_per_minute: Option<u32>,
    /// Include the signer's personal attributes (name, address, ...) in signed-file results.
    #[arg(long, env = "KAZASHI_ALLOW_PERSONAL_DATA", value_parser = BoolishValueParser::new())]
    pub allow_personal_data: bool,
    /// Log level: error, warn, info, debug or trace [default: info].
    #[arg(long, env = "KAZASHI_LOG", value_name = "LEVEL")]
    pub log_level: Option<String>,
}

/// The TOML file: every key optional, the same names as the flags with `_` for `-`.
///
/// ```toml
/// listen = "0.0.0.0:8080"
/// rp_id = "example.jp"
/// public_url = "https://login.example.jp"
/// redis = "redis://10.0.0.5:6379/0"
/// trust_roots = ["/etc/kazashi/test-root.pem"]
/// challenge_ttl = 300
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// See [`Cli::listen`].
    pub listen: Option<SocketAddr>,
    /// See [`Cli::rp_id`].
    pub rp_id: Option<String>,
    /// See [`Cli::redis`].
    pub redis: Option<String>,
    /// See [`Cli::trust_virtual_card`].
    pub trust_virtual_card: Option<bool>,
    /// See [`Cli::trust_root`]; relative paths are read from the file's directory.
    pub trust_roots: Option<Vec<PathBuf>>,
    /// See [`Cli::public_url`].
    pub public_url: Option<String>,
    /// See [`Cli::demo_portal`].
    pub demo_portal: Option<bool>,
    /// See [`Cli::challenge_ttl`].
    pub challenge_ttl: Option<i64>,
    /// See [`Cli::rate_limit_per_minute`].
    pub rate_limit_per_minute: Option<u32>,
    /// See [`Cli::allow_personal_data`].
    pub allow_personal_data: Option<bool>,
    /// See [`Cli::log_level`].
    pub log_level: Option<String>,
    /// Body limit of the log-in routes, bytes [default: 65536].
    pub login_body_limit: Option<usize>,
    /// Body limit of the signed-file route, bytes [default: 8388608].
    pub signature_body_limit: Option<usize>,
    /// The most outstanding challenges of the in-process store [default: 1000000].
    pub max_challenges: Option<usize>,
    /// How long one Redis operation may take, ms [default: 2000].
    pub redis_timeout_ms: Option<u64>,
    /// Prefix of the Redis keys [default: "kazashi:"], for several services on one Redis.
    pub redis_prefix: Option<String>,
    /// A header set by the TLS-terminating proxy in front that carries the client's address
    /// (`x-forwarded-for`: its last entry is used). Unset: the peer address, which behind a
    /// proxy is the proxy's.
    pub client_ip_header: Option<String>,
}

/// The resolved configuration the service runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// This relying party's id.
    pub rp_id: String,
    /// The Redis URL, or `None` for the in-process store.
    pub redis: Option<String>,
    /// Whether the virtual card's test roots are accepted.
    pub trust_virtual_card: bool,
    /// More roots to accept.
    pub trust_roots: Vec<PathBuf>,
    /// The base URL put in QR payloads, without trailing slash.
    pub public_url: String,
    /// Whether the demo portal is served.
    pub demo_portal: bool,
    /// Challenge lifetime, seconds.
    pub challenge_ttl: i64,
    /// Requests per client per minute on `/v1` (0: no limit).
    pub rate_limit_per_minute: u32,
    /// Whether signed-file results may carry personal attributes.
    pub allow_personal_data: bool,
    /// Log level.
    pub log_level: String,
    /// Body limit of the log-in routes.
    pub login_body_limit: usize,
    /// Body limit of the signed-file route.
    pub signature_body_limit: usize,
    /// Bound of the in-process store.
    pub max_challenges: usize,
    /// Redis operation timeout, ms.
    pub redis_timeout_ms: u64,
    /// Redis key prefix.
    pub redis_prefix: String,
    /// Header carrying the client address, if a trusted proxy sets one.
    pub client_ip_header: Option<String>,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of the expected keys.
    #[error("the configuration file {path} is not valid: {reason}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong (the TOML parser's message).
        reason: String,
    },
    /// A setting is missing or out of range.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// The configuration for `rp_id` with every default: what tests and embedders start from.
    pub fn for_relying_party(rp_id: &str) -> Self {
        let listen: SocketAddr = DEFAULT_LISTEN.parse().expect("a valid default");
        Self {
            public_url: format!("http://{listen}"),
            listen,
            rp_id: rp_id.to_string(),
            redis: None,
            trust_virtual_card: false,
            trust_roots: Vec::new(),
            demo_portal: false,
            challenge_ttl: DEFAULT_CHALLENGE_TTL,
            rate_limit_per_minute: DEFAULT_RATE_LIMIT,
            allow_personal_data: false,
            log_level: "info".into(),
            login_body_limit: DEFAULT_LOGIN_BODY_LIMIT,
            signature_body_limit: DEFAULT_SIGNATURE_BODY_LIMIT,
            max_challenges: DEFAULT_MAX_CHALLENGES,
            redis_timeout_ms: DEFAULT_REDIS_TIMEOUT_MS,
            redis_prefix: DEFAULT_REDIS_PREFIX.into(),
            client_ip_header: None,
        }
    }

    /// Resolves the command line (with its environment variables) over the file over the
    /// defaults.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an unreadable or invalid file, a missing relying-party id or a value
    /// out of range.
    pub fn resolve(cli: Cli) -> Result<Self, ConfigError> {
        let file = match &cli.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let base_dir = cli
            .config
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let rp_id = cli.rp_id.or(file.rp_id).ok_or_else(|| {
            ConfigError::Invalid(
                "the relying-party id is required: --rp-id ID, KAZASHI_RP_ID or rp_id in the \
                 configuration file"
                    .into(),
            )
        })?;
        let mut config = Self::for_relying_party(&rp_id);
        config.listen = cli.listen.or(file.listen).unwrap_or(config.listen);
        config.redis = cli.redis.or(file.redis);
        config.trust_virtual_card =
            cli.trust_virtual_card || file.trust_virtual_card.unwrap_or(false);
        config.trust_roots = file
            .trust_roots
            .unwrap_or_default()
            .into_iter()
            .map(|p| if p.is_relative() { base_dir.join(p) } else { p })
            .chain(cli.trust_root)
            .collect();
        config.public_url = cli
            .public_url
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{}", config.listen));
        config.demo_portal = cli.demo_portal || file.demo_portal.unwrap_or(false);
        config.challenge_ttl = cli
            .challenge_ttl
            .or(file.challenge_ttl)
            .unwrap_or(config.challenge_ttl);
        config.rate_limit_per_minute = cli
            .rate_limit_per_minute
            .or(file.rate_limit_per_minute)
            .unwrap_or(config.rate_limit_per_minute);
        config.allow_personal_data =
            cli.allow_personal_data || file.allow_personal_data.unwrap_or(false);
        config.log_level = cli.log_level.or(file.log_level).unwrap_or(config.log_level);
        config.login_body_limit = file.login_body_limit.unwrap_or(config.login_body_limit);
        config.signature_body_limit = file
            .signature_body_limit
            .unwrap_or(config.signature_body_limit);
        config.max_challenges = file.max_challenges.unwrap_or(config.max_challenges);
        config.redis_timeout_ms = file.redis_timeout_ms.unwrap_or(config.redis_timeout_ms);
        config.redis_prefix = file.redis_prefix.unwrap_or(config.redis_prefix);
        config.client_ip_header = file.client_ip_header.map(|h| h.to_ascii_lowercase());
        config.check()?;
        Ok(config)
    }

    /// Range checks, so that a typo fails at start-up and not at the first log-in.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the setting.
    pub fn check(&mut self) -> Result<(), ConfigError> {
        kazashi_login::RelyingPartyId::parse(&self.rp_id)
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if !(1..=kazashi_login::MAX_LIFETIME_SECONDS).contains(&self.challenge_ttl) {
            return Err(ConfigError::Invalid(format!(
                "challenge_ttl must be 1 to {} seconds, not {}",
                kazashi_login::MAX_LIFETIME_SECONDS,
                self.challenge_ttl
            )));
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid(format!(
                "public_url must start with http:// or https://, not {:?}",
                self.public_url
            )));
        }
        while self.public_url.ends_with('/') {
            self.public_url.pop();
        }
        if self.login_body_limit < 4096 || self.signature_body_limit < 4096 {
            return Err(ConfigError::Invalid(
                "the body limits must be at least 4096 bytes".into(),
            ));
        }
        if self.max_challenges == 0 || self.redis_timeout_ms == 0 {
            return Err(ConfigError::Invalid(
                "max_challenges and redis_timeout_ms must be positive".into(),
            ));
        }
        Ok(())
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["kazashi-server"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    #[test]
    fn the_command_line_wins_over_the_file_which_wins_over_the_defaults() {
        let dir =
            std::env::temp_dir().join(format!("kazashi-server-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("server.toml");
        std::fs::write(
            &file,
            "rp_id = \"file.example\"\nlisten = \"127.0.0.1:9000\"\nchallenge_ttl = 60\n\
             trust_roots = [\"root.pem\"]\npublic_url = \"https://login.example/\"\n",
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let config = Config::resolve(cli(&["--config", path, "--rp-id", "cli.example"])).unwrap();
        assert_eq!(config.rp_id, "cli.example");
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.challenge_ttl, 60);
        assert_eq!(config.trust_roots, vec![dir.join("root.pem")]);
        assert_eq!(config.public_url, "https://login.example");
        assert_eq!(config.rate_limit_per_minute, DEFAULT_RATE_LIMIT);
        assert!(config.redis.is_none() && !config.trust_virtual_card);

        let defaults = Config::resolve(cli(&["--rp-id", "example.jp"])).unwrap();
        assert_eq!(defaults.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(defaults.public_url, "http://127.0.0.1:8080");
        assert_eq!(defaults.challenge_ttl, DEFAULT_CHALLENGE_TTL);
        assert!(!defaults.allow_personal_data);
    }

    #[test]
    fn bad_settings_fail_at_start_up_with_their_name() {
        for args in [
            vec!["--rp-id", "Example.JP"],
            vec!["--rp-id", "example.jp", "--challenge-ttl", "0"],
            vec!["--rp-id", "example.jp", "--public-url", "ftp://x"],
        ] {
            assert!(Config::resolve(cli(&args)).is_err(), "{args:?}");
        }
        let missing = Config::resolve(cli(&[])).unwrap_err().to_string();
        assert!(missing.contains("--rp-id"), "{missing}");
    }
}
