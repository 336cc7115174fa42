/// What API instances sharing one database tell each other (PostgreSQL: `LISTEN`/`NOTIFY`).
public protocol InstanceCoordination: Sendable {
    /// The change version of each of these orders that exists: it grows with every committed
    /// change of the order's row. A cached answer read at version v is current while the order is
    /// still at v; asking here after a change was acknowledged anywhere always sees it.
    func orderVersions(_ ids: [String]) async throws -> [String: Int64]

    /// Tells the other instances that this one reloaded its catalog, so they reload theirs.
    func announceCatalogChange() async throws

    /// Calls `observer` when another instance announced a catalog change, or after this instance
    /// could not hear announcements for a while (one may have been missed).
    func observeCatalogChanges(_ observer: @escaping @Sendable () -> Void)

    /// Whether announcements from the other instances are being heard now.
    var isListening: Bool { get }
}
