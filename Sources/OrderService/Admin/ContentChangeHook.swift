import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the operator's command after the admin API changed a content file (for example a script
/// that rebuilds the site and uploads it to the CDN). Runs are serial: changes that arrive while
/// the command runs are folded into one more run afterwards, so a burst of edits costs two runs.
///
/// It is one of the API's services: the runs happen inside ``run()``. On graceful shutdown a run in
/// progress finishes and changes still waiting get their run, then the service ends.
final class ContentChangeHook: Service, Sendable {
    private let command: String?
    private let workingDirectory: String
    private let logger: Logger
    private let pending = Mutex<Set<String>>([])
    private let wakes: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// `command` runs with `/bin/sh -c` in `workingDirectory`; `nil` turns the hook off.
    init(command: String?, workingDirectory: String, logger: Logger) {
        self.command = command.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        self.workingDirectory = workingDirectory
        self.logger = logger
        // One buffered wake-up is enough: a run takes every file pending when it starts.
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Records that `file` changed; the service runs the command for it (and any others pending).
    func contentChanged(_ file: String) {
        guard command != nil else { return }
        pending.withLock { _ = $0.insert(file) }
        wake.yield()
    }

    /// Runs the command whenever files are pending, until graceful shutdown.
    func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakes {
                let files = pending.withLock { pending in
                    defer { pending.removeAll() }
                    return pending.sorted()
                }
                if let command, !files.isEmpty { await run(command, files: files) }
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
    }

    private func run(_ command: String, files: [String]) async {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        var environment = ProcessInfo.processInfo.environment
        environment["STOREFRONT_CHANGED_FILES"] = files.joined(separator: "\n")
        process.environment = environment
        let started = Date()
        do {
            let status: Int32 = try await withCheckedThrowingContinuation { continuation in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do { try process.run() } catch {
                    process.terminationHandler = nil
                    continuation.resume(throwing: error)
                }
            }
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            if status == 0 {
                logger.info("content change command finished", metadata: ["files": "\(files.joined(separator: " "))", "seconds": "\(seconds)"])
            } else {
                logger.error("content change command failed", metadata: ["status": "\(status)", "files": "\(files.joined(separator: " "))"])
            }
        } catch {
            logger.error("content change command could not start", metadata: ["error": "\(error)"])
        }
    }
}
