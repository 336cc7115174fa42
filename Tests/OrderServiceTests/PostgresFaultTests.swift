import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import OrderService

/// PostgreSQL missing at start-up and lost while serving: the API answers 503 quickly and recovers
/// by itself. Each test has a cluster of its own, which it stops and starts.
@Suite("PostgreSQL faults", .serialized, .timeLimit(.minutes(3)))
struct PostgresFaultTests {
    /// Asks `uri` until it answers `status`, for at most `limit`.
    static func waitFor(_ status: HTTPResponse.Status, _ uri: String, _ client: any TestClientProtocol, limit: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await client.execute(uri: uri, method: .get, headers: [:], body: nil, testCallback: { $0.status }) == status { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test("unreachable at start: the API starts, answers 503 (readyz and orders) and becomes ready when PostgreSQL comes up")
    func unreachableAtStart() async throws {
        try await PostgresTestCluster.withOwnCluster { cluster in
            #expect(try await cluster.pgControl(["stop", "-m", "fast"]) == 0)
            var shop = try TestShop(database: cluster.url)
            shop.configuration.databaseDeadline = .seconds(2)
            defer { shop.cleanUp() }
            let app = try await shop.app()
            try await app.test(.live) { client in
                try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
                try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(items: [("LAST-10", 1)])) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(JSON(response.body)["error"]["code"].string == "database_unavailable")
                    #expect(response.headers[.retryAfter] != nil)
                }
                #expect(try await cluster.pgControl(["start"]) == 0)
                #expect(try await Self.waitFor(.ok, "/readyz", client), "ready once PostgreSQL is up")
                let order = try await client.placeOrder(Body.order(items: [("LAST-10", 1)]))
                #expect(order["order"]["status"].string == "created")
                #expect(try await client.available("LAST-10") == 9, "the stock rows were added once the database was reachable")
            }
        }
    }

    @Test("lost while serving: requests answer 503 database_unavailable within the deadline, and the API recovers by itself")
    func lostWhileServing() async throws {
        try await PostgresTestCluster.withOwnCluster { cluster in
            var shop = try TestShop(database: cluster.url)
            shop.configuration.databaseDeadline = .seconds(2)
            defer { shop.cleanUp() }
            let app = try await shop.app()
            try await app.test(.live) { client in
                let before = try await client.placeOrder(Body.order(items: [("LAST-10", 1)]))
                let id = try #require(before["order"]["id"].string)
                #expect(try await cluster.pgControl(["stop", "-m", "immediate"]) == 0)  // a crash
                for request in 0..<3 {
                    let started = ContinuousClock.now
                    let status = try await client.execute(uri: "/order", method: .post, headers: .json, body: Body.order(items: [("LAST-10", 1)])) { response in
                        #expect(JSON(response.body)["error"]["code"].string == "database_unavailable", "request \(request)")
                        return response.status
                    }
                    #expect(status == .serviceUnavailable)
                    #expect(ContinuousClock.now - started < .seconds(5), "never a hang: the 2 s deadline answers")
                }
                try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
                #expect(try await cluster.pgControl(["start"]) == 0)
                #expect(try await Self.waitFor(.ok, "/readyz", client), "ready again without a restart")
                let after = try await client.placeOrder(Body.order(items: [("LAST-10", 1)]))
                #expect(after["order"]["status"].string == "created")
                try await client.execute(uri: "/order?id=\(id)&contact=0912345678", method: .get) { #expect($0.status == .ok) }
                #expect(try await client.available("LAST-10") == 8, "the orders refused while PostgreSQL was down took no stock")
            }
        }
    }
}
