import Foundation
import Logging
import Testing

@testable import OrderService

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL 15 cluster from `scripts/pg-cluster.sh`, one per test.
struct PostgresTestCluster {
    /// The cluster's folder (data, socket, log).
    var directory: URL
    /// `postgres://…@127.0.0.1:PORT/shop?sslmode=disable`.
    var url: String
    /// The same database through the Unix socket in `directory`.
    var socketURL: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/pg-cluster.sh").path

    /// Whether the PostgreSQL tests run: PostgreSQL 15 is installed or installable (root with apt),
    /// or `STOREFRONT_REQUIRE_POSTGRES` is set, which makes a missing PostgreSQL a failure.
    static var mayRun: Bool {
        if ProcessInfo.processInfo.environment["STOREFRONT_REQUIRE_POSTGRES"].map({ !$0.isEmpty }) ?? false { return true }
        let files = FileManager.default
        if files.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/initdb") { return true }
        return getuid() == 0 && files.isExecutableFile(atPath: "/usr/bin/apt-get")
    }

    static let skipReason: Comment =
        "PostgreSQL 15 is not installed and cannot be installed here (not root or no apt-get); set STOREFRONT_REQUIRE_POSTGRES=1 to fail instead"

    /// Starts a cluster, runs `body` with it and removes the cluster, whatever `body` did.
    static func with<T>(_ body: (PostgresTestCluster) async throws -> T) async throws -> T {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("sf-pg-\(UUID().uuidString.prefix(8))")
        let status = try await run(["start", directory.path])
        guard status == 0 else {
            _ = try? await run(["stop", directory.path])
            throw ClusterError(message: "scripts/pg-cluster.sh start exited \(status)")
        }
        let url = try String(contentsOf: directory.appendingPathComponent("url"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let socketURL = try String(contentsOf: directory.appendingPathComponent("socket-url"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let cluster = PostgresTestCluster(directory: directory, url: url, socketURL: socketURL)
        do {
            let value = try await body(cluster)
            _ = try await run(["stop", directory.path])
            return value
        } catch {
            _ = try? await run(["stop", directory.path])
            throw error
        }
    }

    struct ClusterError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs the script (stdout to /dev/null: `start` keeps the URL in DIR/url; stderr to the test's
    /// output). Spawned and reaped by hand: Foundation's `Process` here left the finished script a
    /// zombie and never called back, hanging the test.
    private static func run(_ arguments: [String]) async throws -> Int32 {
        let argv = ["/bin/bash", script] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw ClusterError(message: "cannot run \(script): error \(spawned)") }
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result < 0 && errno != EINTR { throw ClusterError(message: "waitpid failed: \(errno)") }
            // Not cancellable: a cancelled test must still stop its cluster.
            try? await Task.sleep(for: .milliseconds(50))
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Opens a store on `url` (the TCP URL unless given).
    func store(url: String? = nil, poolSize: Int = 4, notifications: NotificationRouting = .webhooksOnly) async throws -> PostgresOrderStore {
        guard case .postgres(let settings) = try DatabaseLocation.parse(url ?? self.url, setting: "--db") else {
            throw ClusterError(message: "not a PostgreSQL URL")
        }
        var logger = Logger(label: "pg-test")
        logger.logLevel = .warning
        return try await PostgresOrderStore(settings: settings, poolSize: poolSize, logger: logger, notifications: notifications)
    }
}
