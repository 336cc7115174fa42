import Logging
import ServiceLifecycle

/// Runs the sandbox's notification resends as child tasks of one service.
///
/// Work scheduled before the service runs waits for it; when the service's task is cancelled or
/// the service group shuts down gracefully, every pending resend is cancelled and the service
/// returns, and work scheduled after that is dropped. Nothing it runs outlives it.
public final class ResendService: Service, Sendable {
    private let work: AsyncStream<@Sendable () async -> Void>
    private let intake: AsyncStream<@Sendable () async -> Void>.Continuation

    /// Creates an idle service.
    public init() {
        (work, intake) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
    }

    /// Hands `job` to the running service (or to the service once it runs).
    func schedule(_ job: @escaping @Sendable () async -> Void) {
        intake.yield(job)
    }

    /// Runs scheduled jobs until graceful shutdown or cancellation, then cancels the ones left.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await job in self.work {
                    group.addTask { await job() }
                }
                group.cancelAll()
            }
        }
        intake.finish()
    }
}
