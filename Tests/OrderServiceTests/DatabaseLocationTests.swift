import Foundation
import Testing

@testable import OrderService

/// `--db` / `ORDER_API_DB`: a SQLite path or a PostgreSQL URL, understood or refused.
@Suite("database location", .timeLimit(.minutes(2)))
struct DatabaseLocationTests {
    static let accepted: [(String, DatabaseLocation)] = [
        ("data/orders.sqlite", .sqlite(path: "data/orders.sqlite")),
        ("/srv/shop/a://b.sqlite", .sqlite(path: "/srv/shop/a://b.sqlite")),
        (
            "postgres://user:pass@db.example.tw:5433/shop?sslmode=disable",
            .postgres(.init(endpoint: .tcp(host: "db.example.tw", port: 5433), username: "user", password: "pass", database: "shop", tls: .disable))
        ),
        (
            "postgresql://user:pass@db/shop?sslmode=require",
            .postgres(.init(endpoint: .tcp(host: "db", port: 5432), username: "user", password: "pass", database: "shop", tls: .require))
        ),
        (
            "POSTGRES://user@db/shop?sslmode=verify-full",
            .postgres(.init(endpoint: .tcp(host: "db", port: 5432), username: "user", password: nil, database: "shop", tls: .verifyFull))
        ),
        (
            "postgres://user@db/shop",
            .postgres(.init(endpoint: .tcp(host: "db", port: 5432), username: "user", password: nil, database: "shop", tls: .verifyFull))
        ),
        (
            "postgres://sh%40op:p%40ss%3Aw%2Frd@127.0.0.1/my%20shop?sslmode=disable",
            .postgres(
                .init(endpoint: .tcp(host: "127.0.0.1", port: 5432), username: "sh@op", password: "p@ss:w/rd", database: "my shop", tls: .disable))
        ),
        (
            "postgres://user:@[::1]:6000/shop?sslmode=disable",
            .postgres(.init(endpoint: .tcp(host: "::1", port: 6000), username: "user", password: "", database: "shop", tls: .disable))
        ),
        (
            "postgres://user@/shop?host=/var/run/postgresql",
            .postgres(
                .init(endpoint: .unixSocket(directory: "/var/run/postgresql", port: 5432), username: "user", password: nil, database: "shop", tls: .disable))
        ),
        (
            "postgres://user:pw@localhost:5444/shop?host=%2Ftmp%2Fpg&sslmode=disable",
            .postgres(.init(endpoint: .unixSocket(directory: "/tmp/pg", port: 5444), username: "user", password: "pw", database: "shop", tls: .disable))
        ),
    ]

    @Test("paths and URLs that are understood", arguments: accepted)
    func understood(value: String, expected: DatabaseLocation) throws {
        #expect(try DatabaseLocation.parse(value, setting: "--db") == expected)
    }

    static let refused: [(String, String)] = [
        ("mysql://user:s3cret@db/shop", "mysql:// is not a database"),
        ("postgres://user:s3cret@db/shop?sslmode=prefer", "sslmode=prefer is not supported"),
        ("postgres://user:s3cret@db/shop?sslmode=allow", "sslmode=allow is not supported"),
        ("postgres://user:s3cret@db/?sslmode=disable", "database name is missing"),
        ("postgres://user:s3cret@db", "database name is missing"),
        ("postgres://user:s3cret@db/shop/x", "only the database name"),
        ("postgres://user:s3cret@db:port/shop", "port must be a number"),
        ("postgres://user:s3cret@db:70000/shop", "port must be a number"),
        ("postgres://user:s3cret@db:+5/shop", "port must be a number"),
        ("postgres://user:s3cret@/shop", "host is missing"),
        ("postgres://:s3cret@db/shop", "user name is missing"),
        ("postgres://user:s3cret%zz@db/shop", "percent-encoding in the password"),
        ("postgres://user:s3cret@db/shop?password=s3cret", "parameter password is not supported"),
        ("postgres://user:s3cret@db/shop#s3cret", "fragment"),
        ("postgres://user:s3cret@[::1/shop", "IPv6"),
        ("postgres://user:s3cret@db/shop?host=relative/dir", "absolute path"),
        ("postgres://user:s3cret@db/shop?host=/run/pg", "not both"),
        ("postgres://user:s3cret@/shop?host=/run/pg&sslmode=require", "cannot apply to a Unix socket"),
    ]

    @Test("malformed URLs are refused naming the setting, never repeating the password", arguments: refused)
    func refusals(value: String, reason: String) {
        for setting in ["--db", "ORDER_API_DB"] {
            do {
                let location = try DatabaseLocation.parse(value, setting: setting)
                Issue.record("\(value) was taken as \(location)")
            } catch {
                #expect(error.description.hasPrefix(setting + ": "), "\(error.description)")
                #expect(error.description.contains(reason), "\(error.description)")
                #expect(!error.description.contains("s3cret"), "\(error.description)")
            }
        }
    }

    @Test("the settings name the flag or the variable in effect, and serve takes PostgreSQL")
    func throughSettings() throws {
        var flags = OrderAPIFlags()
        flags.db = "postgres://u:s3cret@db/shop?sslmode=bogus"
        #expect(throws: OrderAPISettingsError("--db: sslmode=bogus is not supported; use disable, require or verify-full")) {
            try OrderAPISettings(flags: flags, environment: [:]).databaseLocation()
        }
        let environment = ["ORDER_API_DB": "postgres://u:s3cret@db:5432/shop?sslmode=disable"]
        let location = try OrderAPISettings(flags: OrderAPIFlags(), environment: environment).databaseLocation()
        guard case .postgres(let settings) = location else {
            Issue.record("not postgres: \(location)")
            return
        }
        #expect(settings.password == "s3cret")
        #expect(!settings.description.contains("s3cret"))
        #expect(try OrderAPISettings(flags: OrderAPIFlags(), environment: environment).configuration().database == location)
        #expect(try OrderAPISettings(flags: OrderAPIFlags(), environment: [:]).databaseLocation() == .sqlite(path: "data/orders.sqlite"))
    }

    @Test("a socket URL names the socket file libpq would use")
    func socketPath() throws {
        let location = try DatabaseLocation.parse("postgresql://shop@/orders?host=/tmp/pg/", setting: "--db")
        guard case .postgres(let settings) = location else {
            Issue.record("not postgres: \(location)")
            return
        }
        #expect(settings.unixSocketPath == "/tmp/pg/.s.PGSQL.5432")
    }
}
