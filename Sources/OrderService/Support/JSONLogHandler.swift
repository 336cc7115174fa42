import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line to standard error (for production log
/// collectors): `{"time","level","label","message", ...metadata}`.
public struct JSONLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    /// The minimum level written.
    public var logLevel: Logger.Level = .info
    /// Metadata added to every entry.
    public var metadata: Logger.Metadata = [:]

    private static let output = Mutex(())

    /// Creates a handler for a label.
    public init(label: String) {
        self.label = label
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one entry.
    public func log(event: LogEvent) {
        var object: [String: String] = [:]
        for (key, value) in metadata { object[key] = value.description }
        for (key, value) in event.metadata ?? [:] { object[key] = value.description }
        object["time"] = Timestamp.string(Date())
        object["level"] = event.level.rawValue
        object["label"] = label
        object["message"] = event.message.description
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(object) else { return }
        data.append(0x0A)
        Self.output.withLock { _ in FileHandle.standardError.write(data) }
    }
}
