import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import OrderService

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL 15 database of a test's own. `with` gives each test a fresh database (created
/// before, dropped after) in one cluster shared by the test process: the cluster `make test` started
/// (`STOREFRONT_TEST_PG_DIR`, a `scripts/pg-cluster.sh` folder), or else one this process starts on
/// first use and stops when it exits. `withOwnCluster` starts a cluster for a test that stops or
/// restarts the server itself.
struct PostgresTestCluster {
    /// The cluster's folder (data, socket, log).
    var directory: URL
    /// `postgres://…@127.0.0.1:PORT/DATABASE?sslmode=disable`: the test's database over TCP.
    var url: String
    /// The same database through the Unix socket in `directory`.
    var socketURL: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/pg-cluster.sh").path

    /// Whether the PostgreSQL tests run: PostgreSQL 15 is installed or installable (root with apt),
    /// or `STOREFRONT_REQUIRE_POSTGRES` is set (as `make test` does), which makes a missing PostgreSQL a failure.
    static var mayRun: Bool {
        if ProcessInfo.processInfo.environment["STOREFRONT_REQUIRE_POSTGRES"].map({ !$0.isEmpty }) ?? false { return true }
        let files = FileManager.default
        if files.isExecutableFile(atPath: "/usr/lib/postgresql/15/bin/initdb") { return true }
        return getuid() == 0 && files.isExecutableFile(atPath: "/usr/bin/apt-get")
    }

    static let skipReason: Comment =
        "PostgreSQL 15 is not installed and cannot be installed here (not root or no apt-get); set STOREFRONT_REQUIRE_POSTGRES=1 to fail instead"

    /// Runs `body` with a fresh database in the shared cluster, and drops the database afterwards,
    /// whatever `body` did.
    static func with<T>(_ body: (PostgresTestCluster) async throws -> T) async throws -> T {
        let shared = try await SharedPostgresCluster.shared.started()
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try await shared.execute("CREATE DATABASE \(name)")
        let cluster = PostgresTestCluster(
            directory: shared.directory, url: shared.url.replacingDatabase(with: name), socketURL: shared.socketURL.replacingDatabase(with: name))
        do {
            let value = try await body(cluster)
            try await shared.execute("DROP DATABASE \(name) WITH (FORCE)")
            return value
        } catch {
            try? await shared.execute("DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    /// Starts a cluster of the test's own, runs `body` with its `shop` database and removes the
    /// cluster, whatever `body` did.
    static func withOwnCluster<T>(_ body: (PostgresTestCluster) async throws -> T) async throws -> T {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("sf-pg-\(UUID().uuidString.prefix(8))")
        let cluster = try await start(directory)
        do {
            let value = try await body(cluster)
            _ = try await run(["stop", directory.path])
            return value
        } catch {
            _ = try? await run(["stop", directory.path])
            throw error
        }
    }

    /// Starts a cluster in `directory` with `scripts/pg-cluster.sh`.
    static func start(_ directory: URL) async throws -> PostgresTestCluster {
        let status = try await run(["start", directory.path])
        guard status == 0 else {
            _ = try? await run(["stop", directory.path])
            throw ClusterError(message: "scripts/pg-cluster.sh start exited \(status)")
        }
        return try read(directory)
    }

    /// The cluster `scripts/pg-cluster.sh start` made in `directory`.
    static func read(_ directory: URL) throws -> PostgresTestCluster {
        func line(_ file: String) throws -> String {
            try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return PostgresTestCluster(directory: directory, url: try line("url"), socketURL: try line("socket-url"))
    }

    /// Runs `pg_ctl` on this cluster (`stop -m immediate`, `start`, ...), as the script does.
    func pgControl(_ arguments: [String]) async throws -> Int32 {
        try await Self.run(["pg_ctl", directory.path] + arguments)
    }

    struct ClusterError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs the script (stdout to /dev/null: `start` keeps the URL in DIR/url; stderr to the test's
    /// output). Spawned and reaped by hand: Foundation's `Process` here left the finished script a
    /// zombie and never called back, hanging the test.
    static func run(_ arguments: [String]) async throws -> Int32 {
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
        return try await PostgresOrderStore(
            settings: settings, poolSize: poolSize, logger: logger, notifications: notifications, requestDeadline: .seconds(30))
    }
}

/// The cluster the test process shares: `STOREFRONT_TEST_PG_DIR` when set, else one started on
/// first use and stopped at exit.
actor SharedPostgresCluster {
    static let shared = SharedPostgresCluster()
    private var cluster: Task<PostgresTestCluster, any Error>?

    func started() async throws -> PostgresTestCluster {
        if let cluster { return try await cluster.value }
        let task = Task<PostgresTestCluster, any Error> {
            if let given = ProcessInfo.processInfo.environment["STOREFRONT_TEST_PG_DIR"], !given.isEmpty {
                return try PostgresTestCluster.read(URL(fileURLWithPath: given))
            }
            let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("sf-pg-shared-\(getpid())-\(UUID().uuidString.prefix(4))")
            let cluster = try await PostgresTestCluster.start(directory)
            startedClusterDirectory.withLock { $0 = directory.path }
            atexit {
                guard let path = startedClusterDirectory.withLock({ $0 }) else { return }
                stopClusterNow(path)
            }
            return cluster
        }
        cluster = task
        return try await task.value
    }
}

/// The cluster this process started, stopped at exit.
private let startedClusterDirectory = Mutex<String?>(nil)

/// Stops a cluster synchronously (at exit, where no task runs any more).
private func stopClusterNow(_ path: String) {
    let argv = ["/bin/bash", PostgresTestCluster.script, "stop", path]
    let cArguments = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/bin/bash", nil, nil, cArguments, environ) == 0 else { return }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
}

extension PostgresTestCluster {
    /// Runs one statement as the cluster's superuser, on the `postgres` database.
    func execute(_ sql: String) async throws {
        guard case .postgres(let settings) = try DatabaseLocation.parse(url, setting: "test") else { throw ClusterError(message: "not a PostgreSQL URL") }
        guard case .tcp(let host, let port) = settings.endpoint else { throw ClusterError(message: "not a TCP URL") }
        var logger = Logger(label: "pg-test-admin")
        logger.logLevel = .warning
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: host, port: port, username: settings.username, password: settings.password, database: "postgres", tls: .disable),
            id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

extension String {
    /// This PostgreSQL URL with another database name in its path.
    func replacingDatabase(with name: String) -> String {
        guard var components = URLComponents(string: self) else { return self }
        components.path = "/" + name
        return components.string ?? self
    }
}
