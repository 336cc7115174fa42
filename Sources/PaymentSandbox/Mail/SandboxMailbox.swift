import Foundation
import Synchronization

/// The messages the sandbox's SMTP server received, newest kept, oldest dropped after 500.
public final class SandboxMailbox: Sendable {
    /// One received message with its envelope and decoded views of its content.
    public struct ReceivedMail: Sendable {
        /// Numbered from 1 in the order received.
        public let id: Int
        /// When the final `.` arrived.
        public let receivedAt: Date
        /// `MAIL FROM`.
        public let envelopeFrom: String
        /// Every `RCPT TO`.
        public let envelopeTo: [String]
        /// The user the client authenticated as, if it did.
        public let authenticatedUser: String?
        /// The message as received, dot-unstuffed, CRLF line endings.
        public let raw: [UInt8]
        /// The header fields, unfolded, RFC 2047 words decoded.
        public let headers: [(name: String, value: String)]
        /// The first `text/plain` part, decoded, with LF line endings.
        public let textBody: String?
        /// The first `text/html` part, decoded, with LF line endings.
        public let htmlBody: String?

        init(id: Int, receivedAt: Date, envelope: SandboxEnvelope) {
            self.id = id
            self.receivedAt = receivedAt
            envelopeFrom = envelope.from
            envelopeTo = envelope.to
            authenticatedUser = envelope.user
            raw = envelope.data
            let entity = MIMEParser.entity(envelope.data)
            headers = entity.headers.map { ($0.name, MIMEParser.decodeWords($0.value)) }
            (textBody, htmlBody) = MIMEParser.textBodies(entity)
        }

        /// The first header field called `name` (any case), decoded.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        /// The decoded `Subject`.
        public var subject: String { header("Subject") ?? "" }

        /// The `Message-ID` without angle brackets.
        public var messageID: String? {
            header("Message-ID")?.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))
        }
    }

    /// How many messages are kept.
    public static let capacity = 500

    private let state = Mutex<(next: Int, mails: [ReceivedMail])>((1, []))

    /// Creates an empty mailbox.
    public init() {}

    @discardableResult
    func store(_ envelope: SandboxEnvelope) -> ReceivedMail {
        state.withLock { state in
            let mail = ReceivedMail(id: state.next, receivedAt: Date(), envelope: envelope)
            state.next += 1
            state.mails.append(mail)
            if state.mails.count > Self.capacity { state.mails.removeFirst(state.mails.count - Self.capacity) }
            return mail
        }
    }

    /// Every kept message, oldest first.
    public func all() -> [ReceivedMail] {
        state.withLock { $0.mails }
    }

    /// The message numbered `id`, if kept.
    public func message(id: Int) -> ReceivedMail? {
        state.withLock { $0.mails.first { $0.id == id } }
    }

    /// Waits until at least `count` messages are kept and returns them all; throws
    /// `SandboxMailboxTimeout` after `timeout`.
    public func waitFor(count: Int, timeout: Duration = .seconds(10)) async throws -> [ReceivedMail] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let mails = all()
            if mails.count >= count { return mails }
            guard ContinuousClock.now < deadline else { throw SandboxMailboxTimeout(expected: count, received: mails.count) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// `SandboxMailbox.waitFor(count:timeout:)` ran out of time.
public struct SandboxMailboxTimeout: Error, Sendable, CustomStringConvertible {
    /// How many messages were awaited.
    public let expected: Int
    /// How many had arrived.
    public let received: Int

    /// Says both counts.
    public var description: String { "expected \(expected) messages in the sandbox mailbox, got \(received)" }
}
