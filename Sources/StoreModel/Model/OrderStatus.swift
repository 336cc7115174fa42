/// The life of an order. One table, `OrderStatus.transitions`, says which changes are allowed.
public enum OrderStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Placed: awaiting payment, or awaiting shipment when paying on arrival.
    case created
    /// The payment is confirmed.
    case paid
    /// Handed to the courier.
    case shipped
    /// Received by the shopper (for cash on delivery this also records the payment).
    case delivered
    /// Cancelled by the owner or the shopper before shipment.
    case cancelled
    /// Not paid in time; its stock was given back.
    case expired
    /// Money returned to the shopper.
    case refunded

    /// Who asks for a change.
    public enum Actor: String, Sendable, Hashable, Codable {
        /// The shop owner through the admin API.
        case admin
        /// A verified payment gateway notification.
        case gateway
        /// The service itself (expiry).
        case system
    }

    /// One allowed change.
    public struct Transition: Sendable, Hashable {
        /// The state before.
        public var from: OrderStatus
        /// The state after.
        public var to: OrderStatus
        /// Who may make it.
        public var actors: Set<Actor>
        /// The payment methods it applies to; empty means all.
        public var methods: Set<PaymentMethod>
    }

    /// Every allowed change. Anything not listed is refused.
    public static let transitions: [Transition] = [
        .init(from: .created, to: .paid, actors: [.gateway, .admin], methods: []),
        .init(from: .created, to: .shipped, actors: [.admin], methods: [.cashOnDelivery]),
        .init(from: .created, to: .cancelled, actors: [.admin], methods: []),
        .init(from: .created, to: .expired, actors: [.system, .gateway], methods: [.creditCard, .atm, .stripe]),
        .init(from: .paid, to: .shipped, actors: [.admin], methods: []),
        .init(from: .paid, to: .refunded, actors: [.admin], methods: []),
        .init(from: .shipped, to: .delivered, actors: [.admin], methods: []),
        .init(from: .shipped, to: .refunded, actors: [.admin], methods: []),
        .init(from: .delivered, to: .refunded, actors: [.admin], methods: []),
        // A late payment is recorded and flagged; the owner decides to honour it.
        .init(from: .expired, to: .paid, actors: [.admin], methods: []),
    ]

    /// Whether `actor` may move an order paid by `method` from this state to `target`.
    public func canMove(to target: OrderStatus, by actor: Actor, method: PaymentMethod) -> Bool {
        Self.transitions.contains {
            $0.from == self && $0.to == target && $0.actors.contains(actor) && ($0.methods.isEmpty || $0.methods.contains(method))
        }
    }

    /// The states reachable from this one for an order paid by `method`.
    public func nextStates(by actor: Actor, method: PaymentMethod) -> [OrderStatus] {
        Self.transitions.filter {
            $0.from == self && $0.actors.contains(actor) && ($0.methods.isEmpty || $0.methods.contains(method))
        }.map(\.to)
    }

    /// Whether the order still holds reserved stock that must go back if it ends unpaid.
    public var holdsReservation: Bool { self == .created }

    /// Whether the state counts the order's stock as sold.
    public var countsAsSold: Bool { [.paid, .shipped, .delivered].contains(self) }

    /// Whether no further change is expected.
    public var isFinal: Bool { [.delivered, .cancelled, .refunded].contains(self) }
}
