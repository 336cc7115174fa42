import Foundation
import Hummingbird
import StoreModel

/// `GET` and `PUT /admin/site-status`: the shop's open/closed switch and banner.
struct AdminSiteStatusController {
    let siteStatus: SiteStatusProvider
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("site-status", use: show)
        group.put("site-status", use: replace)
    }

    struct Answer: Encodable {
        var status: String
        var message: String
        var announcement: String

        init(_ status: SiteStatus) {
            self.status = status.status.rawValue
            self.message = status.message
            self.announcement = status.announcement
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONResponse.make(status: .ok, body: Answer(siteStatus.current))
    }

    @Sendable func replace(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.collectBody(limit: bodyLimit, context: context)
        guard let text = String(data: Data(buffer: body), encoding: .utf8) else { throw APIError.invalidJSON("The body is not UTF-8 text.") }
        let status: SiteStatus
        do {
            status = try SiteStatus.parse(text, file: "site-status.json")
        } catch {
            if error.issues.contains(where: { $0.field == nil && $0.message.hasPrefix("invalid JSON") }) { throw APIError.invalidJSON() }
            var fields: [String: String] = [:]
            for issue in error.issues { fields[issue.field ?? ""] = issue.message }
            throw APIError.invalidRequest(fields)
        }
        try await siteStatus.update(status)
        context.logger.notice("admin changed site status", metadata: ["actor": "\(context.adminActor ?? "admin")", "status": "\(status.status.rawValue)"])
        return try JSONResponse.make(status: .ok, body: Answer(status))
    }
}
