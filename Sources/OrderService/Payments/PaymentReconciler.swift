import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PaymentProtocols

/// A QueryTradeInfo request that got no usable answer.
struct QueryFailure: Error, CustomStringConvertible {
    var description: String
}

/// What `order-api reconcile` found.
public struct ReconcileReport: Sendable, Hashable {
    /// One line per attempt asked about: `<order> <trade>: <result>`.
    public var lines: [String] = []
    /// Attempts asked about.
    public var checked = 0
    /// Attempts the gateway reported paid (applied, repeated or flagged).
    public var paid = 0
    /// Attempts still unpaid.
    public var unpaid = 0
    /// Attempts whose answer could not be had or verified.
    public var failed = 0
}

/// Asks ECPay's QueryTradeInfo/V5 about every ECPay attempt whose order has not recorded a payment,
/// verifies each answer's MAC, and applies a paid answer through the same code path as a notification.
public struct PaymentReconciler: Sendable {
    let configuration: OrderAPIConfiguration
    let store: any OrderStore
    let logger: Logger
    let clock: @Sendable () -> Date

    /// Creates a reconciler over an open store.
    public init(configuration: OrderAPIConfiguration, store: any OrderStore, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.clock = clock
    }

    /// Reconciles the unpaid attempts made since `since`.
    public func reconcile(since: Date) async throws -> ReconcileReport {
        guard let ecpay = configuration.payments.ecpay else {
            throw PaymentConfigurationError("reconcile needs ECPay: set ECPAY_ENV and the ECPAY_* credentials")
        }
        let callbacks = ECPayCallbacks(configuration: ecpay, store: store, clock: clock)
        var report = ReconcileReport()
        for attempt in try await store.unpaidAttempts(gateway: .ecpay) where attempt.createdAt >= since {
            report.checked += 1
            let prefix = "\(attempt.orderID) \(attempt.reference):"
            do {
                let answer = try await query(attempt.reference, configuration: ecpay)
                switch try await callbacks.applyQueryAnswer(raw: answer, logger: logger) {
                case .success(nil):
                    report.unpaid += 1
                    report.lines.append("\(prefix) unpaid")
                case .success(let outcome?):
                    report.paid += 1
                    report.lines.append("\(prefix) paid (\(outcome.rawValue))")
                case .failure(let rejection):
                    report.failed += 1
                    report.lines.append("\(prefix) answer rejected: \(rejection.reason)")
                }
            } catch {
                report.failed += 1
                report.lines.append("\(prefix) query failed: \(error)")
                logger.error("QueryTradeInfo failed", metadata: ["trade": "\(attempt.reference)", "error": "\(error)"])
            }
        }
        return report
    }

    private func query(_ tradeNumber: String, configuration: ECPayConfiguration) async throws -> String {
        let fields = ECPayCheckMac.signed(
            ["MerchantID": configuration.merchantID, "MerchantTradeNo": tradeNumber, "TimeStamp": String(Int(clock().timeIntervalSince1970))],
            hashKey: configuration.hashKey, hashIV: configuration.hashIV)
        var request = HTTPClientRequest(url: configuration.environment.queryURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(fields)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let body = String(buffer: try await response.body.collect(upTo: 64 * 1024))
        guard response.status == .ok else { throw QueryFailure(description: "QueryTradeInfo answered HTTP \(response.status.code): \(body.prefix(200))") }
        return body
    }
}
