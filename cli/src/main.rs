//! `kazashi`: the My Number Card's two certificates from the command line.

mod card_info;
mod card_surface;
mod cert;
mod commands;
mod demo;
#[cfg(feature = "pcsc")]
mod desktop;
mod exit;
mod failure;
mod language;
mod login_server;
mod pdf;
mod pins;
mod progress;
mod qr_payload;
mod report;
mod timestamp;
mod verify;
mod xml;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kazashi::{CertificateKind, DigestAlgorithm, Error, JpkiCard, PinKind, Transport};
use kazashi_virtual_card::{Profile, VirtualCard};
use serde_json::{json, Value};

use crate::commands::{Outcome, PinOptions};
use crate::failure::Failure;
use crate::pins::PinSource;

/// Use the two electronic certificates of Japan's My Number Card: read them, check PIN
/// counters, log in and sign. PINs are read without echo (or from standard input with
/// --pin-stdin) and are never printed.
#[derive(Debug, Parser)]
#[command(name = "kazashi", version, after_help = exit::TABLE)]
struct Cli {
    /// Print one JSON object instead of text (it always includes "apdus").
    #[arg(long, global = true)]
    json: bool,

    /// Talk to the built-in virtual card instead of a reader.
    #[arg(long = "virtual", global = true)]
    virtual_card: bool,

