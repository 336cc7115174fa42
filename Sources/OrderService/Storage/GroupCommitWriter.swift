import GRDB
import Synchronization

/// Runs write jobs through one writer, grouping the jobs that wait into one transaction.
///
/// Each job runs in its own savepoint, so a job that throws rolls back alone and gets its own error,
/// while the others in the batch commit. Every caller is answered only after the transaction that
/// holds its job has committed (`synchronous=FULL` makes that commit durable). With one caller at a
/// time this is an ordinary transaction per job; under load, many orders share one fsync.
///
/// There is no writer task of its own: the caller whose job is first in line commits the batch in
/// its own task, answers the other callers in it, and hands the next batch to the first caller still
/// waiting. No work outlives the callers that submitted it.
final class GroupCommitWriter: Sendable {
    /// What a waiting caller is woken with: its job's outcome, or the turn to commit the next batch.
    private enum Wake: Sendable {
        case done(Result<any Sendable, any Error>)
        case lead
    }

    private struct Job: Sendable {
        let work: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<Wake, Never>
    }

    private struct State {
        var queue: [Job] = []
        /// Whether some caller is committing a batch (or has been handed the turn to).
        var leading = false
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
        let wake = await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
            let lead = state.withLock { state in
                state.queue.append(Job(work: { try work($0) }, continuation: continuation))
                if state.leading { return false }
                state.leading = true
                return true
            }
            if lead { continuation.resume(returning: .lead) }
        }
        let outcome: Result<any Sendable, any Error>
        switch wake {
        case .done(let result): outcome = result
        case .lead: outcome = await commitNextBatch()
        }
        guard let typed = try outcome.get() as? T else { preconditionFailure("group commit returned the wrong type, expected \(T.self)") }
        return typed
    }

    /// Commits the jobs waiting (the leader's own job first), answers the others, and hands the turn
    /// to the next waiting caller; returns the leader's own outcome.
    private func commitNextBatch() async -> Result<any Sendable, any Error> {
        let jobs = state.withLock { state in
            let batch = Array(state.queue.prefix(maximumBatch))
            state.queue.removeFirst(batch.count)
            return batch
        }
        let results: [Result<any Sendable, any Error>]
        do {
            results = try await writer.write { db in
                jobs.map { job in
                    var result: Result<any Sendable, any Error> = .failure(CancellationError())
                    do {
                        try db.inSavepoint {
                            result = .success(try job.work(db))
                            return .commit
                        }
                    } catch {
                        result = .failure(error)
                    }
                    return result
                }
            }
        } catch {
            results = jobs.map { _ in .failure(error) }
        }
        // The turn passes first, so the next batch's commit is queued on the executor ahead of the
        // callers answered below (under load, hundreds of them), and the writer does not sit idle.
        let next = state.withLock { state -> Job? in
            guard let first = state.queue.first else {
                state.leading = false
                return nil
            }
            return first
        }
        next?.continuation.resume(returning: .lead)
        for (job, result) in zip(jobs, results).dropFirst() {
            job.continuation.resume(returning: .done(result))
        }
        return results[0]
    }
}
