import Foundation

/// A listening socket handed to the process at start (systemd socket activation: `LISTEN_PID`,
/// `LISTEN_FDS`, the socket at descriptor 3). The socket outlives the process, so a restart
/// refuses no connection: the kernel queues new ones until the next process accepts them.
public struct InheritedSocket: Sendable, Equatable {
    /// The descriptor of the listening socket (always 3, `SD_LISTEN_FDS_START`).
    public let descriptor: CInt
    /// Its name from `LISTEN_FDNAMES` (`FileDescriptorName=` in the `.socket` unit), if any.
    public let name: String?

    /// The first descriptor systemd passes.
    public static let firstDescriptor: CInt = 3

    /// Why the passed-in sockets cannot be used: start-up stops with this message.
    public struct Unusable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The socket `environment` passes to the process `processID` (pure; `InheritedSocketTests`).
    /// - Returns: nil when no socket is passed, or when the variables are meant for another process
    ///   (`LISTEN_PID` is not ours: a parent's, inherited by mistake), as `sd_listen_fds` does.
    /// - Throws: `Unusable` when `LISTEN_FDS` is not a count, or names more than one socket.
    static func passed(in environment: [String: String], processID: Int32) throws -> InheritedSocket? {
        guard let pid = environment["LISTEN_PID"], Int32(pid) == processID, let fds = environment["LISTEN_FDS"] else { return nil }
        guard let count = Int(fds), count >= 0 else {
            throw Unusable(description: "LISTEN_FDS: \(fds.debugDescription) is not a number of sockets")
        }
        if count == 0 { return nil }
        guard count == 1 else {
            throw Unusable(description: "LISTEN_FDS: \(count) sockets were passed; the server listens on one (one ListenStream= in the .socket unit)")
        }
        let name = environment["LISTEN_FDNAMES"].flatMap { $0.split(separator: ":").first.map(String.init) }
        return InheritedSocket(descriptor: firstDescriptor, name: name)
    }

    /// Takes the socket passed to this process, if any: checks that it is a listening stream
    /// socket, keeps it from the process's children (close-on-exec), and removes the variables
    /// from the environment so that no child takes them for its own.
    /// - Throws: `Unusable` with a message that names the variable or the descriptor.
    public static func take() throws -> InheritedSocket? {
        let environment = ProcessInfo.processInfo.environment
        let socket = try passed(in: environment, processID: getpid())
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        guard let socket else { return nil }
        try socket.checkListening()
        _ = fcntl(socket.descriptor, F_SETFD, fcntl(socket.descriptor, F_GETFD) | FD_CLOEXEC)
        return socket
    }

    /// Throws unless the descriptor is a stream socket that is listening.
    func checkListening() throws {
        var accepting: CInt = 0
        var type: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        let problem = "descriptor \(descriptor) (LISTEN_FDS) is not a listening TCP socket: use ListenStream= in the .socket unit"
        guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else {
            throw Unusable(description: problem)
        }
        length = socklen_t(MemoryLayout<CInt>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == CInt(SOCK_STREAM.rawValue) else {
            throw Unusable(description: problem)
        }
    }
}
