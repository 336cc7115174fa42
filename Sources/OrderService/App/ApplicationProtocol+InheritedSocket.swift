import Hummingbird
import HummingbirdCore
import Logging
import NIOHTTP1
import ServiceLifecycle

extension ApplicationProtocol {
    /// Runs the application until `SIGTERM` or `SIGINT`, as `runService()` does, but on `socket`
    /// when one was passed in (`InheritedSocket.take()`), with HTTP/1 configured by `http1`.
    /// Without a socket it is `runService()`: the application binds its own address.
    ///
    /// Hummingbird binds only an address it is given, so this answers requests as its
    /// `Application.run` does: a request id in the logger, a 500 for an unexpected error, and the
    /// `Date` and `Server` headers.
    public func runService(on socket: InheritedSocket?, http1: HTTP1Channel.Configuration) async throws {
        guard let socket else {
            try await runService()
            return
        }
        let group = ServiceGroup(
            configuration: .init(services: try await services(on: socket, http1: http1), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The application's services and, last, its server on `socket`: what `runService(on:http1:)`
    /// runs. The server is last so that it is the first to stop.
    func services(on socket: InheritedSocket, http1: HTTP1Channel.Configuration) async throws -> [any Service] {
        let responder = try await self.responder
        let dates = HTTPDateCache()
        let serverName = configuration.serverName
        let logger = self.logger
        let channel = HTTP1Channel(
            responder: { request, writer, channel in
                let requestLogger = logger.with(metadataKey: "hb.request.id", value: .stringConvertible(RequestID()))
                let context = Self.Context(source: .init(channel: channel, logger: requestLogger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch let error as HTTPParserError {
                    throw error
                } catch {
                    requestLogger.debug("Unrecognised Error", metadata: ["error.type": "\(error)"])
                    response = Response(status: .internalServerError, body: .init())
                }
                response.headers[.date] = dates.now
                if let serverName { response.headers[.server] = serverName }
                do {
                    try await writer.write(response: response.head, body: response.body)
                } catch is HTTPParserError {
                    // Throwing the parser error would write a second answer.
                    throw ParseErrorWhileWriting()
                }
            }, configuration: http1)
        let server = InheritedSocketServer(
            socket: socket, childChannel: channel, eventLoopGroup: eventLoopGroup, logger: logger, prelude: processesRunBeforeServerStart,
            onServerRunning: { await self.onServerRunning($0) })
        return services + [server]
    }
}

/// A request turned out malformed while its answer was being written: the connection closes.
private struct ParseErrorWhileWriting: Error {}

extension Logger {
    fileprivate func with(metadataKey key: String, value: MetadataValue) -> Logger {
        var logger = self
        logger[metadataKey: key] = value
        return logger
    }
}
