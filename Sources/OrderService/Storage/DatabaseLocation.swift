import Foundation

/// Where the order API keeps its data, from `--db` / `ORDER_API_DB`: a SQLite file path, or a
/// `postgres://` / `postgresql://` URL. Any other `scheme://` is refused, never taken for a path.
public enum DatabaseLocation: Sendable, Hashable {
    /// A SQLite database file.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresSettings)

    /// Reads `value`; errors name `setting` (`--db` or `ORDER_API_DB`) and never repeat the password.
    public static func parse(_ value: String, setting: String) throws(OrderAPISettingsError) -> DatabaseLocation {
        // A scheme is what comes before `://` when it holds no `/`: `/srv/a://b.sqlite` is a path.
        guard let separator = value.range(of: "://"), !value[..<separator.lowerBound].contains("/") else {
            return .sqlite(path: value)
        }
        let scheme = value[..<separator.lowerBound].lowercased()
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw OrderAPISettingsError("\(setting): \(scheme):// is not a database this API knows; give the path of a SQLite file or a postgres:// URL")
        }
        return .postgres(try PostgresSettings.parse(url: String(value[separator.upperBound...]), setting: setting))
    }
}

/// A PostgreSQL connection, from `postgres://user:password@host:5432/database?sslmode=…` or
/// `postgres://user@/database?host=/var/run/postgresql` (a Unix socket directory, as libpq reads it).
/// `description` leaves the password out.
public struct PostgresSettings: Sendable, Hashable, CustomStringConvertible {
    /// How to reach the server.
    public enum Endpoint: Sendable, Hashable {
        /// TCP to a host name or address.
        case tcp(host: String, port: Int)
        /// The Unix socket `<directory>/.s.PGSQL.<port>`.
        case unixSocket(directory: String, port: Int)
    }

    /// The `sslmode` values this API supports.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS, without checking the certificate.
        case require
        /// TLS with the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    /// How to reach the server.
    public var endpoint: Endpoint
    /// The role to log in as.
    public var username: String
    /// The password, if any.
    public var password: String?
    /// The database.
    public var database: String
    /// TLS over TCP; `sslmode` defaults to `verify-full` (a Unix socket never uses TLS).
    public var tls: TLSMode

    /// The full path of the Unix socket, when the endpoint is one.
    public var unixSocketPath: String? {
        guard case .unixSocket(let directory, let port) = endpoint else { return nil }
        return (directory.hasSuffix("/") ? directory : directory + "/") + ".s.PGSQL.\(port)"
    }

    /// The settings without the password, for logs.
    public var description: String {
        let place =
            switch endpoint {
            case .tcp(let host, let port): "\(host.contains(":") ? "[\(host)]" : host):\(port)"
            case .unixSocket: unixSocketPath ?? ""
            }
        return "postgres://\(username)@\(place)/\(database) (sslmode=\(tls.rawValue))"
    }

    /// Parses what follows `postgres://`.
    static func parse(url rest: String, setting: String) throws(OrderAPISettingsError) -> PostgresSettings {
        func malformed(_ why: String) -> OrderAPISettingsError {
            OrderAPISettingsError(
                "\(setting): not a usable PostgreSQL URL (\(why)); expected postgres://user:password@host:5432/database?sslmode=disable|require|verify-full"
            )
        }
        func decoded(_ text: Substring, _ what: String) throws(OrderAPISettingsError) -> String {
            guard let value = String(text).removingPercentEncoding else { throw malformed("bad percent-encoding in the \(what)") }
            return value
        }
        guard !rest.contains("#") else { throw malformed("a fragment (#) is not allowed; percent-encode # as %23") }
        let (main, query) = Substring(rest).split(at: "?")
        let (authority, pathPart) = main.split(at: "/")
        guard let path = pathPart, !path.isEmpty else { throw malformed("the database name is missing") }
        guard !path.contains("/") else { throw malformed("the path must be only the database name") }
        let database = try decoded(path, "database name")

        var username = ""
        var password: String?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            let (user, secret) = userInfo.split(at: ":")
            username = try decoded(user, "user name")
            if let secret { password = try decoded(secret, "password") }
        }
        guard !username.isEmpty else { throw malformed("the user name is missing") }

        var host = ""
        var port = 5432
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw malformed("an IPv6 address lacks its ]") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw malformed("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else {
            let (name, number) = hostPort.split(at: ":")
            host = try decoded(name, "host")
            portText = number
        }
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number), portText.allSatisfy(\.isASCIIDigit) else {
                throw malformed("the port must be a number from 1 to 65535")
            }
            port = number
        }

        var socketDirectory: String?
        var sslmode: String?
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let (key, valuePart) = pair.split(at: "=")
            let value = try decoded(valuePart ?? "", "query")
            switch key {
            case "sslmode":
                sslmode = value
            case "host":
                guard value.hasPrefix("/") else { throw malformed("?host= must be the absolute path of a Unix socket directory") }
                socketDirectory = value
            default:
                throw malformed("the parameter \(key.prefix(40)) is not supported; only sslmode and host are")
            }
        }

        let endpoint: Endpoint
        if let socketDirectory {
            guard host.isEmpty || host == "localhost" else { throw malformed("give either a host name or ?host=/socket/directory, not both") }
            endpoint = .unixSocket(directory: socketDirectory, port: port)
        } else {
            guard !host.isEmpty else { throw malformed("the host is missing") }
            endpoint = .tcp(host: host, port: port)
        }

        var tls = TLSMode.verifyFull
        if let sslmode {
            guard let mode = TLSMode(rawValue: sslmode) else {
                throw OrderAPISettingsError("\(setting): sslmode=\(sslmode.prefix(40)) is not supported; use disable, require or verify-full")
            }
            tls = mode
        }
        if case .unixSocket = endpoint {
            guard sslmode == nil || tls == .disable else {
                throw OrderAPISettingsError("\(setting): sslmode=\(tls.rawValue) cannot apply to a Unix socket; leave it out or use disable")
            }
            tls = .disable
        }
        return PostgresSettings(endpoint: endpoint, username: username, password: password, database: database, tls: tls)
    }
}

extension Substring {
    /// The text before the first `separator` and, when there is one, the text after it.
    fileprivate func split(at separator: Character) -> (Substring, Substring?) {
        guard let index = firstIndex(of: separator) else { return (self[...], nil) }
        return (self[..<index], self[self.index(after: index)...])
    }
}
