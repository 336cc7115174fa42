import Foundation
import Testing

@testable import OrderService

/// The one reader of `order-api`'s flags and environment.
@Suite("order-api settings", .timeLimit(.minutes(2)))
struct OrderAPISettingsTests {
    @Test("a flag wins over its variable, a variable over the default, and empty variables count as unset")
    func precedence() throws {
        var flags = OrderAPIFlags()
        flags.port = 9000
        let settings = OrderAPISettings(
            flags: flags,
            environment: ["ORDER_API_PORT": "9100", "ORDER_API_HOST": "0.0.0.0", "ORDER_API_DB": "", "ADMIN_TOKEN": " a, ,b ", "ORDER_EXPIRY_ATM": "60"])
        let config = try settings.configuration()
        #expect(config.port == 9000)
        #expect(config.host == "0.0.0.0")
        #expect(config.databasePath == "data/orders.sqlite")
        #expect(config.adminTokens == ["a", "b"])
        #expect(config.orderExpiry[.atm] == .seconds(60))
        flags.db = "x.sqlite"
        #expect(OrderAPISettings(flags: flags, environment: ["ORDER_API_DB": "y.sqlite"]).databasePath == "x.sqlite")
        #expect(OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_DB": "y.sqlite"]).databasePath == "y.sqlite")
    }

    @Test("bad values are refused with the variable's name")
    func refusals() {
        #expect(throws: OrderAPISettingsError("ORDER_API_PORT=eighty is not a whole number")) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_API_PORT": "eighty"]).configuration()
        }
        #expect(throws: OrderAPISettingsError("ORDER_EXPIRY_STRIPE must be a positive number of seconds")) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["ORDER_EXPIRY_STRIPE": "0"]).configuration()
        }
        #expect(throws: OrderAPISettingsError.self) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["LOG_FORMAT": "xml"]).logsJSON()
        }
    }

    @Test("log levels in any case, else the subcommand's default")
    func logLevels() throws {
        #expect(try OrderAPISettings(flags: OrderAPIFlags(), environment: [:]).logLevel(default: .warning) == .warning)
        #expect(try OrderAPISettings(flags: OrderAPIFlags(), environment: ["LOG_LEVEL": "DEBUG"]).logLevel(default: .info) == .debug)
        #expect(throws: OrderAPISettingsError.self) {
            try OrderAPISettings(flags: OrderAPIFlags(), environment: ["LOG_LEVEL": "loud"]).logLevel(default: .info)
        }
    }
}
