/// Whether the shop takes orders, and what it tells shoppers. Stored as `site-status.json`.
public struct SiteStatus: Sendable, Hashable, Codable {
    /// Open or closed.
    public enum State: String, Sendable, Hashable, Codable {
        /// Taking orders.
        case open
        /// Not taking orders; `message` says why.
        case closed
    }

    /// Open or closed.
    public var status: State
    /// Shown to shoppers while closed.
    public var message: String
    /// A banner shown on every page when not empty.
    public var announcement: String

    /// The longest message or announcement accepted.
    public static let maximumTextLength = 1_000

    /// Creates a status.
    public init(status: State, message: String = "", announcement: String = "") {
        self.status = status
        self.message = message
        self.announcement = announcement
    }

    /// Reads and validates a `site-status.json` document; problems name the field and line.
    public static func parse(_ text: String, file: String = "site-status.json") throws(ContentError) -> SiteStatus {
        let root: ContentValue
        do {
            root = try ContentJSON.parse(text)
        } catch {
            throw ContentError(issues: [ContentIssue(file: file, line: error.line, field: nil, message: error.message)])
        }
        guard case .map(let members) = root.kind else {
            throw ContentError(issues: [ContentIssue(file: file, line: root.line, field: nil, message: "must be a JSON object")])
        }
        var reader = FieldReader(
            file: file, fields: members.map { ContentField(key: $0.key, value: $0.value, line: $0.value.line) },
            known: ["status", "message", "announcement"], fallbackLine: root.line)
        let statusText = reader.string("status", required: true)
        let message = reader.string("message", maxLength: maximumTextLength) ?? ""
        let announcement = reader.string("announcement", maxLength: maximumTextLength) ?? ""
        var state: State? = nil
        if let statusText {
            state = State(rawValue: statusText)
            if state == nil { reader.issue(reader.line(of: "status"), "status", "must be \"open\" or \"closed\"") }
        }
        guard let state, reader.issues.isEmpty else { throw ContentError(issues: reader.issues) }
        return SiteStatus(status: state, message: message, announcement: announcement)
    }
}
