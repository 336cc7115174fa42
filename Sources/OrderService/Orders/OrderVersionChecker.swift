import Synchronization

/// Asks the database for the versions of orders whose cached answers are about to be served, in
/// batches: while one query is out, the lookups that arrive wait for the next one, which starts
/// after they arrived. So every lookup sees every change committed before it began, on any
/// instance, at the cost of one small query per batch rather than one read per lookup.
final class OrderVersionChecker: Sendable {
    private struct Waiting {
        var id: String
        var continuation: CheckedContinuation<Int64?, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var querying = false
    }

    /// The most ids asked in one query.
    static let batchLimit = 512
    private let source: any InstanceCoordination
    private let state = Mutex(State())

    init(source: any InstanceCoordination) {
        self.source = source
    }

    /// The order's current version, or `nil` when there is no such order.
    func version(of id: String) async throws -> Int64? {
        try await withCheckedThrowingContinuation { continuation in
            let start = state.withLock { state in
                state.waiting.append(Waiting(id: id, continuation: continuation))
                guard !state.querying else { return false }
                state.querying = true
                return true
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Queries for everyone waiting, batch after batch, until nobody waits.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Waiting]? in
                guard !state.waiting.isEmpty else {
                    state.querying = false
                    return nil
                }
                let count = min(Self.batchLimit, state.waiting.count)
                defer { state.waiting.removeFirst(count) }
                return Array(state.waiting.prefix(count))
            }
            guard let batch else { return }
            do {
                let versions = try await source.orderVersions(Array(Set(batch.map(\.id))))
                for waiting in batch { waiting.continuation.resume(returning: versions[waiting.id]) }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
