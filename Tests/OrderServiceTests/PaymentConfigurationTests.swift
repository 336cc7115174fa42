import Foundation
import Logging
import Testing

@testable import OrderService

@Suite("Payment configuration from the environment", .timeLimit(.minutes(2)))
struct PaymentConfigurationTests {
    @Test("nothing set: no gateway; stage alone uses the public stage credentials; sandbox needs its URL")
    func defaults() throws {
        #expect(try PaymentConfiguration.fromEnvironment([:]).isEmpty)
        let stage = try #require(try PaymentConfiguration.fromEnvironment(["ECPAY_ENV": "stage"]).ecpay)
        #expect(stage.merchantID == "3002607" && stage.environment.checkoutURL == "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5")
        let sandbox = try #require(try PaymentConfiguration.fromEnvironment(["ECPAY_ENV": "sandbox", "ECPAY_SANDBOX_URL": "http://127.0.0.1:8090/"]).ecpay)
        #expect(sandbox.environment.checkoutURL == "http://127.0.0.1:8090/ecpay/Cashier/AioCheckOut/V5")
        #expect(sandbox.environment.queryURL == "http://127.0.0.1:8090/ecpay/Cashier/QueryTradeInfo/V5")
        let stripe = try #require(try PaymentConfiguration.fromEnvironment(["STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1"]).stripe)
        #expect(stripe.apiBase == "https://api.stripe.com")
    }

    @Test(
        "clear errors for incomplete or unsafe settings",
        arguments: [
            (["ECPAY_ENV": "live"], "ECPAY_ENV=live is not one of"),
            (["ECPAY_MERCHANT_ID": "3002607"], "ECPAY_ENV is required"),
            (["ECPAY_ENV": "production"], "missing: ECPAY_MERCHANT_ID, ECPAY_HASH_KEY, ECPAY_HASH_IV"),
            (["ECPAY_ENV": "stage", "ECPAY_MERCHANT_ID": "3002607", "ECPAY_HASH_KEY": "short", "ECPAY_HASH_IV": "EkRm7iFT261dpevs"], "ECPAY_HASH_KEY must be"),
            (
                ["ECPAY_ENV": "production", "ECPAY_MERCHANT_ID": "3002607", "ECPAY_HASH_KEY": "pwFHCqoQZGmho4w6", "ECPAY_HASH_IV": "EkRm7iFT261dpevs"],
                "public stage credentials"
            ),
            (
                [
                    "ECPAY_ENV": "production", "ECPAY_MERCHANT_ID": "1234567", "ECPAY_HASH_KEY": "abcdefghijklmnop", "ECPAY_HASH_IV": "abcdefghijklmnop",
                    "ECPAY_ALLOW_SIMULATE_PAID": "1",
                ], "ECPAY_ALLOW_SIMULATE_PAID"
            ),
            (["ECPAY_ENV": "sandbox"], "ECPAY_SANDBOX_URL"),
            (["STRIPE_SECRET_KEY": "sk_test_1"], "STRIPE_WEBHOOK_SECRET"),
            (["STRIPE_SECRET_KEY": "pk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1"], "never the publishable"),
            (["STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "secret"], "whsec_"),
            (["STRIPE_WEBHOOK_SECRET": "whsec_1"], "STRIPE_SECRET_KEY is not"),
        ])
    func errors(environment: [String: String], message: String) {
        do {
            _ = try PaymentConfiguration.fromEnvironment(environment)
            Issue.record("expected an error containing \(message)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("the API refuses to start with a gateway but no public URL for its callbacks, before opening the database")
    func needsPublicURL() async throws {
        var shop = try TestShop()
        defer { shop.cleanUp() }
        shop.configuration.payments = PaymentConfiguration(ecpay: ECPayConfiguration(environment: .stage))
        await #expect(throws: PaymentConfigurationError.self) {
            _ = try await OrderAPI(configuration: shop.configuration, logger: Logger(label: "test"))
        }
        #expect(!FileManager.default.fileExists(atPath: try #require(shop.configuration.databasePath)))
    }
}
