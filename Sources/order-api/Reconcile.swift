import ArgumentParser
import Foundation
import Logging
import OrderService

/// `order-api reconcile`: asks ECPay's QueryTradeInfo/V5 about orders still unpaid and applies
/// what it answers (verified) exactly as a notification would be applied.
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask ECPay about unpaid orders whose notification never came, and apply the verified answers.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "Only attempts made in the last this many days.") var days = 7
    @Option(name: .customLong("log-level"), help: "trace … critical (LOG_LEVEL, default warning).") var logLevel: String?

    var settings: OrderAPISettings {
        var flags = OrderAPIFlags()
        flags.db = database.db
        flags.logLevel = logLevel
        return .current(flags)
    }

    /// The database and the gateways, from the one settings reader.
    func configuration() throws -> OrderAPIConfiguration {
        var config = OrderAPIConfiguration()
        config.database = try validated(settings.databaseLocation)
        config.payments = try validated(settings.payments)
        return config
    }

    func validate() throws {
        guard days > 0 else { throw ValidationError("--days must be positive") }
        let settings = self.settings
        _ = try validated { try settings.logLevel(default: .warning) }
        let config = try configuration()
        guard config.payments.ecpay != nil else {
            throw ValidationError("reconcile needs ECPay: set ECPAY_ENV (and ECPAY_MERCHANT_ID, ECPAY_HASH_KEY, ECPAY_HASH_IV)")
        }
        if let path = config.databasePath, !FileManager.default.fileExists(atPath: path) { throw ValidationError("no database at \(path)") }
    }

    func run() async throws {
        let settings = self.settings
        var logger = Logger(label: "order-api.reconcile")
        logger.logLevel = try validated { try settings.logLevel(default: .warning) }
        let config = try configuration()
        let store = try await openStore(configuration: config, logger: logger)
        let report = try await PaymentReconciler(configuration: config, store: store, logger: logger)
            .reconcile(since: Date().addingTimeInterval(-Double(days) * 86400))
        try await store.close()
        for line in report.lines { print(line) }
        print("checked \(report.checked), paid \(report.paid), unpaid \(report.unpaid), failed \(report.failed)")
        if report.failed > 0 { throw ExitCode(2) }
    }
}
