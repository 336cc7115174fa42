import Foundation
import Logging
import StoreModel

/// One named stage of the build, in the manner of Publish's `PublishingStep`.
struct BuildStep: Sendable {
    let name: String
    let body: @Sendable (inout BuildContext) async throws -> Void

    init(_ name: String, _ body: @escaping @Sendable (inout BuildContext) async throws -> Void) {
        self.name = name
        self.body = body
    }
}