    /// PC/SC reader: its name or a part of it (default: the first reader with a card).
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        conflicts_with = "virtual_card"
    )]
    reader: Option<String>,

    /// Send extended-length APDUs through the reader (default: short APDUs, which every
    /// reader carries, except on readers known to carry extended ones).
    #[arg(long, global = true)]
    extended: bool,

    /// Seconds to wait for a card to be inserted or placed on the reader.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 15)]
    wait: u64,

    /// Virtual card profile (see `kazashi profiles`).
    #[arg(long, global = true, default_value = "physical-card", value_parser = parse_profile)]
    profile: Profile,

    /// Read PINs from standard input, one per line, instead of prompting.
    #[arg(long, global = true)]
    pin_stdin: bool,

    /// Allow the attempt that locks the PIN if it is wrong (only one attempt left).
    #[arg(long, global = true)]
    confirm_last_attempt: bool,

    /// verify / verify-login / cert verify: also accept the virtual card's test roots (for
    /// --profile).
    #[arg(long, global = true)]
    trust_virtual_card: bool,

    /// verify / verify-login / cert verify: also accept this root certificate (DER or PEM);
    /// repeatable.
    #[arg(long, global = true, value_name = "FILE")]
    trust_root: Vec<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole story on the virtual card: status, log-in, signing, PIN safety.
    Demo,
    /// Card type, PIN attempts left, certificate expiry. No PIN needed, no attempt spent.
    Status,
    /// Read a certificate from the card (DER to --out, or PEM on standard output);
    /// `cert inspect FILE` to describe any JPKI certificate file (DER or PEM); `cert verify
    /// FILE` to verify one against the J-LIS roots (test roots only with --trust-root or
    /// --trust-virtual-card).
    Cert {
        /// Which certificate, or `inspect` or `verify`.
        which: CertChoice,
        /// With `inspect` or `verify`: the certificate file.
        file: Option<PathBuf>,
        /// With `verify`: the purpose to verify it for. Default: the certificate's own, from
        /// its J-LIS certificate policy (authentication …8.5.1.3.30 or test …8.5.1.0.30,
        /// signature …8.5.1.1.20 or test …8.5.1.0.20), else from its issuer's OU (JPKI for
        /// user authentication / JPKI for digital signature).
        #[arg(long, value_enum)]
        purpose: Option<cert::PurposeChoice>,
        /// With `verify`: verify at this instant instead of now (RFC 3339 with an offset, e.g.
        /// 2030-02-18T00:00:00+09:00).
        #[arg(long, value_name = "RFC3339", value_parser = cert::parse_instant)]
        at: Option<i64>,
        /// Write PEM instead of DER to --out.
        #[arg(long)]
        pem: bool,
        /// File to write the certificate to.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Tap to log in (PIN: 4 digits): answer a server's log-in request (version 2, bound to
    /// the relying party it names, which is shown before the PIN is asked for), or sign a bare
    /// challenge (version 1, not bound to anyone).
    Login {
        /// The server's log-in request (version-2 JSON, see the README); `-` for standard input
        /// is not accepted, since PINs may come from there.
        #[arg(long, value_name = "FILE", required_unless_present_any = ["challenge", "server", "qr_payload"])]
        request: Option<PathBuf>,
        /// With --request, --server or --qr-payload: refuse a request from any other relying
        /// party (this app's server).
        #[arg(long, value_name = "ID", conflicts_with = "challenge")]
        expect_relying_party: Option<String>,
        /// Log in at a running kazashi-server: fetch a challenge from URL, tap, post the
        /// message, print the server's verdict. https:// (http:// only on the loopback), on the
        /// relying party's host or a subdomain of it.
        #[arg(long, value_name = "URL", conflicts_with_all = ["request", "challenge", "qr_payload", "out", "cert_out", "certificate_cache"])]
        server: Option<String>,
        /// Be the phone of a portal's cross-device log-in: the text of its QR code (JSON with
        /// the server and the request). The relying party is shown before the PIN; the answer
        /// goes to the code's server, which must be the relying party's host or a subdomain.
        #[arg(long, value_name = "TEXT", conflicts_with_all = ["request", "challenge", "out", "cert_out", "certificate_cache"])]
        qr_payload: Option<String>,
        /// Version 1: the server's bare challenge, in hex. The signature is not bound to the
        /// relying party; prefer --request.
        #[arg(long, conflicts_with = "request")]
        challenge: Option<String>,
        /// Write the raw 256-byte signature here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write the authentication certificate (DER) here.
        #[arg(long)]
        cert_out: Option<PathBuf>,
        /// Write the log-in message for the server (JSON, see the README) here.
        #[arg(long)]
        message_out: Option<PathBuf>,
        /// Keep the authentication certificate in this file between log-ins: when it is this
        /// card's, the card is not asked for it (one APDU fewer, or eight on short-APDU
        /// readers); otherwise it is read and the file replaced.
        #[arg(long, value_name = "FILE")]
        certificate_cache: Option<PathBuf>,
    },
    /// Tap to sign: sign a file's digest with the signature key (password: 6-16 A-Z/0-9).
    Sign {
        /// The document to sign.
        file: PathBuf,
        /// Where to write the raw RSASSA-PKCS1-v1_5 signature.
        #[arg(long)]
        out: PathBuf,
        /// Hash algorithm: sha256, sha384 or sha512 (sha1 needs --allow-sha1).
        #[arg(long, default_value = "sha256")]
        hash: String,
        /// Allow SHA-1 for legacy verifiers (raw signatures only).
        #[arg(long)]
        allow_sha1: bool,
        /// Write a CMS / CAdES-BES signed file (.p7s) instead of a raw signature.
        #[arg(long)]
        cms: bool,
        /// With --cms: include the document in the file (default: detached).
        #[arg(long, requires = "cms")]
        attached: bool,
        #[command(flatten)]
        pdf: pdf::PdfArgs,
        #[command(flatten)]
        xml: xml::XmlArgs,
    },
    /// Verify a signed file, recognised by its content: a PDF (every signature, its byte range,
    /// later changes), an XML-DSig / XAdES document (with the `xml` feature), or a CMS `.p7s`;
    /// the signature, the signed content, the signed attributes, the signer's certificate and
    /// any timestamp (its TSA root with --trust-root).
    Verify {
        /// The signed file: PDF, XML or CMS (DER or PEM).
        file: PathBuf,
        /// The signed document, for a detached signature (CMS, or a detached XML signature).
        #[arg(long)]
        content: Option<PathBuf>,
        /// Also print the signer's personal attributes (name, address, birth date, sex).
        #[arg(long)]
        show_personal: bool,
    },
    /// Verify a log-in message (JSON) against the request or challenge the server issued, as
    /// the relying party --relying-party.
    VerifyLogin {
        /// The message file.
        message: PathBuf,
        /// This relying party's id: a version-2 log-in made for any other is rejected.
        #[arg(long, value_name = "ID")]
        relying_party: String,
        /// The log-in request the server issued (version-2 JSON).
        #[arg(long, value_name = "FILE", required_unless_present = "challenge")]
        request: Option<PathBuf>,
        /// The challenge the server issued, in hex.
        #[arg(long, conflicts_with = "request")]
        challenge: Option<String>,
        /// Also accept version-1 messages (signature over the bare challenge, not bound to the
        /// relying party).
        #[arg(long)]
        allow_v1: bool,
    },
    /// Make a version-2 log-in request for --relying-party (JSON on standard output), as a
    /// server would send it. Nothing is stored: `verify-login --request` checks the answer.
    LoginRequest {
        /// The relying party's id: a lowercase host name or https:// origin.
        #[arg(long, value_name = "ID")]
        relying_party: String,
        /// Seconds the request stays valid.
        #[arg(long, default_value_t = 300)]
        ttl: u32,
    },
    /// The card-info application (券面事項入力補助AP): the four attributes (name, address,
    /// birth date, sex) with the card-info PIN or verification number B, integrity-checked;
    /// with --my-number, only the My Number (card-info PIN or verification number A).
    /// `card-info inspect DIR` decodes and checks raw EF dumps (0001 … 0007) instead.
    CardInfo {
        #[command(subcommand)]
        action: Option<CardInfoAction>,
        /// Read the My Number, and only it. Collect it only for purposes the My Number Act
        /// allows.
        #[arg(long)]
        my_number: bool,
        /// Which secret opens the application.
        #[arg(long, value_enum, default_value = "pin")]
        unlock: card_info::Unlock,
        /// Also read the signing certificate (signing password) and compare its name,
        /// address, birth date and sex with the card-info application's.
        #[arg(long, conflicts_with = "my_number")]
        cross_check: bool,
    },
    /// The card-surface application (券面事項確認AP): the card's front with verification
    /// number A or B — birth date, sex, expiry, the face photo (JPEG 2000) and the name,
    /// address and security-code images (sizes and media types), and the signature verdict.
    CardSurface {
        /// Which secret opens the application.
        #[arg(long, value_enum, default_value = "number-b")]
        unlock: card_surface::Unlock,
        /// Save the face photo (JPEG 2000, as the card holds it) to FILE.
        #[arg(long, value_name = "FILE")]
        photo_out: Option<PathBuf>,
    },
    /// List the virtual card profiles.
    Profiles,
    /// List the PC/SC readers and whether each holds a card.
    Readers,
    /// Change the authentication PIN or the signing password (asks for the current one, then
    /// the new one twice).
    Pin {
        #[command(subcommand)]
        action: PinAction,
    },
    /// The virtual card as a card in a PC/SC reader, for testing other software.
    VirtualCard {
        #[command(subcommand)]
        action: VirtualCardAction,
    },
}

