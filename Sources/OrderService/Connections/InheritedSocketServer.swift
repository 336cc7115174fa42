import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

/// Serves HTTP on an `InheritedSocket`, as Hummingbird's server does on an address it binds
/// itself. On graceful shutdown it stops accepting and lets each connection end as its handlers
/// decide (`ConnectionDrain`); it never closes the socket for others, so connections that arrive
/// meanwhile wait in the socket's queue for the next process.
struct InheritedSocketServer<ChildChannel: ServerChildChannel>: Service {
    let socket: InheritedSocket
    let childChannel: ChildChannel
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    /// Run before the socket is served (`ApplicationProtocol.processesRunBeforeServerStart`).
    let prelude: [@Sendable () async throws -> Void]
    /// Called once the socket is accepting, with its channel.
    let onServerRunning: @Sendable (any Channel) async -> Void

    func run() async throws {
        for process in prelude { try await process() }
        let quiescing = ServerQuiescingHelper(group: eventLoopGroup)
        let (accepted, acceptedInput) = AsyncStream<ChildChannel.Value>.makeStream()
        let childChannel = self.childChannel
        let logger = self.logger
        let server = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                childChannel.setup(channel: channel, logger: logger).map { acceptedInput.yield($0) }
            }
            .withBoundSocket(socket.descriptor)
            .get()
        server.closeFuture.whenComplete { _ in acceptedInput.finish() }
        logger.info(
            "listening on the socket passed in (LISTEN_FDS)",
            metadata: ["address": "\(server.localAddress.map { "\($0)" } ?? "?")", "name": "\(socket.name ?? "-")"])
        await onServerRunning(server)

        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    for await connection in accepted {
                        group.addTask { await childChannel.handle(value: connection, logger: logger) }
                    }
                }
            } onGracefulShutdown: {
                // Stops accepting, and tells every connection to finish (`ChannelShouldQuiesceEvent`);
                // the task group above ends when the last one has.
                quiescing.initiateShutdown(promise: nil)
            }
        } onCancel: {
            server.close(promise: nil)
        }
    }
}
