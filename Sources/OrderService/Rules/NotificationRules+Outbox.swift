import Foundation
import StoreModel

/// What the outbox does around a delivery beyond storing it: fanning out, giving up, deleting an endpoint, the
/// admin's test message. Shared by every store, which only runs the SQL these answers call for.
extension NotificationRules {
    /// What else happens when a delivery gives up (`DeliveryOutcome.failed`).
    struct GivingUp: Sendable, Hashable {
        /// A webhook endpoint turned off, and why.
        struct Disabled: Sendable, Hashable {
            /// The endpoint's id.
            var endpointID: String
            /// Kept as its `disabled_reason`.
            var reason: String
            /// Why its other pending deliveries fail.
            var orphanedReason: String
        }

        /// The endpoint to turn off, if any.
        var disable: Disabled?
        /// The owner's `delivery.failed` alert, when the owner hears of it.
        var ownerAlert: EventData?
    }

    /// The effects of `delivery` (as stored after the failed attempt) giving up with `error`: only a
    /// webhook endpoint can be turned off, and a `delivery.failed` alert never alerts about itself.
    static func givingUp(_ delivery: Delivery, error: String, disableEndpoint: Bool, alertOwner: Bool) -> GivingUp {
        var effects = GivingUp()
        if disableEndpoint, delivery.channel == .webhook {
            effects.disable = GivingUp.Disabled(
                endpointID: delivery.destination, reason: error, orphanedReason: "the endpoint was turned off: \(error)")
        }
        if alertOwner, delivery.eventType != .deliveryFailed {
            effects.ownerAlert = EventData(
                delivery: FailedDeliveryData(
                    deliveryId: delivery.id, eventId: delivery.eventID, eventType: delivery.eventType.rawValue, channel: delivery.channel.rawValue,
                    destination: delivery.destination, attempts: delivery.attempts, lastError: error))
        }
        return effects
    }

    /// Why a deleted endpoint's pending deliveries fail.
    static let deletedEndpointReason = "the endpoint was deleted"

    /// The body of the admin's `webhook.test` message.
    static let testMessage = EventData(message: "A test message from the shop's admin page.")

    /// The destinations of an event delivered at once: the one endpoint of a test message
    /// (`onlyEndpoint`), else everyone `destinations` names.
    static func immediateDestinations(
        of type: NotificationEventType, onlyEndpoint: WebhookEndpoint?, shopper: Order?, routing: NotificationRouting, endpoints: [WebhookEndpoint]
    ) -> [Destination] {
        if let onlyEndpoint { return [Destination(channel: .webhook, destination: onlyEndpoint.id, template: nil)] }
        return destinations(
            of: type, shopperEmail: shopper?.customer.email, paymentMethod: shopper?.paymentMethod, routing: routing, endpoints: endpoints)
    }

    /// The destinations of a recorded event, from its stored columns, when it is fanned out: none
    /// for a type this version does not know (the event is still marked as fanned out).
    static func destinations(
        ofStored type: String, shopperEmail: String?, paymentMethod: String?, routing: NotificationRouting, endpoints: [WebhookEndpoint]
    ) -> [Destination] {
        guard let type = NotificationEventType(rawValue: type) else { return [] }
        return destinations(
            of: type, shopperEmail: shopperEmail, paymentMethod: paymentMethod.flatMap(PaymentMethod.init(rawValue:)), routing: routing,
            endpoints: endpoints)
    }
}
