import Foundation
import Logging
import Notifications
import ServiceLifecycle
import Synchronization

/// Delivers the outbox: finds due deliveries, leases each, attempts it and records the outcome.
///
/// Deliveries run side by side in lanes, at most `emailLane` e-mails at once and `endpointLane`
/// posts per webhook endpoint, so a slow or dead endpoint holds only its own lane and never delays
/// e-mail or another endpoint. The loop wakes when a write rings `doorbell`, and at least every
/// `pollInterval`. On graceful shutdown it stops leasing and lets attempts in flight finish (each
/// has its own time-out). A crash leaves leases that expire after `lease`; the delivery is then
/// attempted again with the same `Message-ID` or `webhook-id`.
final class NotificationDispatcher: Service, Sendable {
    let store: any OrderStore
    let attempts: DeliveryAttempts
    let clock: @Sendable () -> Date
    let logger: Logger
    let doorbell = Doorbell()
    /// Order writes, counted by the store's change observer, for `pacing`.
    let writes = WriteRate()
    let pacing: DispatchPacing
    let pollInterval: Duration
    let lease: TimeInterval
    let emailLane: Int
    let endpointLane: Int
    private let inFlight = Mutex<(ids: Set<Int64>, lanes: [DeliveryLane: Int])>(([], [:]))

    init(
        store: any OrderStore, attempts: DeliveryAttempts, clock: @escaping @Sendable () -> Date, logger: Logger, pollInterval: Duration = .seconds(1),
        lease: TimeInterval = 120, emailLane: Int = 4, endpointLane: Int = 2, pacing: DispatchPacing = .standard
    ) {
        self.pacing = pacing
        self.store = store
        self.attempts = attempts
        self.clock = clock
        self.logger = logger
        self.pollInterval = pollInterval
        self.lease = lease
        self.emailLane = emailLane
        self.endpointLane = endpointLane
    }

    func run() async throws {
        let stopping = Mutex(false)
        try await attempts.withWebhookSender { sender in
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    while !stopping.withLock({ $0 }) && !Task.isCancelled {
                        do {
                            try await startDue(in: &group, sender: sender)
                        } catch {
                            logger.error("reading due deliveries failed", metadata: ["error": "\(error)"])
                        }
                        if pacing.isFlood(writesPerSecond: writes.perSecond) {
                            try? await Task.sleep(for: pacing.floodPause)  // a trickle: taking orders comes first
                        } else {
                            await doorbell.wait(upTo: pollInterval) { stopping.withLock { $0 } }
                        }
                    }
                }
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
            }
        }
    }

    /// Leases and starts due deliveries, as many per lane as the lane has room for: the e-mail lane,
    /// then each enabled webhook endpoint's.
    private func startDue(in group: inout DiscardingTaskGroup, sender: WebhookSender) async throws {
        let now = clock()
        let rate = writes.perSecond
        _ = try await store.fanOutEvents(now: now, limit: pacing.isFlood(writesPerSecond: rate) ? 10 : 500)
        var due: [DueDelivery] = []
        for lane in [DeliveryLane.email] + (try await store.webhookEndpoints().filter(\.enabled).map { .webhook($0.id) }) {
            let busy = inFlight.withLock { $0.lanes[lane, default: 0] }
            let room = pacing.room(capacity: lane == .email ? emailLane : endpointLane, inFlight: busy, writesPerSecond: rate)
            due += try await store.dueDeliveries(now: now, lane: lane, limit: room)
        }
        let candidates = inFlight.withLock { state in due.filter { !state.ids.contains($0.delivery.id) } }
        let claimed = try await store.claimDeliveries(ids: candidates.map(\.delivery.id), now: now, until: now.addingTimeInterval(lease))
        for due in candidates where claimed.contains(due.delivery.id) {
            let lane = DeliveryLane(due.delivery)
            inFlight.withLock { state in
                state.ids.insert(due.delivery.id)
                state.lanes[lane, default: 0] += 1
            }
            group.addTask { [self] in
                await deliver(due, sender: sender)
                release(due.delivery.id, lane: lane)
                doorbell.ring()  // the lane has room again
            }
        }
    }

    private func deliver(_ due: DueDelivery, sender: WebhookSender) async {
        let outcome = await attempts.attempt(due, webhooks: sender)
        var logger = logger
        logger[metadataKey: "delivery"] = "\(due.delivery.id)"
        logger[metadataKey: "event"] = "\(due.delivery.eventType.rawValue)"
        switch outcome {
        case .sent: logger.info("delivered", metadata: ["channel": "\(due.delivery.channel.rawValue)"])
        case .retry(let at, let error): logger.warning("delivery failed; will retry", metadata: ["error": "\(error)", "next": "\(at)"])
        case .failed(let error, _, _): logger.error("delivery gave up", metadata: ["error": "\(error)"])
        }
        do {
            try await store.finishDelivery(id: due.delivery.id, outcome: outcome, at: clock())
        } catch {
            logger.error("recording a delivery outcome failed; the lease will expire and it is tried again", metadata: ["error": "\(error)"])
        }
    }

    private func release(_ id: Int64, lane: DeliveryLane) {
        inFlight.withLock { state in
            state.ids.remove(id)
            state.lanes[lane, default: 1] -= 1
        }
    }

}

/// A wake-up call for a polling loop: `ring` makes the next (or current) `wait` return at once.
final class Doorbell: Sendable {
    private let rung = Mutex(false)

    /// Wakes the loop.
    func ring() { rung.withLock { $0 = true } }

    /// Returns when rung, when `stop` says so, or after `limit`, checking every 20 ms.
    func wait(upTo limit: Duration, stop: () -> Bool) async {
        let step = Duration.milliseconds(20)
        var waited = Duration.zero
        while waited < limit {
            if rung.withLock({
                let was = $0; $0 = false; return was
            }) || stop() {
                return
            }
            do { try await Task.sleep(for: step) } catch { return }
            waited += step
        }
    }
}
