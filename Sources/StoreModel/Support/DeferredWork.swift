/// Work a caller hands off so that it can return sooner, run later by whoever owns the queue.
///
/// The owner runs ``run()`` inside its own lifetime (the order API runs it as a service), so a
/// deferred job never outlives the thing that scheduled it: ``finish()`` lets the jobs already
/// scheduled run and then ends ``run()``; cancelling the task that runs it ends it at once.
public final class DeferredWork: Sendable {
    private let jobs: AsyncStream<@Sendable () -> Void>
    private let intake: AsyncStream<@Sendable () -> Void>.Continuation

    /// Creates an empty queue.
    public init() {
        (jobs, intake) = AsyncStream.makeStream(of: (@Sendable () -> Void).self)
    }

    /// Queues `job`; after ``finish()`` it is dropped.
    public func schedule(_ job: @escaping @Sendable () -> Void) {
        intake.yield(job)
    }

    /// Runs the queued jobs one at a time, in order, until ``finish()`` or cancellation.
    /// Call it from one task only.
    public func run() async {
        for await job in jobs {
            job()
        }
    }

    /// Takes no more jobs; ``run()`` returns after the ones already queued.
    public func finish() {
        intake.finish()
    }
}
