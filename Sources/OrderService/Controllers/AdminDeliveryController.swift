import Foundation
import Hummingbird

/// `/admin/deliveries`: the delivery log of e-mails and webhooks, and a retry button.
struct AdminDeliveryController {
    let store: any OrderStore
    let clock: @Sendable () -> Date
    let doorbell: Doorbell

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("deliveries", use: list)
        group.post("deliveries/:id/retry", use: retry)
    }

    struct DeliveryJSON: Encodable {
        var id: Int64
        var eventId: String
        var eventType: String
        var channel: String
        var destination: String
        var status: String
        var attempts: Int
        @ExplicitNull var nextAttemptAt: String?
        @ExplicitNull var lastError: String?
        var createdAt: String
        @ExplicitNull var sentAt: String?
        @ExplicitNull var orderId: String?

        init(_ delivery: Delivery) {
            id = delivery.id
            eventId = delivery.eventID
            eventType = delivery.eventType.rawValue
            channel = delivery.channel.rawValue
            destination = delivery.destination
            status = delivery.status.rawValue
            attempts = delivery.attempts
            nextAttemptAt = delivery.nextAttemptAt.map(Timestamp.string)
            lastError = delivery.lastError
            createdAt = Timestamp.string(delivery.createdAt)
            sentAt = delivery.sentAt.map(Timestamp.string)
            orderId = delivery.orderID
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        struct Answer: Encodable {
            var deliveries: [DeliveryJSON]
            @ExplicitNull var nextCursor: String?
        }
        let parameters = request.uri.queryParameters
        var query = DeliveryQuery()
        var fields: [String: String] = [:]
        if let text = parameters.get("status"), !text.isEmpty {
            if let status = DeliveryStatus(rawValue: text) { query.status = status } else { fields["status"] = "must be pending, sent or failed" }
        }
        if let text = parameters.get("cursor"), !text.isEmpty {
            if let before = Int64(text), before > 0 { query.before = before } else { fields["cursor"] = "is not a cursor from a previous page" }
        }
        if let text = parameters.get("limit"), !text.isEmpty {
            if let limit = AdminPageLimit.parse(text) { query.limit = limit } else { fields["limit"] = AdminPageLimit.problem }
        }
        guard fields.isEmpty else { throw APIError.invalidRequest(fields) }
        let page = try await store.deliveries(query)
        return try JSONResponse.make(status: .ok, body: Answer(deliveries: page.deliveries.map(DeliveryJSON.init), nextCursor: page.next.map(String.init)))
    }

    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> Response {
        struct Answer: Encodable { var delivery: DeliveryJSON }
        guard let id = Int64(context.parameters.get("id") ?? ""), let delivery = try await store.retryDelivery(id: id, at: clock()) else {
            throw APIError.notFound("No delivery has this id.")
        }
        context.logger.notice("admin retried a delivery", metadata: ["actor": "\(context.adminActor ?? "admin")", "delivery": "\(id)"])
        doorbell.ring()
        return try JSONResponse.make(status: .accepted, body: Answer(delivery: DeliveryJSON(delivery)))
    }
}
