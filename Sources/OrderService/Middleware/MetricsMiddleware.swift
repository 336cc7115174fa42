import HTTPTypes
import Hummingbird

/// Counts requests and their latency by matched route (not raw path, to keep the label set small) and status.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let metrics: AppMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(
                route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: Int(response.status.code),
                duration: ContinuousClock.now - started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.request(
                route: context.endpointPath ?? "NotFound", method: request.method.rawValue, status: Int(status), duration: ContinuousClock.now - started)
            throw error
        }
    }
}
