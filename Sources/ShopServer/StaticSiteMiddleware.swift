import Foundation
import HTTPTypes
import Hummingbird
import StoreModel

/// Serves the built site from disk the way a CDN would: `index.html` for directories, the
/// `_headers` rules, the site's `404.html`. HTML pages get the live-reload script. Requests under
/// the API, sandbox and server prefixes go on to the router.
struct StaticSiteMiddleware<Context: RequestContext>: RouterMiddleware {
    let root: String
    let passThroughPrefixes: [String]
    let rebuilder: SiteRebuilder

    static var liveReloadTag: String { "<script src=\"\(ShopServerConfiguration.internalPrefix)/live.js\" defer></script>" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let passesThrough = passThroughPrefixes.contains { path == $0 || path.hasPrefix($0 + "/") }
        guard !passesThrough, request.method == .get || request.method == .head else {
            return try await next(request, context)
        }
        guard let relative = Self.relativeFile(forPath: path) else {
            return notFound(head: request.method == .head)
        }
        var isDirectory: ObjCBool = false
        let full = root + "/" + relative
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), isDirectory.boolValue {
            return Response(status: .movedPermanently, headers: [.location: path + "/" + (request.uri.query.map { "?" + $0 } ?? "")])
        }
        guard let data = FileManager.default.contents(atPath: full) else {
            return notFound(head: request.method == .head)
        }
        return respond(data: data, file: relative, sitePath: path, status: .ok, head: request.method == .head)
    }

    /// `/` → `index.html`, `/a/` → `a/index.html`, `/a.css` → `a.css`; `nil` for paths that try to
    /// leave the site or name the CDN's own files.
    static func relativeFile(forPath path: String) -> String? {
        guard let decoded = URLPath.decode(path), decoded.hasPrefix("/") else { return nil }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.contains(where: { $0 == ".." || $0 == "." || $0.contains("\0") }) { return nil }
        var relative = segments.joined(separator: "/")
        if relative.isEmpty || relative.hasSuffix("/") { relative += "index.html" }
        if relative == "_headers" || relative.hasPrefix(".") { return nil }
        return relative
    }

    private func notFound(head: Bool) -> Response {
        let page = FileManager.default.contents(atPath: root + "/404.html") ?? Data("Not found".utf8)
        return respond(data: page, file: "404.html", sitePath: "/404.html", status: .notFound, head: head)
    }

    private func respond(data: Data, file: String, sitePath: String, status: HTTPResponse.Status, head: Bool) -> Response {
        let type = Self.contentType(of: file)
        var body = data
        // The admin page reads live data from the API and would lose the owner's place on a reload.
        if type.hasPrefix("text/html"), !sitePath.hasPrefix("/admin/"), let html = String(data: data, encoding: .utf8), let end = html.range(of: "</head>") {
            body = Data((html[..<end.lowerBound] + Self.liveReloadTag + html[end.lowerBound...]).utf8)
        }
        var headers: HTTPFields = [.contentType: type, .contentLength: String(body.count)]
        for (name, value) in rebuilder.headers(forPath: sitePath) {
            guard let field = HTTPField.Name(name) else { continue }
            headers[field] = value
        }
        return Response(status: status, headers: headers, body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func contentType(of file: String) -> String {
        switch file.split(separator: ".").last.map({ $0.lowercased() }) ?? "" {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "json": "application/json"
        case "xml": "application/xml"
        case "txt": "text/plain; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "webp": "image/webp"
        case "gif": "image/gif"
        case "ico": "image/x-icon"
        case "woff2": "font/woff2"
        default: "application/octet-stream"
        }
    }
}
