import ArgumentParser
import Foundation
import Logging
import OrderService

/// `order-api reconcile`: asks ECPay's QueryTradeInfo/V5 about orders still unpaid and applies
/// what it answers (verified) exactly as a notification would be applied.
struct Reconcile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask ECPay about unpaid orders whose notification never came, and apply the verified answers.")

    @Option(help: "SQLite database path (ORDER_API_DB, default data/orders.sqlite).") var db: String?
    @Option(help: "Only attempts made in the last this many days.") var days = 7
    @Option(name: .customLong("log-level"), help: "trace … critical (LOG_LEVEL, default warning).") var logLevel: String?

    func validate() throws {
        guard days > 0 else { throw ValidationError("--days must be positive") }
        if let logLevel, Logger.Level(rawValue: logLevel) == nil { throw ValidationError("--log-level \(logLevel) is not a log level") }
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var logger = Logger(label: "order-api.reconcile")
        logger.logLevel = Logger.Level(rawValue: logLevel ?? env["LOG_LEVEL"] ?? "warning") ?? .warning
        var config = OrderAPIConfiguration()
        config.databasePath = db ?? env["ORDER_API_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? config.databasePath
        do {
            config.payments = try PaymentConfiguration.fromEnvironment(env)
        } catch {
            throw ValidationError(error.description)
        }
        guard config.payments.ecpay != nil else { throw ValidationError("reconcile needs ECPay: set ECPAY_ENV (and ECPAY_MERCHANT_ID, ECPAY_HASH_KEY, ECPAY_HASH_IV)") }
        guard FileManager.default.fileExists(atPath: config.databasePath) else { throw ValidationError("no database at \(config.databasePath)") }
        let store = try SQLiteOrderStore(path: config.databasePath, logger: logger)
        let report = try await PaymentReconciler(configuration: config, store: store, logger: logger)
            .reconcile(since: Date().addingTimeInterval(-Double(days) * 86400))
        try await store.close()
        for line in report.lines { print(line) }
        print("checked \(report.checked), paid \(report.paid), unpaid \(report.unpaid), failed \(report.failed)")
        if report.failed > 0 { throw ExitCode(2) }
    }
}
