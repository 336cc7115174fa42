import Foundation
import Logging

/// Runs the operator's command after the admin API changed a content file (for example a script
/// that rebuilds the site and uploads it to the CDN). Runs are serial: changes that arrive while
/// the command runs are folded into one more run afterwards, so a burst of edits costs two runs.
actor ContentChangeHook {
    private let command: String?
    private let workingDirectory: String
    private let logger: Logger
    private var running = false
    private var pending: Set<String> = []

    /// `command` runs with `/bin/sh -c` in `workingDirectory`; `nil` turns the hook off.
    init(command: String?, workingDirectory: String, logger: Logger) {
        self.command = command.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        self.workingDirectory = workingDirectory
        self.logger = logger
    }

    /// Records that `file` changed and starts the command unless it is already running.
    func contentChanged(_ file: String) {
        guard command != nil else { return }
        pending.insert(file)
        guard !running else { return }
        running = true
        Task { await self.drain() }
    }

    private func drain() async {
        while !pending.isEmpty, let command {
            let files = pending.sorted()
            pending.removeAll()
            await run(command, files: files)
        }
        running = false
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
