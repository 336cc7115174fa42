import Foundation
import Logging
import ServiceLifecycle

/// Watches the process's open file descriptors. When they reach the limit, `accept` fails
/// (`EMFILE`); SwiftNIO then pauses accepting for a second at a time and goes on serving the open
/// connections, without a word. This says it, at most once per `logInterval`, and says when the
/// descriptors are back.
struct DescriptorWatch: Service {
    let interval: Duration
    let logInterval: Duration
    let logger: Logger

    init(interval: Duration = .seconds(1), logInterval: Duration = .seconds(10), logger: Logger) {
        self.interval = interval
        self.logInterval = logInterval
        self.logger = logger
    }

    /// What to say about `open` descriptors of `limit`, given whether the last check found them
    /// exhausted and when it last said so (pure; `DescriptorWatchTests`).
    enum Report: Equatable {
        case nothing
        case exhausted
        case recovered
    }

    static func report(
        open: Int, limit: Int, wasExhausted: Bool, lastLog: ContinuousClock.Instant?, now: ContinuousClock.Instant, logInterval: Duration
    )
        -> Report
    {
        if isExhausted(open: open, limit: limit) { return lastLog.map { now - $0 >= logInterval } ?? true ? .exhausted : .nothing }
        return wasExhausted ? .recovered : .nothing
    }

    /// Whether `open` descriptors leave none to accept with: a few short of the limit already
    /// makes `accept` fail now and then.
    static func isExhausted(open: Int, limit: Int) -> Bool {
        limit > 0 && open >= limit &- 4
    }

    func run() async throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let soft = Int(clamping: limit.rlim_cur)
        await cancelWhenGracefulShutdown {
            var wasExhausted = false
            var lastLog: ContinuousClock.Instant?
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                // No /proc (not Linux): nothing to watch, but a service that ends stops the server.
                guard let open = Self.openDescriptors() else { continue }
                let now = ContinuousClock.now
                switch Self.report(open: open, limit: soft, wasExhausted: wasExhausted, lastLog: lastLog, now: now, logInterval: logInterval) {
                case .exhausted:
                    logger.error(
                        "out of file descriptors: new connections wait in the listen queue until some close; raise LimitNOFILE or lower --max-connections",
                        metadata: ["open": "\(open == Int.max ? "all" : String(open))", "limit": "\(soft)"])
                    lastLog = now
                case .recovered:
                    logger.warning("file descriptors available again; accepting connections", metadata: ["open": "\(open)", "limit": "\(soft)"])
                case .nothing:
                    break
                }
                wasExhausted = Self.isExhausted(open: open, limit: soft)
            }
        }
    }

    /// The number of open descriptors (entries of `/proc/self/fd`), or `nil` where there is no such
    /// folder. When the listing itself finds no descriptor free, that is `Int.max`.
    static func openDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return errno == EMFILE || errno == ENFILE ? Int.max : nil }
        defer { closedir(directory) }
        var count = -1  // the descriptor of the listing itself
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != 46 { count += 1 }  // not "." or ".."
        }
        return max(0, count)
    }
}
