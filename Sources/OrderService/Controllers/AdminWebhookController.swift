import Foundation
import Hummingbird
import Notifications

/// `/admin/webhooks`: the owner's webhook endpoints (Standard Webhooks). The signing secret is
/// shown once, in the answer that creates the endpoint.
struct AdminWebhookController {
    let store: any OrderStore
    let policy: WebhookURLPolicy
    let bodyLimit: Int
    let clock: @Sendable () -> Date
    let doorbell: Doorbell

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("webhooks", use: create)
        group.get("webhooks", use: list)
        group.delete("webhooks/:id", use: delete)
        group.post("webhooks/:id/test", use: test)
    }

    struct EndpointJSON: Encodable {
        var id: String
        var url: String
        @ExplicitNull var events: [String]?
        var enabled: Bool
        @ExplicitNull var disabledReason: String?
        var createdAt: String

        init(_ endpoint: WebhookEndpoint) {
            id = endpoint.id
            url = endpoint.url
            events = endpoint.events?.map(\.rawValue)
            enabled = endpoint.enabled
            disabledReason = endpoint.disabledReason
            createdAt = Timestamp.string(endpoint.createdAt)
        }
    }

    struct CreatedJSON: Encodable {
        var id: String
        var url: String
        @ExplicitNull var events: [String]?
        var secret: String
        var createdAt: String
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.collectBody(limit: bodyLimit, context: context)
        let root = try JSONValue.parse(Data(buffer: body))
        guard root.isObject else { throw APIError.invalidRequest(["": "the body must be a JSON object"]) }
        var fields: [String: String] = [:]
        var url: URL?
        if case .string(let text) = root["url"] {
            do {
                let checked = try policy.check(text)
                try await policy.checkResolved(checked)
                url = checked
            } catch {
                fields[error.field] = error.description
            }
        } else {
            fields["url"] = "is required: the https:// URL to post events to"
        }
        let events = Self.events(root["events"], problems: &fields)
        guard fields.isEmpty, let url else { throw APIError.invalidRequest(fields) }
        let endpoint = WebhookEndpoint(
            id: RandomID.make(prefix: "we_", length: 20), url: url.absoluteString, events: events,
            secret: WebhookSecret.generate().encoded, enabled: true, disabledReason: nil, createdAt: clock())
        try await store.addWebhookEndpoint(endpoint)
        context.logger.notice("admin added a webhook endpoint", metadata: ["actor": "\(context.adminActor ?? "admin")", "endpoint": "\(endpoint.id)"])
        return try JSONResponse.make(
            status: .created,
            body: CreatedJSON(
                id: endpoint.id, url: endpoint.url, events: events?.map(\.rawValue), secret: endpoint.secret,
                createdAt: Timestamp.string(endpoint.createdAt)))
    }

    /// `events`: absent or `null` for every event, else a non-empty list of known event types.
    static func events(_ value: JSONValue?, problems: inout [String: String]) -> [NotificationEventType]? {
        guard let value, value != .null else { return nil }
        let known = NotificationEventType.subscribable.map(\.rawValue).joined(separator: ", ")
        guard case .array(let items) = value, !items.isEmpty else {
            problems["events"] = "must be a non-empty list of event types (\(known)), or left out for all of them"
            return nil
        }
        var types: [NotificationEventType] = []
        for item in items {
            guard case .string(let name) = item, let type = NotificationEventType(rawValue: name), NotificationEventType.subscribable.contains(type) else {
                problems["events"] = "\(item) is not one of \(known)"
                return nil
            }
            if !types.contains(type) { types.append(type) }
        }
        return types
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        struct Answer: Encodable { var webhooks: [EndpointJSON] }
        return try JSONResponse.make(status: .ok, body: Answer(webhooks: try await store.webhookEndpoints().map(EndpointJSON.init)))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard try await store.deleteWebhookEndpoint(id: id, at: clock()) else { throw APIError.notFound("No webhook endpoint has this id.") }
        context.logger.notice("admin deleted a webhook endpoint", metadata: ["actor": "\(context.adminActor ?? "admin")", "endpoint": "\(id)"])
        return Response(status: .noContent)
    }

    @Sendable func test(_ request: Request, context: AppRequestContext) async throws -> Response {
        struct Answer: Encodable { var deliveryId: Int64 }
        let id = context.parameters.get("id") ?? ""
        guard let delivery = try await store.enqueueWebhookTest(endpointID: id, at: clock()) else {
            throw APIError.notFound("No webhook endpoint has this id.")
        }
        doorbell.ring()
        return try JSONResponse.make(status: .accepted, body: Answer(deliveryId: delivery))
    }
}
