/// What API instances sharing one database tell each other (PostgreSQL: `LISTEN`/`NOTIFY`).
public protocol InstanceCoordination: Sendable {
    /// The change version of each of these orders that exists: it grows with every committed
    /// change of the order's row. A cached answer read at version v is current while the order is
    /// still at v; asking here after a change was acknowledged anywhere always sees it.
    func orderVersions(_ ids: [String]) async throws -> [String: Int64]

    /// Tells the other instances that this one is reloading its catalog, so they reload theirs.
    func announceCatalogChange(_ change: CatalogChange) async throws

    /// Calls `observer` when another instance announced a catalog change, or with `.all` after
    /// this instance could not hear announcements for a while (one may have been missed).
    func observeCatalogChanges(_ observer: @escaping @Sendable (CatalogChange) -> Void)

    /// Whether announcements from the other instances are being heard now.
    var isListening: Bool { get }
}

/// What changed in the shared content directory, as one instance tells the others.
public enum CatalogChange: Sendable, Hashable {
    /// Anything may have changed (a `SIGHUP`, a deploy): load the whole catalog.
    case all
    /// Only this product file changed (an admin edit), by its path in the content directory.
    case productFile(String)

    /// The change as a `NOTIFY` payload after the announcing instance's id: `id`, or `id` and the path on a second line.
    func payload(instance: String) -> String {
        switch self {
        case .all: instance
        case .productFile(let path): instance + "\n" + path
        }
    }

    /// Reads a payload: the announcing instance and the change; a payload of an older version is `.all`.
    static func parse(payload: String) -> (instance: String, change: CatalogChange) {
        guard let newline = payload.firstIndex(of: "\n") else { return (payload, .all) }
        let path = String(payload[payload.index(after: newline)...])
        return (String(payload[..<newline]), path.isEmpty ? .all : .productFile(path))
    }
}
