import GRDB
import Synchronization

/// Runs write jobs through one writer, grouping the jobs that wait into one transaction.
///
/// Each job runs in its own savepoint, so a job that throws rolls back alone and gets its own error,
/// while the others in the batch commit. Every caller is answered only after the transaction that
/// holds its job has committed (`synchronous=FULL` makes that commit durable). With one caller at a
/// time this is an ordinary transaction per job; under load, many orders share one fsync.
final class GroupCommitWriter: Sendable {
    private struct Job: Sendable {
        let work: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var queue: [Job] = []
        var draining = false
    }

    private let writer: any DatabaseWriter
    private let state = Mutex(State())
    private let maximumBatch: Int

    init(writer: any DatabaseWriter, maximumBatch: Int = 256) {
        self.writer = writer
        self.maximumBatch = maximumBatch
    }

    /// Runs `work` in a savepoint of the next group transaction and returns its result after commit.
    func submit<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let startDrain = state.withLock { state in
                state.queue.append(Job(work: { try work($0) }, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            if startDrain {
                Task { await self.drain() }
            }
        }
        guard let typed = value as? T else { preconditionFailure("group commit returned \(type(of: value)), expected \(T.self)") }
        return typed
    }

    private func nextBatch() -> [Job] {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.draining = false
                return []
            }
            let count = min(state.queue.count, maximumBatch)
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return batch
        }
    }

    private func drain() async {
        while true {
            let jobs = nextBatch()
            if jobs.isEmpty { return }
            let results: [Result<any Sendable, any Error>]
            do {
                results = try await writer.write { db in
                    var results: [Result<any Sendable, any Error>] = []
                    results.reserveCapacity(jobs.count)
                    for job in jobs {
                        var result: Result<any Sendable, any Error> = .failure(CancellationError())
                        do {
                            try db.inSavepoint {
                                result = .success(try job.work(db))
                                return .commit
                            }
                        } catch {
                            result = .failure(error)
                        }
                        results.append(result)
                    }
                    return results
                }
            } catch {
                results = jobs.map { _ in .failure(error) }
            }
            for (job, result) in zip(jobs, results) {
                job.continuation.resume(with: result)
            }
        }
    }
}
