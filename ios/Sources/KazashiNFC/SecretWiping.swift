import Foundation

// Why PINs are `Data` here: a Swift `String` is immutable storage that Swift may copy, bridge and
// cache as it likes, and nothing can overwrite it. Bytes can be overwritten in place. So every
// PIN, signing password and verification number crosses this package as its UTF-8 bytes, and the
// app (a custom keypad) can keep it as bytes only and wipe them once the call has returned.

extension KazashiNFC {
    /// Overwrites every byte of `secret` with zero, in place; its count stays the same (zeros
    /// fail every PIN format check, so a wiped entry sent by mistake never reaches the card).
    ///
    /// Call it once the flow has returned, on the app's own copy:
    ///
    /// ```swift
    /// var pin = Data(/* the bytes of the app's keypad */)
    /// defer { KazashiNFC.wipe(&pin) }
    /// let result = try await KazashiNFC.login(challenge: challenge, pin: pin)
    /// ```
    ///
    /// What it reaches, and what it cannot:
    /// - The bytes are overwritten where they are only if this `Data` is their only holder.
    ///   When another `Data` shares them (a copy made with `let b = a`), Swift's copy-on-write
    ///   gives this one fresh zeroed bytes and the shared ones stay with the other copy: wipe
    ///   every copy, or better, make none. The shell keeps no reference to the app's bytes: it
    ///   copies them into a buffer of its own, which it wipes when the flow ends.
    /// - Copies Swift makes by itself cannot be reached: a short `Data` (up to 14 bytes on 64-bit
    ///   platforms, as every PIN and verification number is) is usually stored inline and then
    ///   copied like an integer wherever it is passed, and the generated binding copies the bytes
    ///   into a temporary array to hand them to Rust. The Rust side wipes every buffer of its own
    ///   when it frees it.
    ///
    /// So this narrows where a PIN stays in memory; it cannot make Swift forget it. Never put a
    /// PIN in a `String`, never log it.
    public static func wipe(_ secret: inout Data) {
        secret.resetBytes(in: secret.startIndex ..< secret.endIndex)
    }
}

/// The shell's own copy of a secret while one flow runs (`KazashiNFC.login` and the other
/// shortcuts): made into a buffer of its own, so the app's bytes are never shared with the
/// shell and the app's ``KazashiNFC/wipe(_:)`` overwrites them in place; wiped by the shortcut
/// once the flow has ended, after which it hands out no bytes (an empty entry, which every format
/// check refuses before anything is sent).
///
/// `@unchecked Sendable`: the flow reads it on its own task while the shortcut that wipes it
/// waits; `lock` guards `bytes` all the same.
final class SecretCopy: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: Data
    private var wiped = false

    init(_ secret: Data) {
        // Fresh storage, never the app's: `Data(secret)` could share it.
        bytes = secret.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in Data(raw) }
    }

    /// The bytes, for the one call that sends them; empty once wiped.
    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return wiped ? Data() : bytes
    }

    /// Whether ``wipe()`` has run.
    var isWiped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return wiped
    }

    /// Zeroes the copy in place, then drops it. Idempotent.
    func wipe() {
        lock.lock()
        defer { lock.unlock() }
        KazashiNFC.wipe(&bytes)
        bytes = Data()
        wiped = true
    }

    deinit {
        // A shortcut always wipes; this covers a copy dropped some other way.
        KazashiNFC.wipe(&bytes)
    }
}
