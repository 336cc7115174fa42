import Foundation
import Synchronization

/// What open pages are told about builds.
enum LiveReloadEvent: Sendable, Equatable {
    /// A build succeeded: reload.
    case reload
    /// A build failed: show the message over the page (the last good build stays served).
    case buildFailed(String)

    /// The event as a server-sent-events frame.
    var frame: String {
        switch self {
        case .reload:
            return "event: reload\ndata: {}\n\n"
        case .buildFailed(let message):
            let json =
                (try? JSONSerialization.data(withJSONObject: ["message": message]))
                .flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
            return "event: build-error\ndata: \(json)\n\n"
        }
    }
}

/// Fans build results out to every open page's event stream.
final class LiveReloadHub: Sendable {
    private struct State {
        var listeners: [UUID: AsyncStream<LiveReloadEvent>.Continuation] = [:]
        var lastFailure: String?
    }

    private let state = Mutex(State())

    /// A new listener's events. A page that connects while the last build is failing hears so at once.
    func subscribe() -> AsyncStream<LiveReloadEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<LiveReloadEvent>.makeStream(bufferingPolicy: .bufferingNewest(4))
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.listeners.removeValue(forKey: id) }
        }
        state.withLock { state in
            state.listeners[id] = continuation
            if let failure = state.lastFailure { continuation.yield(.buildFailed(failure)) }
        }
        return stream
    }

    /// Tells every listener.
    func publish(_ event: LiveReloadEvent) {
        let listeners = state.withLock { state in
            if case .buildFailed(let message) = event { state.lastFailure = message } else { state.lastFailure = nil }
            return Array(state.listeners.values)
        }
        for listener in listeners { listener.yield(event) }
    }

    /// The failure pages should show, if the last build failed.
    var lastFailure: String? { state.withLock { $0.lastFailure } }

    /// Ends every stream (on shutdown, so no request stays open).
    func finishAll() {
        let listeners = state.withLock { state in
            defer { state.listeners.removeAll() }
            return Array(state.listeners.values)
        }
        for listener in listeners { listener.finish() }
    }

    /// Number of open pages listening.
    var listenerCount: Int { state.withLock { $0.listeners.count } }
}
