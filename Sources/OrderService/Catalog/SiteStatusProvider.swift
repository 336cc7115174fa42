import Foundation
import Logging
import StoreModel
import Synchronization

/// The shop's open/closed status from `site-status.json`.
///
/// Read at start, rewritten atomically by the admin API, and re-checked cheaply (by modification
/// time, at most once a second) so a hand edit takes effect too. A missing file means open; an
/// invalid hand edit keeps the last valid status and is logged.
public final class SiteStatusProvider: Sendable {
    private struct State {
        var status: SiteStatus
        var modified: Date?
        var lastCheck: Date
    }

    /// The file's path.
    public let path: String
    private let state: Mutex<State>
    private let logger: Logger
    private let writeLock = AsyncLock()

    /// Reads the file; a missing file is an open shop, an invalid one is an error.
    public init(path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        let modified = Self.modificationDate(path)
        var status = SiteStatus(status: .open)
        if modified != nil {
            status = try SiteStatus.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        } else {
            logger.warning("site status file missing; the shop is open", metadata: ["path": "\(path)"])
        }
        state = Mutex(State(status: status, modified: modified, lastCheck: Date()))
    }

    /// The current status, re-read when the file changed on disk.
    public var current: SiteStatus {
        let now = Date()
        let (status, needsCheck) = state.withLock { state in
            (state.status, now.timeIntervalSince(state.lastCheck) >= 1)
        }
        guard needsCheck else { return status }
        return refresh(now: now)
    }

    /// Re-reads the file when its modification time changed.
    @discardableResult
    public func refresh(now: Date = Date()) -> SiteStatus {
        let modified = Self.modificationDate(path)
        let known = state.withLock { state in
            state.lastCheck = now
            return state.modified
        }
        guard modified != known else { return state.withLock { $0.status } }
        guard modified != nil else { return state.withLock { $0.status } }
        do {
            let status = try SiteStatus.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
            state.withLock { state in
                state.status = status
                state.modified = modified
            }
            logger.info("site status changed on disk", metadata: ["status": "\(status.status.rawValue)"])
            return status
        } catch {
            state.withLock { $0.modified = modified }
            logger.error("site status file is invalid; keeping the last valid status", metadata: ["error": "\(error)"])
            return state.withLock { $0.status }
        }
    }

    /// Writes a validated status atomically (temporary file, fsync, rename) and applies it at once.
    public func update(_ status: SiteStatus) async throws {
        try await writeLock.withLock {
            try AtomicFile.write(Data(Self.encode(status).utf8), to: self.path)
            let modified = Self.modificationDate(self.path)
            self.state.withLock { state in
                state.status = status
                state.modified = modified
                state.lastCheck = Date()
            }
        }
    }

    /// The document as written: fields in the usual order, pretty-printed, Unicode kept readable.
    static func encode(_ status: SiteStatus) -> String {
        func quoted(_ text: String) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return String(decoding: (try? encoder.encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
        return """
            {
              "status": \(quoted(status.status.rawValue)),
              "message": \(quoted(status.message)),
              "announcement": \(quoted(status.announcement))
            }

            """
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
