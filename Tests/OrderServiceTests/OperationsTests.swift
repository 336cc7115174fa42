import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@testable import OrderService

@Suite("Operations, headers, CORS and the OpenAPI document", .timeLimit(.minutes(2)))
struct OperationsTests {
    @Test("healthz, readyz and metrics")
    func health() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(JSON(response.body)["status"].string == "ok")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(JSON(response.body)["catalogVersion"].string?.count == 12)
            }
            try await client.placeOrder(Body.order(items: [("APPLE-1", 1)]))
            let id = try #require(try await client.placeOrder(Body.order(items: [("CHERRY-3", 1)]))["order"]["id"].string)
            try await client.execute(uri: "/admin/orders/\(id)/status", method: .post, headers: .admin, body: Body.json(["status": "shipped"])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = response.body.text
                #expect(text.contains("orders_created_total 2"))
                #expect(text.contains(#"orders_by_status{status="created"} 1"#))
                #expect(text.contains(#"orders_by_status{status="shipped"} 1"#))
                #expect(text.contains(#"revenue_minor_units_total{currency="TWD"} 530"#))
                #expect(text.contains(#"http_requests_total{route="/order",method="POST",status="201"} 2"#))
                #expect(text.contains("http_request_duration_seconds_bucket"))
            }
        }
    }

    @Test("security headers, request ids and JSON errors on every answer, including unknown routes")
    func headers() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            for (uri, method) in [("/healthz", HTTPRequest.Method.get), ("/nope", .get), ("/order", .delete), ("/order", .post)] {
                try await client.execute(uri: uri, method: method, headers: [.requestID: "trace-abc.123"], body: ByteBuffer(string: "x")) { response in
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[.referrerPolicy] == "no-referrer")
                    #expect(response.headers[.contentSecurityPolicy] == "default-src 'none'; frame-ancestors 'none'")
                    #expect(response.headers[.requestID] == "trace-abc.123")
                    if response.status != .ok { #expect(JSON(response.body)["error"]["code"].string != nil, "\(uri)") }
                }
            }
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(JSON(response.body)["error"]["code"].string == "not_found")
            }
            try await client.execute(uri: "/healthz", method: .get, headers: [.requestID: "bad id\u{7F}with spaces"]) { response in
                let id = try #require(response.headers[.requestID])
                #expect(id != "bad id\u{7F}with spaces")
                #expect(OrderID.isWellFormed(id))
            }
        }
    }

    @Test("CORS answers only the configured origin, exactly, with Vary: Origin")
    func cors() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let preflight: HTTPFields = [
                .origin: "https://shop.test.example", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type,idempotency-key",
            ]
            try await client.execute(uri: "/order", method: .options, headers: preflight) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://shop.test.example")
                #expect(response.headers[.accessControlAllowHeaders]?.contains("Idempotency-Key") == true)
                #expect(response.headers[values: .vary].contains("Origin"))
            }
            for origin in ["https://evil.example", "https://shop.test.example.evil.example", "http://shop.test.example", "null"] {
                try await client.execute(uri: "/order", method: .options, headers: [.origin: origin, .accessControlRequestMethod: "POST"]) { response in
                    #expect(response.status == .forbidden)
                    #expect(response.headers[.accessControlAllowOrigin] == nil)
                }
                try await client.execute(uri: "/healthz", method: .get, headers: [.origin: origin]) { response in
                    #expect(response.headers[.accessControlAllowOrigin] == nil)
                    #expect(response.headers[values: .vary].contains("Origin"))
                }
            }
            try await client.execute(
                uri: "/order", method: .post, headers: [.origin: "https://shop.test.example", .contentType: "application/json"], body: Body.order()
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.accessControlAllowOrigin] == "https://shop.test.example")
            }
        }
    }

    @Test("the OpenAPI document lists exactly the router's routes, and is served")
    func openAPIMatchesRouter() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        let components = try await AppComponents.make(
            configuration: shop.configuration, logger: .init(label: "test"), paymentSteps: NoPaymentStepProvider(), clock: { Date() })
        let router = buildRouter(components)
        let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let repositoryCopy = try Data(contentsOf: root.appendingPathComponent("openapi.yaml"))
        let bundledCopy = try Data(contentsOf: root.appendingPathComponent("Sources/OrderService/Resources/openapi.yaml"))
        #expect(repositoryCopy == bundledCopy, "openapi.yaml and Sources/OrderService/Resources/openapi.yaml differ")

        let document = try #require(try Yams.load(yaml: String(decoding: repositoryCopy, as: UTF8.self)) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        var documented = Set<String>()
        for (path, item) in paths {
            for method in ((item as? [String: Any]) ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(routed == documented, "only routed: \(routed.subtracting(documented).sorted()); only documented: \(documented.subtracting(routed).sorted())")
        #expect(routed.count >= 14)

        try await shop.withRouter { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Data(buffer: response.body) == repositoryCopy)
            }
        }
        try await components.store.close()
    }
}
