//! Writes the committed seed corpora (`fuzz/seeds/<target>/`) and the virtual card's test roots
//! (`fuzz/data/`) from real sessions with the virtual card, so that every seed is a successful
//! run the fuzzer can mutate from. Deterministic: running it again gives the same files.
//!
//! ```sh
//! cargo run --release --manifest-path fuzz/Cargo.toml --example make_seeds
//! ```

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use async_trait::async_trait;
use kazashi::{
    CertificateKind, DigestAlgorithm, JpkiCard, LastAttempt, LinkCapabilities, PinKind,
    SignOptions, Transport, TransportError,
};
use kazashi_documents::{sign_cms, CmsOptions};
use kazashi_fuzz::{
    auth_pin, push_frame, run_flow, signing_password, FlowChoice, PinGuard, CHALLENGE, CONTENT,
    SIGNING_TIME,
};
use kazashi_verify::LoginMessage;
use kazashi_virtual_card::{Profile, VirtualCard};

/// The virtual card behind a chosen link, recording its answers as frames and checking the
/// engine's commands with the same guard the fuzz target uses.
struct Recorder<'a> {
    card: &'a mut VirtualCard,
    capabilities: LinkCapabilities,
    guard: PinGuard,
    answers: Vec<u8>,
    commands: Vec<Vec<u8>>,
}

#[async_trait]
impl Transport for Recorder<'_> {
    fn capabilities(&self) -> LinkCapabilities {
        self.capabilities
    }

    async fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.guard.on_command(command);
        let answer = self.card.process(command);
        self.guard.on_response(&answer);
        push_frame(&mut self.answers, &answer);
        self.commands.push(command.to_vec());
        Ok(answer)
    }
}

struct Seeds {
    root: PathBuf,
    bytes: usize,
    files: usize,
}

