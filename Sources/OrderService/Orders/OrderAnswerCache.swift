import Foundation
import NIOCore
import Synchronization

/// The encoded `GET /order` answers of recently looked-up orders, by order id, with what a lookup
/// needs to check the shopper's contact and the order's expiry without the database.
///
/// Exactness rests on three rules:
/// - Every write through the store invalidates the ids it touched after its transaction ended and
///   before it returns (`OrderStore.observeOrderChanges`).
/// - A fill is announced (`beginFill`) before its database read and only lands when nothing
///   invalidated its id and no other store wrote to the database in between (`finishFill`), so
///   an answer read from a snapshot older than a committed change is never kept.
/// - A write by another store (`order-api reconcile` in another process, for example) is seen
///   through `OrderStore.foreignWrites` at every lookup and empties the whole cache.
/// - With several instances on one PostgreSQL database, an entry also keeps the order's version
///   read before its answer, and a lookup serves it only after checking that the version is
///   still current (`OrderVersionChecker`); other instances' changes also evict entries early.
///
/// Entries also expire after `maximumAge`, which bounds what a writer outside order-api (a manual
/// SQL edit) could leave stale. Size is bounded with two generations: entries are added to the
/// recent one; when it holds half the capacity it becomes the older one and the previous older
/// one is dropped; a hit in the older generation moves the entry back to the recent one.
final class OrderAnswerCache: Sendable {
    /// One cached answer.
    struct Entry: Sendable {
        /// The whole `{"order": …}` body, as sent.
        let body: ByteBuffer
        /// The contact a lookup must name.
        let contact: OrderContact
        /// The expiry deadline while the order is unpaid (`created`); `nil` when it cannot expire.
        let expiresAt: Date?
        /// When the order was read.
        let readAt: ContinuousClock.Instant
        /// The order's version read before the answer was (`InstanceCoordination.orderVersions`),
        /// when other instances share the database: the answer is served only while it is current.
        var version: Int64? = nil

        /// Whether the order is unpaid and past its deadline at `now` (the lookup then expires it).
        func isDue(at now: Date) -> Bool {
            expiresAt.map { $0 <= now } ?? false
        }
    }

    /// A fill in progress, from before its database read to `finishFill`.
    struct Ticket: Sendable {
        fileprivate let id: String
        fileprivate let number: UInt64
        fileprivate let foreignWrites: UInt64
    }

    private struct State {
        var recent: [String: Entry] = [:]
        var older: [String: Entry] = [:]
        /// Fills in progress by id: the ticket number allowed to land.
        var filling: [String: UInt64] = [:]
        var lastTicket: UInt64 = 0
        /// The other stores' write count the entries were read under.
        var foreignWrites: UInt64 = 0

        /// Empties the cache when other stores wrote since it was last checked.
        mutating func catchUp(foreignWrites count: UInt64) {
            guard count > foreignWrites else { return }
            foreignWrites = count
            recent = [:]
            older = [:]
            filling = [:]
        }

        mutating func remove(_ id: String) {
            recent[id] = nil
            older[id] = nil
            filling[id] = nil
        }
    }

    /// The most entries kept.
    let capacity: Int
    /// How long an entry is trusted at most.
    let maximumAge: Duration
    private let state = Mutex(State())

    /// An empty cache of at most `capacity` answers (0 keeps none), each trusted for `maximumAge`.
    init(capacity: Int, maximumAge: Duration = .seconds(10)) {
        self.capacity = max(0, capacity)
        self.maximumAge = maximumAge
    }

    /// The cached answer for `id`, if there is a fresh one. `foreignWrites` is the store's current
    /// `OrderStore.foreignWrites`.
    func entry(_ id: String, foreignWrites: UInt64, now: ContinuousClock.Instant = .now) -> Entry? {
        state.withLock { state in
            state.catchUp(foreignWrites: foreignWrites)
            if let entry = state.recent[id] {
                guard now - entry.readAt < maximumAge else {
                    state.recent[id] = nil
                    return nil
                }
                return entry
            }
            guard let entry = state.older.removeValue(forKey: id), now - entry.readAt < maximumAge else { return nil }
            Self.add(entry, for: id, to: &state, capacity: capacity)
            return entry
        }
    }

    /// Announces a fill of `id`; call before reading the order from the database.
    func beginFill(_ id: String, foreignWrites: UInt64) -> Ticket {
        state.withLock { state in
            state.catchUp(foreignWrites: foreignWrites)
            state.lastTicket &+= 1
            state.filling[id] = state.lastTicket
            return Ticket(id: id, number: state.lastTicket, foreignWrites: foreignWrites)
        }
    }

    /// Ends a fill: keeps `entry` unless its id was invalidated, another fill of it started, or
    /// another store wrote since `beginFill`. `nil` only withdraws the announcement.
    func finishFill(_ ticket: Ticket, with entry: Entry?, foreignWrites: UInt64) {
        state.withLock { state in
            state.catchUp(foreignWrites: foreignWrites)
            guard state.filling[ticket.id] == ticket.number else { return }
            state.filling[ticket.id] = nil
            guard let entry, ticket.foreignWrites == state.foreignWrites else { return }
            Self.add(entry, for: ticket.id, to: &state, capacity: capacity)
        }
    }

    /// Drops the answers of orders that changed, and voids their fills in progress.
    func invalidate(_ ids: [String]) {
        state.withLock { state in
            for id in ids { state.remove(id) }
        }
    }

    /// How many answers are cached.
    var count: Int {
        state.withLock { $0.recent.count + $0.older.count }
    }

    private static func add(_ entry: Entry, for id: String, to state: inout State, capacity: Int) {
        guard capacity > 0 else { return }
        if state.recent.count >= max(1, capacity / 2) {
            state.older = state.recent
            state.recent = [:]
            state.recent.reserveCapacity(max(1, capacity / 2))
        }
        state.older[id] = nil
        state.recent[id] = entry
    }
}

extension OrderAnswerCache.Entry {
    /// The answer to `GET /order` for `order` with its event log.
    init(order: Order, events: [OrderEvent], readAt: ContinuousClock.Instant = .now) {
        body = ByteBuffer(bytes: OrderJSON.StatusAnswer(order: .init(order, events: events)).jsonBytes)
        contact = OrderContact(order.customer)
        expiresAt = order.status == .created ? order.expiresAt : nil
        self.readAt = readAt
    }
}
