import Logging
import Synchronization

/// The open connections of one server, in all and per client address; it admits or refuses each
/// new one, and logs refusals at most once per `logInterval`.
public final class ConnectionCounter: Sendable {
    private struct State {
        var open = 0
        var byAddress: [String: Int] = [:]
        var refused: UInt64 = 0
        var refusedSinceLog: UInt64 = 0
        var lastLog: ContinuousClock.Instant?
        var timeouts: [String: UInt64] = [:]
    }

    private let state = Mutex(State())
    private let maxConnections: Int
    private let maxPerAddress: Int
    private let logger: Logger
    private let logInterval: Duration

    /// A counter for `limits`; `perAddress` false turns the per-address limit off (behind a proxy).
    public init(limits: ConnectionLimits, perAddress: Bool, logger: Logger, logInterval: Duration = .seconds(10)) {
        maxConnections = limits.maxConnections
        maxPerAddress = perAddress ? limits.maxConnectionsPerAddress : 0
        self.logger = logger
        self.logInterval = logInterval
    }

    /// Counts a new connection from `address` in, or refuses it (and counts the refusal) when a limit is reached.
    func admit(_ address: String) -> Bool {
        let (admitted, report) = state.withLock { state -> (Bool, (UInt64, Int)?) in
            let fromAddress = state.byAddress[address, default: 0]
            if state.open < maxConnections && (maxPerAddress == 0 || fromAddress < maxPerAddress) {
                state.open += 1
                state.byAddress[address] = fromAddress + 1
                return (true, nil)
            }
            state.refused += 1
            state.refusedSinceLog += 1
            let now = ContinuousClock.now
            guard state.lastLog.map({ now - $0 >= logInterval }) ?? true else { return (false, nil) }
            defer {
                state.lastLog = now
                state.refusedSinceLog = 0
            }
            return (false, (state.refusedSinceLog, state.open))
        }
        if let (refused, open) = report {
            logger.warning(
                "connection limit reached: new connections are closed at once",
                metadata: [
                    "refused": "\(refused)", "open": "\(open)", "max_connections": "\(maxConnections)",
                    "max_per_address": "\(maxPerAddress)",
                ])
        }
        return admitted
    }

    /// Counts a connection admitted from `address` out.
    func release(_ address: String) {
        state.withLock { state in
            state.open -= 1
            let left = state.byAddress[address, default: 1] - 1
            state.byAddress[address] = left > 0 ? left : nil
        }
    }

    /// Counts a connection closed because a phase took too long (`header`, `body`, `idle`, `write`).
    func timedOut(_ phase: String) {
        state.withLock { $0.timeouts[phase, default: 0] += 1 }
    }

    /// What the counter has seen, for `/metrics` and tests.
    public var snapshot: (open: Int, refused: UInt64, timeouts: [String: UInt64]) {
        state.withLock { ($0.open, $0.refused, $0.timeouts) }
    }
}
