import Foundation
import Hummingbird
import StoreModel

/// `POST /admin/catalog/reload`: reloads the content without dropping requests.
struct AdminCatalogController {
    let catalog: CatalogProvider

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("catalog/reload", use: reload)
    }

    struct Answer: Encodable {
        var catalogVersion: String
        var products: Int
    }

    @Sendable func reload(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let catalog = try await catalog.reload()
            context.logger.notice("admin reloaded the catalog", metadata: ["actor": "\(context.adminActor ?? "admin")", "version": "\(catalog.version)"])
            return try JSONResponse.make(status: .ok, body: Answer(catalogVersion: catalog.version, products: catalog.products.count))
        } catch let error as ContentError {
            var fields: [String: String] = [:]
            for issue in error.issues.prefix(100) {
                fields[issue.line > 0 ? "\(issue.file):\(issue.line)" : issue.file] = issue.field.map { "\($0): \(issue.message)" } ?? issue.message
            }
            throw APIError(.conflict, code: "content_invalid", message: "The content has errors; the previous catalog stays in use.", fields: fields)
        }
    }
}
