//! `kazashi-server`: see `server/README.md`.

use std::process::ExitCode;

use clap::Parser;
use kazashi_server::{serve, shutdown_signal, AppState, Cli, Config};
use tracing_subscriber::filter::LevelFilter;

fn main() -> ExitCode {
    let config = match Config::resolve(Cli::parse()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kazashi-server: {e}");
            return ExitCode::from(2);
        }
    };
    let level: LevelFilter = config.log_level.parse().unwrap_or(LevelFilter::INFO);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kazashi-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kazashi-server: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mut config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let bound = listener.local_addr()?;
    // Port 0 asks for any free port: the default public URL names the one given.
    if config.public_url == format!("http://{}", config.listen) {
        config.public_url = format!("http://{bound}");
    }
    let state = AppState::new(config)?;
    if let Err(e) = state.store.ping().await {
        tracing::warn!(error = %e, "the challenge store is not reachable yet: failing closed until it is");
    }
    let roots: Vec<&str> = state
        .trust
        .anchors()
        .iter()
        .map(|a| a.label.as_str())
        .collect();
    tracing::info!(
        relying_party = %state.relying_party,
        store = state.store.kind(),
        roots = roots.len(),
        test_roots = state.trust.anchors().iter().filter(|a| !a.production).count(),
        demo_portal = state.config.demo_portal,
        "starting"
    );
    // The one line on standard output: where it listens (tests and scripts read it).
    println!(
        "kazashi-server listening on http://{bound} (public URL {})",
        state.config.public_url
    );
    serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
