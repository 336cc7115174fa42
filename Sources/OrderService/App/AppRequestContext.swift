import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's core context plus the socket peer's address (for rate
/// limiting), the request id, and the admin actor once authenticated.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's core context.
    public var coreContext: CoreRequestContextStorage
    /// The connected peer; `nil` in router tests.
    public let remoteAddress: SocketAddress?
    /// The request id (from `X-Request-Id` when valid, otherwise generated).
    public var requestID: String = ""

    /// The request's logger, with the request id as `request_id` metadata once it is known.
    ///
    /// The id is added when the logger is asked for, not stored on every request: setting logger
    /// metadata copies the handler and re-renders its metadata, a cost most requests (which log
    /// nothing at the usual levels) need not pay.
    public var logger: Logger {
        get {
            guard !requestID.isEmpty else { return requestLogger }
            var logger = requestLogger
            logger[metadataKey: "request_id"] = .string(requestID)
            return logger
        }
        set { requestLogger = newValue }
    }

    /// The level of `logger`, without copying it.
    var logLevel: Logger.Level { requestLogger.logLevel }

    /// The logger Hummingbird made for the request, without the request id.
    private var requestLogger: Logger
    /// The admin actor (`admin:<token fingerprint>`) once the admin middleware accepted the token.
    public var adminActor: String?

    /// Creates the context for a request on a channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestLogger = source.logger
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are read by the controllers with per-route limits; this is the hard ceiling.
    public var maxUploadSize: Int { 1 << 20 }

    /// The peer's IP address as text, or `unknown`.
    public var peerAddress: String {
        guard let address = remoteAddress else { return "unknown" }
        return address.ipAddress ?? address.pathname ?? "unknown"
    }
}

extension Request {
    /// Reads the whole body up to `limit` bytes; a larger body is a 413. A body the HTTP parser
    /// cannot read (a bad chunk size, a connection closed before `Content-Length` bytes) is the
    /// client's fault: 400 `invalid_request`, never a 500.
    func collectBody(limit: Int, context: AppRequestContext) async throws -> ByteBuffer {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit { throw APIError.tooLarge(limit: limit) }
        do {
            return try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge(limit: limit)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            context.logger.notice("unreadable request body", metadata: ["error": "\(error)"])
            throw APIError(.badRequest, code: "invalid_request", message: "The request body is malformed or ended early.")
        }
    }
}