#[derive(Debug, Subcommand)]
enum CardInfoAction {
    /// Decode and check raw EF dumps of the card-info application: files named 0001 … 0007
    /// (with or without .bin), any of them missing.
    Inspect {
        /// The folder holding the dumps.
        dir: PathBuf,
        /// Show the My Number, if EF 0001 is among the dumps (withheld otherwise).
        #[arg(long)]
        my_number: bool,
    },
}

#[derive(Debug, Subcommand)]
enum PinAction {
    /// `pin change auth` or `pin change sign`.
    Change {
        /// Which PIN.
        which: PinChoice,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PinChoice {
    /// The authentication PIN (4 digits).
    Auth,
    /// The signing password (6-16 A-Z/0-9).
    Sign,
}

#[derive(Debug, Subcommand)]
enum VirtualCardAction {
    /// Insert the virtual card (--profile) into vsmartcard's vpcd reader ("Virtual PCD 00 00"
    /// on port 35963) until Ctrl-C. Needs pcscd and vsmartcard-vpcd. PIN counters and PIN
    /// changes last as long as this process.
    Serve {
        /// vpcd's port: 35963 for "Virtual PCD 00 00", 35964 for "Virtual PCD 00 01".
        #[arg(long, default_value_t = 35963)]
        port: u16,
        /// vpcd's host.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Log each APDU's instruction and status word (never its data) on standard error.
        #[arg(long)]
        verbose: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CertChoice {
    /// 利用者証明用電子証明書, the authentication certificate.
    Auth,
    /// Its certification authority.
    AuthCa,
    /// 署名用電子証明書, the signing certificate (needs the signing password; personal data).
    Sign,
    /// Its certification authority.
    SignCa,
    /// Describe a certificate file instead of reading the card.
    Inspect,
    /// Verify a certificate file against the J-LIS roots instead of reading the card.
    Verify,
}

impl CertChoice {
    fn kind(self) -> Option<CertificateKind> {
        match self {
            CertChoice::Auth => Some(CertificateKind::Authentication),
            CertChoice::AuthCa => Some(CertificateKind::AuthenticationCa),
            CertChoice::Sign => Some(CertificateKind::Signing),
            CertChoice::SignCa => Some(CertificateKind::SigningCa),
            CertChoice::Inspect | CertChoice::Verify => None,
        }
    }
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse().map_err(|e: Error| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (result, apdus) = run(&cli);
    progress::clear();
    let code = match result {
        Ok(outcome) => {
            if cli.json {
                let mut object = json!({ "ok": true });
                merge(&mut object, outcome.json);
                if object.get("apdus").is_none() {
                    object["apdus"] = json!(apdus);
                }
                println!(
                    "{}",
                    serde_json::to_string_pretty(&object).unwrap_or_default()
                );
            } else {
                for line in outcome.lines {
                    println!("{line}");
                }
            }
            exit::OK
        }
        Err(failure) => {
            let (code, kind) = exit::classify_failure(&failure);
            let attempts_left = match &failure {
                Failure::Card(e) => e.attempts_left(),
                Failure::Rejected(_) | Failure::Reader { .. } | Failure::Server(_) => None,
            };
            if cli.json {
                let user_message = match &failure {
                    Failure::Card(e) => Some(user_message(e)),
                    _ => None,
                };
                let mut object = json!({
                    "ok": false,
                    "error": { "kind": kind, "message": failure.to_string(), "attempts_left": attempts_left, "user_message": user_message },
                    "apdus": apdus,
                });
                if let Some(verdict) = server_verdict(&failure) {
                    object["verdict"] = verdict.clone();
                }
                println!(
                    "{}",
                    serde_json::to_string_pretty(&object).unwrap_or_default()
                );
            } else {
                eprintln!("error: {failure}");
                if let Failure::Card(e) = &failure {
                    // The same sentence an Android or iOS app shows, in the user's language.
                    eprintln!("{}", user_message(e));
                }
                if matches!(failure, Failure::Reader { kind, .. } if kind != "vpcd") {
                    eprintln!("hint: to try kazashi without a card, add --virtual");
                }
                if let Some(hint) = cert::hint(&failure) {
                    eprintln!("hint: {hint}");
                }
                if matches!(
                    failure,
                    Failure::Card(Error::LastAttemptNotConfirmed { .. })
                ) {
                    eprintln!(
                        "hint: if you are sure of the PIN, run again with --confirm-last-attempt"
                    );
                }
            }
            code
        }
    };
    ExitCode::from(code as u8)
}

/// The catalogue's sentence for a card failure, in the terminal user's language.
fn user_message(e: &Error) -> String {
    let facts = kazashi_messages::ErrorFacts::of(e);
    kazashi_messages::error_message(e.kind(), &facts, language::user_language())
}

/// The server's verdict behind a `login --server` failure, for `--json`.
fn server_verdict(failure: &Failure) -> Option<&Value> {
    match failure {
        Failure::Server(e) => e.verdict(),
        _ => None,
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(target), Value::Object(source)) = (into.as_object_mut(), from) {
        target.extend(source);
    }
}

/// Runs the command; returns its outcome and the APDUs it exchanged.
/// Runs the command: those that need no card first, else the card command on the chosen card.
/// Returns the outcome and the APDUs exchanged.
fn run(cli: &Cli) -> (Result<Outcome, Failure>, u32) {
    if let Some(result) = run_without_card(cli) {
        return (result, 0);
    }
    if let Some(login) = server_login(cli) {
        return login_server::run(login, || open_card(cli), pin_options(cli));
    }
    let mut card = match open_card(cli) {
        Ok(card) => card,
        Err(failure) => return (Err(failure), 0),
    };
    let result = run_card_command(cli, &mut card, pin_options(cli));
    (result.map_err(Failure::from), card.stats().apdus)
}

/// The commands that talk to no card (or start their own): `None` for a card command.
fn run_without_card(cli: &Cli) -> Option<Result<Outcome, Failure>> {
    let trust = || verify::TrustChoice {
        virtual_card: cli.trust_virtual_card.then_some(cli.profile),
        roots: &cli.trust_root,
    };
    Some(match &cli.command {
        Command::Demo => demo::run(cli.profile),
        Command::Profiles => Ok(profiles()),
        Command::Verify { file, content, .. } if content.is_none() && pdf::is_pdf(file) => {
            pdf::verify(file, trust())
        }
        Command::Verify {
            file,
            content,
            show_personal,
        } if xml::is_xml(file) => xml::verify(file, content.as_deref(), *show_personal, trust()),
        Command::Verify {
            file,
            content,
            show_personal,
        } => verify::verify(file, content.as_deref(), *show_personal, trust())
            .and_then(|outcome| timestamp::check_cms(file, &cli.trust_root, outcome)),
        Command::VerifyLogin {
            message,
            relying_party,
            request,
            challenge,
            allow_v1,
        } => verify::verify_login(
            message,
            verify::LoginExpectation {
                relying_party,
                request: request.as_deref(),
                challenge: challenge.as_deref(),
                allow_v1: *allow_v1,
            },
            trust(),
        ),
        Command::LoginRequest { relying_party, ttl } => verify::login_request(relying_party, *ttl),
        Command::Cert {
            which: which @ (CertChoice::Inspect | CertChoice::Verify),
            file,
            purpose,
            at,
            ..
        } => match (which, file) {
            (CertChoice::Verify, Some(file)) => cert::verify(file, *purpose, *at, trust()),
            (_, Some(file)) if purpose.is_none() && at.is_none() => cert::inspect(file),
            (_, Some(_)) => Err(cert::verify_only_options()),
            (_, None) => Err(cert::file_needed(*which == CertChoice::Verify)),
        },
        Command::Cert {
            purpose: Some(_), ..
        }
        | Command::Cert { at: Some(_), .. } => Err(cert::verify_only_options()),
        Command::Readers => readers(),
        Command::VirtualCard {
            action:
                VirtualCardAction::Serve {
                    port,
                    host,
                    verbose,
                },
        } => serve(cli.profile, host, *port, *verbose),
        Command::CardInfo {
            action: Some(CardInfoAction::Inspect { dir, my_number }),
            ..
        } => card_info::inspect(dir, *my_number).map_err(Failure::from),
        Command::Status
        | Command::Cert { .. }
        | Command::Login { .. }
        | Command::Sign { .. }
        | Command::CardInfo { action: None, .. }
        | Command::CardSurface { .. } => return None,
        Command::Pin { .. } => return None,
    })
}

/// `login --server URL` or `login --qr-payload TEXT`, if that is the command.
fn server_login(cli: &Cli) -> Option<login_server::ServerLogin<'_>> {
    let Command::Login {
        server,
        qr_payload,
        expect_relying_party,
        message_out,
        ..
    } = &cli.command
    else {
        return None;
    };
    let origin = match (server, qr_payload) {
        (Some(url), _) => login_server::Origin::Server(url),
        (None, Some(text)) => login_server::Origin::QrPayload(text),
        (None, None) => return None,
    };
    Some(login_server::ServerLogin {
        origin,
        expect_relying_party: expect_relying_party.as_deref(),
        message_out: message_out.as_deref(),
    })
}

/// Where PINs come from, and whether the last attempt is confirmed already.
fn pin_options(cli: &Cli) -> PinOptions {
    PinOptions {
        source: if cli.pin_stdin {
            PinSource::Stdin
        } else {
            PinSource::Prompt
        },
        confirmed: cli.confirm_last_attempt,
        interactive: !cli.pin_stdin && !cli.json && std::io::stdin().is_terminal(),
    }
}

/// The virtual card or a reader, with the progress display on a terminal.
fn open_card(cli: &Cli) -> Result<JpkiCard<Box<dyn Transport>>, Failure> {
    let mut transport: Box<dyn Transport> = if cli.virtual_card {
        Box::new(VirtualCard::from_profile(cli.profile))
    } else {
        open_reader(cli)?
    };
    if !cli.json && std::io::stderr().is_terminal() {
        transport = Box::new(progress::Progress::new(transport));
    }
    Ok(JpkiCard::new(transport))
}

/// The commands that run a card flow.
fn run_card_command(
    cli: &Cli,
    card: &mut JpkiCard<Box<dyn Transport>>,
    pins: PinOptions,
) -> Result<Outcome, Error> {
    match &cli.command {
        Command::Status => commands::status(card),
        Command::Cert {
            which, pem, out, ..
        } => match which.kind() {
            Some(kind) => commands::cert(card, kind, *pem, out.as_deref(), pins),
            None => Err(Error::InvalidInput {
                reason: "cert inspect reads a file, not a card".into(),
            }),
        },
        Command::Login {
            request,
            expect_relying_party,
            challenge,
            out,
            cert_out,
            message_out,
            certificate_cache,
            ..
        } => commands::login(
            card,
            match (request, challenge) {
                (Some(path), _) => commands::LoginInput::Request {
                    path,
                    expect_relying_party: expect_relying_party.as_deref(),
                },
                (None, Some(hex)) => commands::LoginInput::Challenge(hex),
                (None, None) => {
                    return Err(Error::InvalidInput {
                        reason: "login needs --request FILE or --challenge HEX".into(),
                    })
                }
            },
            commands::LoginFiles {
                signature: out.as_deref(),
                certificate: cert_out.as_deref(),
                message: message_out.as_deref(),
                certificate_cache: certificate_cache.as_deref(),
            },
            pins,
        ),
        Command::Sign {
            file,
            out,
            hash,
            allow_sha1,
            cms,
            attached,
            pdf: pdf_args,
            xml: xml_args,
        } => {
            let algorithm = hash.parse::<DigestAlgorithm>()?;
            let tsa = (
                pdf_args.timestamp_url.as_ref(),
                pdf_args.tsa_roots.as_slice(),
            );
            if pdf_args.pdf {
                pdf::sign(card, file, out, algorithm, pdf_args, pins)
            } else if xml_args.xml {
                xml::sign(card, file, out, xml_args, tsa, pins)
            } else if *cms {
                let outcome = commands::sign_cms(card, file, out, algorithm, *attached, pins)?;
                match timestamp::client(tsa.0, tsa.1)? {
                    Some(client) => timestamp::stamp_cms_file(out, &client, outcome),
                    None => Ok(outcome),
                }
            } else if tsa.0.is_some() {
                Err(Error::InvalidInput {
                    reason: "--timestamp needs --pdf, --xml or --cms (a raw signature has no place for a token)".into(),
                })
            } else {
                commands::sign(card, file, out, algorithm, *allow_sha1, pins)
            }
        }
        Command::Pin {
            action: PinAction::Change { which },
        } => commands::change_pin(
            card,
            match which {
                PinChoice::Auth => PinKind::Authentication,
                PinChoice::Sign => PinKind::Signing,
            },
            pins,
        ),
        Command::CardInfo {
            action: None,
            my_number,
            unlock,
            cross_check,
        } => card_info::read(
            card,
            card_info::Request {
                my_number: *my_number,
                unlock: *unlock,
                cross_check: *cross_check,
            },
            pins,
        ),
        Command::CardSurface { unlock, photo_out } => {
            card_surface::read(card, *unlock, photo_out.as_deref(), pins)
        }
        Command::CardInfo {
            action: Some(CardInfoAction::Inspect { .. }),
            ..
        }
        | Command::Demo
        | Command::Profiles
        | Command::Readers
        | Command::VirtualCard { .. }
        | Command::Verify { .. }
        | Command::VerifyLogin { .. }
        | Command::LoginRequest { .. } => Err(Error::InvalidInput {
            reason: "this command does not use a card".into(),
        }),
    }
}

#[cfg(feature = "pcsc")]
fn open_reader(cli: &Cli) -> Result<Box<dyn Transport>, Failure> {
    let chatty = !cli.json && std::io::stderr().is_terminal();
    desktop::open_reader(
        cli.reader.as_deref(),
        std::time::Duration::from_secs(cli.wait),
        cli.extended,
        chatty,
    )
}

#[cfg(feature = "pcsc")]
fn readers() -> Result<Outcome, Failure> {
    desktop::readers()
}

#[cfg(feature = "pcsc")]
fn serve(profile: Profile, host: &str, port: u16, verbose: bool) -> Result<Outcome, Failure> {
    desktop::serve(profile, host, port, verbose)
}

#[cfg(not(feature = "pcsc"))]
fn no_pcsc() -> Failure {
    Failure::Card(Error::InvalidInput {
        reason: "this build of kazashi has no PC/SC support: add --virtual to use the \
                 virtual card, or rebuild with `--features pcsc` for readers"
            .into(),
    })
}

#[cfg(not(feature = "pcsc"))]
fn open_reader(_: &Cli) -> Result<Box<dyn Transport>, Failure> {
    Err(no_pcsc())
}

#[cfg(not(feature = "pcsc"))]
fn readers() -> Result<Outcome, Failure> {
    Err(no_pcsc())
}

#[cfg(not(feature = "pcsc"))]
fn serve(_: Profile, _: &str, _: u16, _: bool) -> Result<Outcome, Failure> {
    Err(no_pcsc())
}

fn profiles() -> Outcome {
    let lines = Profile::ALL
        .iter()
        .map(|p| format!("{:<22} {}", p.name(), p.description()))
        .collect();
    let json = json!({
        "profiles": Profile::ALL.iter().map(|p| json!({"name": p.name(), "description": p.description()})).collect::<Vec<_>>(),
    });
    Outcome { json, lines }
}
