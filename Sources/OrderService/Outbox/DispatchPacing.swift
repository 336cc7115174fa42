import Foundation
import Synchronization

/// How hard the dispatcher may work: fully when the shop is calm, at a trickle while orders flood
/// in, so that delivering never takes the CPU that taking orders needs. Deliveries put off during a
/// flood wait in the outbox and go out when it passes; nothing is dropped.
public struct DispatchPacing: Sendable, Hashable {
    /// Order writes per second from which the shop counts as flooded.
    public var floodWritesPerSecond: Double
    /// How long the dispatcher waits between rounds during a flood.
    public var floodPause: Duration

    /// A flood from 100 order writes per second; one delivery per lane every 250 ms during one.
    public static let standard = DispatchPacing(floodWritesPerSecond: 100, floodPause: .milliseconds(250))

    /// Creates pacing.
    public init(floodWritesPerSecond: Double, floodPause: Duration) {
        self.floodWritesPerSecond = floodWritesPerSecond
        self.floodPause = floodPause
    }

    /// Whether `writesPerSecond` is a flood.
    public func isFlood(writesPerSecond: Double) -> Bool { writesPerSecond >= floodWritesPerSecond }

    /// How many more deliveries a lane may start: its free room, or at most one during a flood.
    public func room(capacity: Int, inFlight: Int, writesPerSecond: Double) -> Int {
        let free = max(0, capacity - inFlight)
        return isFlood(writesPerSecond: writesPerSecond) ? min(free, inFlight == 0 ? 1 : 0) : free
    }
}

/// Counts order writes and tells their rate over the last complete quarter of a second, so a flood
/// is noticed within half a second.
final class WriteRate: Sendable {
    private struct State {
        var windowStart: ContinuousClock.Instant
        var count: Int
        var lastRate: Double
    }
    private let state = Mutex(State(windowStart: .now, count: 0, lastRate: 0))
    static let window = Duration.milliseconds(250)

    /// Counts `n` writes now.
    func record(_ n: Int = 1) {
        state.withLock { state in
            roll(&state, now: .now)
            state.count += n
        }
    }

    /// Writes per second in the last complete window (0 after a quiet one).
    var perSecond: Double {
        state.withLock { state in
            roll(&state, now: .now)
            return state.lastRate
        }
    }

    private func roll(_ state: inout State, now: ContinuousClock.Instant) {
        let elapsed = now - state.windowStart
        guard elapsed >= Self.window else { return }
        state.lastRate =
            elapsed >= Self.window * 2 ? 0 : Double(state.count) / (Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))
        state.count = 0
        state.windowStart = now
    }
}
