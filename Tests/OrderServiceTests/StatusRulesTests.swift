import Foundation
import StoreModel
import Testing

@testable import OrderService

/// `StatusRules` and the payment fields of `PaymentRules` decisions, decided on values alone (no database).
@Suite("Status rules", .timeLimit(.minutes(2)))
struct StatusRulesTests {
    static let twd = Currency(code: "TWD")!

    /// A created order of two lines of SKU `B` (1 + 2 units) and one of `A` (4 units).
    static func order(_ method: PaymentMethod, status: OrderStatus = .created, paymentState: PaymentState? = nil) -> Order {
        let unit = Money(minorUnits: 100, currency: twd)
        let lines = [("B", 1), ("A", 4), ("B", 2)].map { PricedLine(sku: $0.0, title: $0.0, quantity: $0.1, unitPrice: unit, lineTotal: unit * $0.1) }
        let cart = PricedCart(lines: lines, subtotal: unit * 7, shipping: .zero(twd), total: unit * 7, catalogVersion: "v")
        var order = NewOrder(
            id: "o1", paymentMethod: method, cart: cart, customer: Customer(name: "n", email: "e@example.com", phone: "0912345678"),
            shippingAddress: ShippingAddress(postalCode: "", city: "c", address: "a"), note: "", createdAt: Date(millis: 1_000), expiresAt: nil
        ).order
        order.status = status
        if let paymentState { order.paymentState = paymentState }
        return order
    }

    static func change(_ to: OrderStatus, _ role: OrderStatus.Actor, tracking: String? = nil, expectedFrom: OrderStatus? = nil) -> StatusChange {
        StatusChange(orderID: "o1", to: to, role: role, actor: "test", trackingNumber: tracking, at: Date(millis: 5_000), expectedFrom: expectedFrom)
    }

    @Test("a new order reserves its units from the available stock, one move per SKU in SKU order")
    func reservation() {
        let moves = StatusRules.reservation(of: Self.order(.creditCard))
        #expect(
            moves == [
                .init(sku: "A", quantity: 4, from: .released, to: .reserved),
                .init(sku: "B", quantity: 3, from: .released, to: .reserved),
            ])
        #expect(moves.allSatisfy { $0.needsAvailableStock })
    }

    @Test("paying moves reserved units to sold and records the payment")
    func paid() throws {
        let decision = try StatusRules.decide(order: Self.order(.creditCard), change: Self.change(.paid, .gateway))
        #expect(decision.stockMoves.map(\.sku) == ["A", "B"])
        #expect(decision.stockMoves.allSatisfy { $0.from == .reserved && $0.to == .sold && !$0.needsAvailableStock })
        #expect(decision.order.status == .paid)
        #expect(decision.order.paymentState == .paid)
        #expect(decision.order.updatedAt == Date(millis: 5_000))
    }

    @Test("expiry gives the units back; shipping keeps them sold and records the tracking number")
    func expiryAndShipping() throws {
        let expired = try StatusRules.decide(order: Self.order(.atm), change: Self.change(.expired, .system))
        #expect(expired.stockMoves.allSatisfy { $0.from == .reserved && $0.to == .released })
        #expect(expired.order.paymentState == .pending)
        let shipped = try StatusRules.decide(order: Self.order(.atm, status: .paid, paymentState: .paid), change: Self.change(.shipped, .admin, tracking: "T1"))
        #expect(shipped.stockMoves.isEmpty)
        #expect(shipped.order.trackingNumber == "T1")
    }

    @Test("honouring a late payment takes units from the available stock again and keeps the state late")
    func latePayment() throws {
        let order = Self.order(.creditCard, status: .expired, paymentState: .late)
        let decision = try StatusRules.decide(order: order, change: Self.change(.paid, .admin))
        #expect(decision.stockMoves.allSatisfy { $0.from == .released && $0.to == .sold && $0.needsAvailableStock })
        #expect(decision.order.paymentState == .late)
    }

    @Test("cash on delivery is paid when delivered")
    func cashOnDelivery() throws {
        let order = Self.order(.cashOnDelivery, status: .shipped)
        let decision = try StatusRules.decide(order: order, change: Self.change(.delivered, .admin))
        #expect(decision.stockMoves.isEmpty)
        #expect(decision.order.paymentState == .paid)
    }

    @Test("changes the table does not allow, or from another state than expected, are refused")
    func refused() {
        #expect(throws: StoreError.illegalTransition(from: .created, to: .shipped)) {
            try StatusRules.decide(order: Self.order(.creditCard), change: Self.change(.shipped, .admin))
        }
        #expect(throws: StoreError.illegalTransition(from: .created, to: .paid)) {
            try StatusRules.decide(order: Self.order(.creditCard), change: Self.change(.paid, .admin, expectedFrom: .expired))
        }
        #expect(throws: StoreError.illegalTransition(from: .paid, to: .expired)) {
            try StatusRules.decide(order: Self.order(.creditCard, status: .paid), change: Self.change(.expired, .system))
        }
    }

    @Test("a payment decision records its fields on the order and adds a review reason to an earlier one")
    func paymentFields() {
        var order = Self.order(.creditCard, status: .paid, paymentState: .paid)
        order.reviewReason = "first"
        let atm = ATMInstructions(bankCode: "004", vAccount: "123", expireDate: "2026/12/31")
        let decision = PaymentRules.Decision(
            outcome: .flagged, paymentState: .late, instructions: atm, paidReference: "R2", review: "second", reason: "test")
        let after = decision.recorded(on: order, at: Date(millis: 9_000))
        #expect(decision.changesPayment)
        #expect(after.paymentState == .late)
        #expect(after.paymentInstructions == PaymentInstructions(atm: atm))
        #expect(after.paymentReference == "R2")
        #expect(after.needsReview)
        #expect(after.reviewReason == "first; second")
        #expect(after.updatedAt == Date(millis: 9_000))
        let nothing = PaymentRules.Decision.nothing(.duplicate, "already paid")
        #expect(!nothing.changesPayment)
        #expect(nothing.recorded(on: order, at: order.updatedAt) == order)
    }
}
