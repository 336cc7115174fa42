import AsyncHTTPClient
import Foundation
import Logging
import Notifications
import StoreModel

/// One attempt at one delivery, by e-mail or webhook, turned into a `DeliveryOutcome`.
struct DeliveryAttempts: Sendable {
    /// E-mail, when an SMTP server is configured.
    struct Mail: Sendable {
        let client: SMTPClient
        let composer: EmailComposer
    }

    let mail: Mail?
    let webhookPolicy: WebhookURLPolicy
    let webhookTimeout: Duration
    let catalog: CatalogProvider
    let store: any OrderStore
    let clock: @Sendable () -> Date
    let logger: Logger

    /// Runs `body` with a webhook sender whose HTTP client (redirects off) lives exactly as long.
    func withWebhookSender<T: Sendable>(_ body: (WebhookSender) async throws -> T) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: WebhookSender.clientConfiguration())
        let result: T
        do {
            result = try await body(WebhookSender(httpClient: client, policy: webhookPolicy, timeout: webhookTimeout, logger: logger))
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return result
    }

    func attempt(_ due: DueDelivery, webhooks: WebhookSender) async -> DeliveryOutcome {
        switch due.delivery.channel {
        case .email: await email(due)
        case .webhook: await webhook(due, sender: webhooks)
        }
    }

    private func email(_ due: DueDelivery) async -> DeliveryOutcome {
        guard let mail else { return .failed(error: "e-mail is off (no SMTP_URL)", disableEndpoint: false, alertOwner: false) }
        let message: MailMessage
        do {
            message = try mail.composer.message(for: due, store: catalog.current.store)
        } catch {
            return retry(due, error: "cannot compose the e-mail: \(error)", schedule: .email)
        }
        do {
            try await mail.client.send(message)
            return .sent
        } catch {
            if error.isPermanent {
                let isOwnerAlert = due.delivery.eventType == .deliveryFailed
                return .failed(error: error.description, disableEndpoint: false, alertOwner: !isOwnerAlert)
            }
            return retry(due, error: error.description, schedule: .email)
        }
    }

    private func webhook(_ due: DueDelivery, sender webhooks: WebhookSender) async -> DeliveryOutcome {
        let endpoint: WebhookEndpoint?
        do {
            endpoint = try await store.webhookEndpoint(id: due.delivery.destination)
        } catch {
            return retry(due, error: "cannot read the endpoint: \(error)", schedule: .webhooks)
        }
        guard let endpoint, endpoint.enabled else {
            return .failed(error: "the endpoint was deleted or turned off", disableEndpoint: false, alertOwner: false)
        }
        guard let url = URL(string: endpoint.url), let secret = try? WebhookSecret(encoded: endpoint.secret) else {
            return .failed(error: "the endpoint's URL or secret is unusable", disableEndpoint: true, alertOwner: true)
        }
        let request = WebhookRequest(
            url: url, id: due.delivery.eventID, timestamp: Int64(clock().timeIntervalSince1970), body: [UInt8](due.payload), secret: secret)
        switch await webhooks.deliver(request) {
        case .delivered:
            return .sent
        case .retry(let reason, let retryAfter):
            return retry(due, error: reason, retryAfter: retryAfter, schedule: .webhooks)
        case .gone(let reason):
            return .failed(error: "410 Gone: \(reason); the endpoint is turned off", disableEndpoint: true, alertOwner: true)
        case .refused(let reason):
            return retry(due, error: reason, schedule: .webhooks)
        }
    }

    private func retry(_ due: DueDelivery, error: String, retryAfter: Duration? = nil, schedule: RetrySchedule) -> DeliveryOutcome {
        var random = SystemRandomNumberGenerator()
        return NotificationRules.afterFailure(
            attempts: due.delivery.attempts + 1, error: error, retryAfter: retryAfter, schedule: schedule, now: clock(), using: &random)
    }
}