impl Seeds {
    fn write(&mut self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.root.join("seeds").join(target);
        fs::create_dir_all(&dir).expect("seed directory");
        fs::write(dir.join(name), bytes).expect("seed file");
        self.bytes += bytes.len();
        self.files += 1;
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let seeds_dir = root.join("seeds");
    if seeds_dir.exists() {
        fs::remove_dir_all(&seeds_dir).expect("old seeds removed");
    }
    let mut seeds = Seeds {
        root: root.clone(),
        bytes: 0,
        files: 0,
    };

    let start = Instant::now();
    let _ = VirtualCard::default();
    eprintln!("first card (keys for the seed): {:?}", start.elapsed());
    let start = Instant::now();
    for _ in 0..10 {
        let _ = VirtualCard::default();
    }
    eprintln!("one more card: {:?}", start.elapsed() / 10);

    // The virtual card's test roots, for the trust targets' second store.
    let card = VirtualCard::default();
    fs::create_dir_all(root.join("data")).expect("data directory");
    fs::write(
        root.join("data/virtual-auth-root.der"),
        card.root_der(PinKind::Authentication),
    )
    .expect("auth root");
    fs::write(
        root.join("data/virtual-sign-root.der"),
        card.root_der(PinKind::Signing),
    )
    .expect("sign root");

    // certificate: the six J-LIS roots, and the virtual card's certificates (the signing one
    // carries the personal attributes).
    let mut roots: Vec<PathBuf> = fs::read_dir(root.join("../verify/roots"))
        .expect("verify/roots")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cer"))
        .collect();
    roots.sort();
    for path in roots {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        seeds.write("certificate", &name, &fs::read(&path).expect("root"));
    }
    for (kind, name) in [
        (CertificateKind::Authentication, "virtual-auth.der"),
        (CertificateKind::AuthenticationCa, "virtual-auth-ca.der"),
        (CertificateKind::Signing, "virtual-sign.der"),
        (CertificateKind::SigningCa, "virtual-sign-ca.der"),
    ] {
        let der = card.certificate_der(kind).expect("certificate").to_vec();
        seeds.write("certificate", name, &der);
    }

    // card_responses and virtual_card: sessions of every flow.
    let mut sessions: Vec<(Profile, FlowChoice)> = Vec::new();
    for flow in 0..FlowChoice::FLOWS {
        sessions.push((Profile::PhysicalCard, FlowChoice { flow, options: 1 }));
    }
    // The short link, Android's 261 bytes, and the variants (certificate kinds, digests).
    for (flow, options) in [
        (0, 0),
        (4, 0),
        (5, 2),
        (11, 0),
        (1, 1 | 1 << 3),
        (1, 1 | 2 << 3),
        (5, 1 | 1 << 3),
        (5, 1 | 3 << 3 | 0x20),
        (8, 1 | 1 << 3),
        (11, 1 | 0x20),
    ] {
        sessions.push((Profile::PhysicalCard, FlowChoice { flow, options }));
    }
    // Every profile's status, and log-in / signing on the special counters.
    for profile in Profile::ALL.into_iter().skip(1) {
        sessions.push((
            profile,
            FlowChoice {
                flow: 0,
                options: 1,
            },
        ));
        sessions.push((
            profile,
            FlowChoice {
                flow: 4,
                options: 1 | 4,
            },
        ));
        sessions.push((
            profile,
            FlowChoice {
                flow: 5,
                options: 1 | 4,
            },
        ));
    }
    let mut virtual_seen = BTreeSet::new();
    let mut apdus = BTreeSet::new();
    for (profile, choice) in sessions {
        let mut card = VirtualCard::from_profile(profile);
        let index = Profile::ALL.iter().position(|p| *p == profile).unwrap();
        let mut recorder = Recorder {
            card: &mut card,
            capabilities: choice.capabilities(),
            guard: PinGuard::new(choice.capabilities(), choice.last_attempt()),
            answers: Vec::new(),
            commands: Vec::new(),
        };
        let outcome = pollster::block_on(run_flow(&mut JpkiCard::new(&mut recorder), choice));
        let name = format!(
            "{}-{}-{:02x}",
            profile.name(),
            choice.name(),
            choice.options
        );
        eprintln!("{name}: {}", outcome.chars().take(100).collect::<String>());

        // Other profiles: the flows where their counters or files matter.
        let name_of = profile.name();
        let relevant = profile == Profile::PhysicalCard
            || choice.flow == 0
            || (choice.flow == 4
                && (name_of.starts_with("auth-") || name_of.starts_with("android")))
            || (choice.flow == 5 && (name_of.starts_with("signing-") || name_of == "under-15"));
        if relevant {
            let mut input = choice.header().to_vec();
            input.extend_from_slice(&recorder.answers);
            seeds.write("card_responses", &name, &input);
        }

        // The same commands for the virtual card target (once per distinct sequence).
        let mut input = vec![index as u8];
        for command in &recorder.commands {
            push_frame(&mut input, command);
            apdus.insert(command.clone());
        }
        if virtual_seen.insert(input.clone()) {
            seeds.write("virtual_card", &name, &input);
        }
    }
    // A PIN change followed by a log-in with the new PIN, and a lock-out, as raw sequences.
    let mut lockout = vec![0u8];
    for command in [
        &b"\x00\xA4\x04\x0C\x0A\xD3\x92\xF0\x00\x26\x01\x00\x00\x00\x01"[..],
        b"\x00\xA4\x02\x0C\x02\x00\x18",
        b"\x00\x20\x00\x80\x049999",
        b"\x00\x20\x00\x80\x049999",
        b"\x00\x20\x00\x80\x049999",
        b"\x00\x20\x00\x80\x041234",
        b"\x00\x20\x00\x80",
    ] {
        push_frame(&mut lockout, command);
    }
    seeds.write("virtual_card", "physical-card-lockout", &lockout);

    // apdu: every distinct command the sessions sent, and a few responses.
    for (i, command) in apdus.iter().enumerate() {
        seeds.write("apdu", &format!("command-{i:02}"), command);
    }
    for (i, response) in [
        &b"\x90\x00"[..],
        b"\x63\xC2",
        b"\x61\x10",
        b"\x01\x02\x03\x6C\x03",
    ]
    .iter()
    .enumerate()
    {
        seeds.write("apdu", &format!("response-{i}"), response);
    }

    // token_files: the token information file of each token type and both availability files.
    for profile in Profile::ALL {
        let mut card = VirtualCard::from_profile(profile);
        let read = |card: &mut VirtualCard, fid: u8| {
            card.process(b"\x00\xA4\x04\x0C\x0A\xD3\x92\xF0\x00\x26\x01\x00\x00\x00\x01");
            let answer = card.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, fid]);
            assert_eq!(answer, [0x90, 0x00]);
            let mut answer = card.process(&[0x00, 0xB0, 0x00, 0x00, 0x00]);
            let sw = answer.split_off(answer.len() - 2);
            assert_eq!(sw, [0x90, 0x00]);
            answer
        };
        let token = read(&mut card, 0x06);
        let availability = read(&mut card, 0x08);
        for (name, bytes) in [
            (format!("token-{}", profile.name()), token),
            (format!("availability-{}", profile.name()), availability),
        ] {
            let dir = root.join("seeds/token_files");
            let duplicate = fs::read_dir(&dir).into_iter().flatten().any(|e| {
                fs::read(e.expect("entry").path()).is_ok_and(|existing| existing == bytes)
            });
            if !duplicate {
                seeds.write("token_files", &name, &bytes);
            }
        }
    }

    // card_info_files: the card-info application's files as a dump holds them (the target's
    // framing: a presence mask, then a length-prefixed file each), all seven and the three an
    // attributes read needs.
    let card = VirtualCard::default();
    for (name, fids) in [
        ("all-files", &[1u16, 2, 3, 4, 5, 6, 7][..]),
        ("attributes-read", &[2, 3, 4][..]),
    ] {
        let mut framed = vec![fids.iter().fold(0u8, |mask, fid| mask | 1 << (fid - 1))];
        for fid in fids {
            let file = card.card_info_file(*fid).expect("a card-info file");
            framed.extend((file.len() as u16).to_be_bytes());
            framed.extend(file);
        }
        seeds.write("card_info_files", name, &framed);
    }

    // login_message: a verified log-in, as the app sends it.
    let mut card = VirtualCard::default();
    let login = pollster::block_on(JpkiCard::new(&mut card).login(
        CHALLENGE,
        &auth_pin(),
        LastAttempt::Refuse,
    ))
    .expect("log-in on the virtual card");
    let message = LoginMessage::v1(
        CHALLENGE,
        &login.signature,
        login.certificate.der(),
        "physical-card",
    );
    seeds.write(
        "login_message",
        "physical-card.json",
        message.to_json().as_bytes(),
    );

    // cms: an attached and a detached signed file (mode byte first, see the target).
    for detached in [false, true] {
        let mut card = VirtualCard::default();
        let options = CmsOptions {
            algorithm: DigestAlgorithm::Sha256,
            detached,
            signing_time: SIGNING_TIME,
            sign: SignOptions::default(),
        };
        let file = pollster::block_on(sign_cms(
            &mut JpkiCard::new(&mut card),
            CONTENT,
            &signing_password(),
            options,
        ))
        .expect("CMS on the virtual card");
        let mut input = vec![u8::from(detached)];
        if detached {
            push_frame(&mut input, CONTENT);
        }
        input.extend_from_slice(&file.der);
        let name = if detached { "detached" } else { "attached" };
        seeds.write("cms", name, &input);
    }

    eprintln!(
        "wrote {} seed files, {} bytes, under {}",
        seeds.files,
        seeds.bytes,
        seeds_dir.display()
    );
}
