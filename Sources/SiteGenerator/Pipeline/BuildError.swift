import Foundation
import Logging
import StoreModel

/// Why a build stopped.
public enum BuildError: Error, CustomStringConvertible {
    /// The content is invalid; each problem names its file, line and field.
    case invalidContent(ContentError)
    /// The theme cannot be used.
    case theme(String)
    /// A step ran before the step it depends on (a programming error).
    case stepOrder(String)
    /// A file could not be read or written.
    case io(String)

    public var description: String {
        switch self {
        case .invalidContent(let error): "invalid content:\n\(error.description)"
        case .theme(let message): "theme: \(message)"
        case .stepOrder(let what): "internal: \(what) was not ready"
        case .io(let message): message
        }
    }
}
