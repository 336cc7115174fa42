import Foundation
import Logging

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`): each connection takes one.
public enum DescriptorLimit {
    /// Raises the soft limit to the hard limit, logs it, and warns when it leaves no room for
    /// `maxConnections` connections plus the descriptors the process needs besides (files, database).
    /// Returns the soft limit in force.
    @discardableResult
    public static func raise(for maxConnections: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            logger.warning("cannot read the open-file limit", metadata: ["errno": "\(errno)"])
            return -1
        }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let soft = Int(clamping: limit.rlim_cur)  // RLIM_INFINITY is the largest value: no limit
        logger.info("open-file limit", metadata: ["soft": "\(soft)", "hard": "\(limit.rlim_max)", "max_connections": "\(maxConnections)"])
        if soft < maxConnections + reserve {
            logger.warning(
                "the open-file limit is below the connection limit plus \(reserve) for the process itself: raise LimitNOFILE (systemd) or ulimit -n, or lower --max-connections",
                metadata: ["soft": "\(soft)", "max_connections": "\(maxConnections)"])
        }
        return soft
    }

    /// Descriptors kept for what is not a client connection: the database, content files, logs.
    public static let reserve = 256
}
