import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization
import _ConnectionPoolModule

/// The PostgreSQL store's way to its connections: a `PostgresClient` pool behind three guards, so
/// a request never hangs on a lost database.
/// - Until the store has opened (migrations applied), every use throws `StoreError.databaseUnavailable`.
/// - Every use ends within `deadline` (default 4 s): waiting for a connection and the work on it.
/// - Connection failures, server shutdowns and the deadline become `StoreError.databaseUnavailable`
///   (the API answers 503 `database_unavailable`); the pool reconnects by itself when the server is back.
final class PostgresPool: Sendable {
    /// The underlying pool.
    let client: PostgresClient
    /// How long one use may take at most.
    let deadline: Duration
    private let opened: Atomic<Bool>

    init(client: PostgresClient, deadline: Duration) {
        self.client = client
        self.deadline = deadline
        self.opened = Atomic(false)
    }

    /// Lets requests through (after the migrations ran).
    func markOpen() { opened.store(true, ordering: .releasing) }

    /// Whether the store has opened.
    var isOpen: Bool { opened.load(ordering: .acquiring) }

    /// Runs `body` with a pooled connection, guarded as described above.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        guard isOpen else { throw StoreError.databaseUnavailable }
        return try await guarded { [client] in try await client.withConnection(body) }
    }

    /// Runs one query on a pooled connection (held until its rows are read).
    @discardableResult
    func query(_ query: PostgresQuery, logger: Logger? = nil) async throws -> PostgresRowSequence {
        guard isOpen else { throw StoreError.databaseUnavailable }
        let logger = logger ?? Self.quiet
        return try await guarded { [client] in try await client.query(query, logger: logger) }
    }

    /// Runs `body` without the open check (the migrations themselves), within `deadline`.
    func unopened<T: Sendable>(deadline: Duration, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        try await guarded(deadline: deadline) { [client] in try await body(client) }
    }

    /// `body` within the deadline, its connection failures as `databaseUnavailable`. The caller
    /// gets its answer at the deadline even when `body` does not stop (a query in flight on a
    /// connection whose server vanished); `body` is then cancelled and ends in the background.
    /// The deadline is an event-loop timer, cancelled as soon as `body` ends (a sleeping task per
    /// use kept thousands of timers alive at 2,000 orders/s).
    private func guarded<T: Sendable>(deadline: Duration? = nil, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let deadline = deadline ?? self.deadline
        do {
            return try await withCheckedThrowingContinuation { continuation in
                let outcome = FirstOutcome(continuation)
                let work = Task {
                    do { outcome.finish(.success(try await body())) } catch { outcome.finish(.failure(error)) }
                }
                let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(deadline)) {
                    if outcome.finish(.failure(StoreError.databaseUnavailable)) { work.cancel() }
                }
                outcome.onFinish { timer.cancel() }
            }
        } catch let error where Self.isUnavailable(error) {
            throw StoreError.databaseUnavailable
        }
    }

    /// Whether `error` means the database cannot be reached now (rather than a refused statement).
    static func isUnavailable(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                // 08: connection exception; 57P01-57P03: shutdown, crash, starting up; 53300: too many connections.
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state)
            }
            return [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed, .sslUnsupported].contains(error.code)
        }
        // The pool gives up a lease after failing to connect for a while (its circuit breaker).
        return error is ConnectionPoolError || error is IOError || error is ChannelError || error is CancellationError
    }

    private static let quiet = Logger(label: "postgres-pool")
}

extension StoreError {
    /// Whether `error` means the database cannot be reached now: `databaseUnavailable`, or a
    /// PostgreSQL connection failure that surfaced outside `PostgresPool`'s guards (reading rows).
    static func meansDatabaseUnavailable(_ error: any Error) -> Bool {
        if let error = error as? StoreError { return error == .databaseUnavailable }
        return error is PSQLError && PostgresPool.isUnavailable(error)
    }
}

/// Resumes a continuation with the first of several outcomes; the later ones are dropped.
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var onFinish: (@Sendable () -> Void)?
    }
    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.state = Mutex(State(continuation: continuation))
    }

    /// Resumes with `result` when nothing did yet; returns whether it did.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, onFinish) = state.withLock { state in
            defer { state.onFinish = nil }
            return (state.continuation.take(), state.onFinish)
        }
        guard let continuation else { return false }
        continuation.resume(with: result)
        onFinish?()
        return true
    }

    /// Calls `action` once the outcome is known (at once if it already is).
    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let finished = state.withLock { state in
            if state.continuation == nil { return true }
            state.onFinish = action
            return false
        }
        if finished { action() }
    }
}
