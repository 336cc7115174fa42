import Foundation
import Hummingbird

/// `GET /healthz`, `GET /readyz`, `GET /metrics` and `GET /openapi.yaml`.
struct HealthController {
    let store: any OrderStore
    let catalog: CatalogProvider
    let metrics: AppMetrics
    let openAPIDocument: Data
    let connections: ConnectionCounter

    func addRoutes(to router: RouterGroup<AppRequestContext>) {
        router.get("healthz", use: health)
        router.get("readyz", use: ready)
        router.get("metrics", use: scrape)
        router.get("openapi.yaml", use: openAPI)
    }

    struct Health: Encodable {
        var status: String
        var catalogVersion: String?
    }

    /// `{"status":"ok"}`, encoded once: the probe is asked often and never changes.
    static let healthBody = ByteBuffer(bytes: (try? JSONResponse.data(Health(status: "ok"))) ?? Data(#"{"status":"ok"}"#.utf8))

    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        JSONResponse.make(status: .ok, buffer: Self.healthBody)
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            try await store.ping()
        } catch {
            context.logger.error("readiness: database unreachable", metadata: ["error": "\(error)"])
            throw APIError(.serviceUnavailable, code: "not_ready", message: "The database is not reachable.")
        }
        let catalog = catalog.current
        return try JSONResponse.make(status: .ok, body: Health(status: "ready", catalogVersion: catalog.version))
    }

    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        metrics.update(try await store.statistics())
        if let postgres = store as? PostgresOrderStore {
            metrics.updateDatabase(retriedTransactions: postgres.retriedTransactions, hearingOtherInstances: postgres.isListening)
        }
        metrics.updateConnections(connections.snapshot)
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    @Sendable func openAPI(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
    }
}
