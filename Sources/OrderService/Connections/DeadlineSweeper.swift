import NIOCore
import Synchronization

/// Checks the deadlines of one event loop's connections four times a second. A phase of an
/// exchange then only sets its connection's deadline: scheduling and cancelling a timer per phase
/// (several per request) cost a quarter of the throughput of a trivial request. A time-out fires
/// up to `interval` late, which no limit here needs to be finer than.
final class DeadlineSweeper: @unchecked Sendable {
    /// How often the deadlines are looked at.
    static let interval = TimeAmount.milliseconds(250)

    private let eventLoop: any EventLoop
    // Used on `eventLoop` only.
    private var guards: [ObjectIdentifier: ExchangeGuard] = [:]
    private var task: RepeatedTask?

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    private static let sweepers = Mutex<[ObjectIdentifier: DeadlineSweeper]>([:])

    /// The sweeper of `eventLoop` (one per loop, made on first use).
    static func of(_ eventLoop: any EventLoop) -> DeadlineSweeper {
        sweepers.withLock { sweepers in
            if let sweeper = sweepers[ObjectIdentifier(eventLoop)] { return sweeper }
            let sweeper = DeadlineSweeper(eventLoop: eventLoop)
            sweepers[ObjectIdentifier(eventLoop)] = sweeper
            return sweeper
        }
    }

    /// Starts watching a connection's guard (on the event loop).
    func add(_ exchangeGuard: ExchangeGuard) {
        eventLoop.assertInEventLoop()
        guards[ObjectIdentifier(exchangeGuard)] = exchangeGuard
        if task == nil {
            task = eventLoop.scheduleRepeatedTask(initialDelay: Self.interval, delay: Self.interval) { [self] _ in self.sweep() }
        }
    }

    /// Stops watching it (on the event loop); the sweeps stop with the last connection.
    func remove(_ exchangeGuard: ExchangeGuard) {
        eventLoop.assertInEventLoop()
        guards[ObjectIdentifier(exchangeGuard)] = nil
        if guards.isEmpty {
            task?.cancel()
            task = nil
        }
    }

    private func sweep() {
        let now = NIODeadline.now()
        // A guard may close its connection, and so leave the dictionary, while being checked.
        for exchangeGuard in Array(guards.values) { exchangeGuard.check(now) }
    }
}
