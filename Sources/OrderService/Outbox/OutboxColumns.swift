import Foundation
import StoreModel

// How outbox values are stored in columns, the same in every store: times as milliseconds since
// 1970, enums as their raw values, an endpoint's subscribed events as a JSON array of names.

extension Delivery {
    /// A delivery from its stored columns (joined with its event's id and type); throws
    /// `StoreError.corruptRow` when a name is unknown. `nextAttemptAt` is kept only while pending.
    static func stored(
        id: Int64, eventID: String, eventType: String, orderID: String?, channel: String, destination: String, template: String?, status: String,
        attempts: Int, nextAttemptAtMillis: Int64, lastError: String?, createdAtMillis: Int64, sentAtMillis: Int64?
    ) throws -> Delivery {
        guard let type = NotificationEventType(rawValue: eventType), let channel = DeliveryChannel(rawValue: channel),
            let status = DeliveryStatus(rawValue: status)
        else { throw StoreError.corruptRow("deliveries \(id)") }
        return Delivery(
            id: id, eventID: eventID, eventType: type, orderID: orderID, channel: channel, destination: destination, template: template, status: status,
            attempts: attempts, nextAttemptAt: status == .pending ? Date(millis: nextAttemptAtMillis) : nil, lastError: lastError,
            createdAt: Date(millis: createdAtMillis), sentAt: sentAtMillis.map(Date.init(millis:)))
    }
}

extension WebhookEndpoint {
    /// An endpoint from its stored columns; unknown event names in `events` are dropped.
    static func stored(
        id: String, url: String, events: String?, secret: String, enabled: Bool, disabledReason: String?, createdAtMillis: Int64
    ) -> WebhookEndpoint {
        let names = events.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
        return WebhookEndpoint(
            id: id, url: url, events: names?.compactMap(NotificationEventType.init(rawValue:)), secret: secret, enabled: enabled,
            disabledReason: disabledReason, createdAt: Date(millis: createdAtMillis))
    }

    /// The `events` column: a JSON array of names, `nil` for all events.
    func eventsColumn() throws -> String? {
        try events.map { String(decoding: try JSONEncoder().encode($0.map(\.rawValue)), as: UTF8.self) }
    }
}

extension DeliveryQuery {
    /// The page size actually used: 1 to 200.
    var pageSize: Int { max(1, min(limit, 200)) }

    /// The page of `rows` (read with a limit of `pageSize + 1`, newest first) and the cursor of the
    /// next page, `nil` when this is the last.
    func page(_ rows: [Delivery]) -> (deliveries: [Delivery], next: Int64?) {
        let page = Array(rows.prefix(pageSize))
        return (page, rows.count > pageSize ? page.last?.id : nil)
    }
}
