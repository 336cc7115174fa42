import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import OrderService

@Suite("GET /order", .timeLimit(.minutes(2)))
struct OrderLookupTests {
    @Test("200 by e-mail (any case) or phone (digits only), masked, with timeline and totals")
    func lookup() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let created = try await client.placeOrder(Body.order(items: [("APPLE-1", 3)], email: "Alice@Example.com", phone: "0912-345-678"))
            let id = try #require(created["order"]["id"].string)
            for contact in ["alice@example.com", "ALICE@EXAMPLE.COM", "0912345678", "0912%20345%20678", "%28091%29%202345-678"] {
                try await client.execute(uri: "/order?id=\(id)&contact=\(contact)", method: .get) { response in
                    #expect(response.status == .ok, "\(contact)")
                    let order = JSON(response.body)["order"]
                    #expect(order["id"].string == id)
                    #expect(order["status"].string == "created")
                    #expect(order["timeline"][0]["status"].string == "created")
                    #expect(order["timeline"][0]["at"].string == created["order"]["createdAt"].string)
                    #expect(order["lines"][0]["quantity"].int == 3)
                    #expect(order["totalMinor"].int == 450)
                    #expect(order["total"].string == "NT$450")
                    #expect(order["subtotal"].string == "NT$300")
                    #expect(order["payment"]["state"].string == "on_delivery")
                    #expect(order["payment"]["atm"].isNull)
                    #expect(order["needsReview"].bool == false)
                    #expect(order["trackingNumber"].isNull)
                    #expect(order["customer"]["name"].string == "王**")
                    #expect(order["customer"]["email"].string == "A***@Example.com")
                    #expect(order["customer"]["phone"].string == "*******678")
                    #expect(!response.body.text.contains("0912"))
                    #expect(!response.body.text.contains("大內區"))
                }
            }
        }
    }

    @Test("404 is identical for a wrong id and a wrong contact; 400 for missing parameters")
    func notFound() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let created = try await client.placeOrder()
            let id = try #require(created["order"]["id"].string)
            let wrongContact = try await client.execute(uri: "/order?id=\(id)&contact=bob@example.com", method: .get) { $0 }
            let wrongPhone = try await client.execute(uri: "/order?id=\(id)&contact=0912345679", method: .get) { $0 }
            let wrongID = try await client.execute(uri: "/order?id=AAAAAAAAAAAAAAAA&contact=alice@example.com", method: .get) { $0 }
            let malformedID = try await client.execute(uri: "/order?id=%27%20OR%201%3D1--&contact=alice@example.com", method: .get) { $0 }
            for response in [wrongContact, wrongPhone, wrongID, malformedID] {
                #expect(response.status == .notFound)
                #expect(response.body == wrongContact.body)
                #expect(JSON(response.body)["error"]["code"].string == "not_found")
            }
            try await client.execute(uri: "/order?id=\(id)", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(JSON(response.body)["error"]["fields"]["contact"].exists)
            }
        }
    }

    @Test("shows the tracking number and timeline after the owner ships a cash-on-delivery order")
    func tracking() async throws {
        let shop = try TestShop()
        defer { shop.cleanUp() }
        try await shop.withRouter { client in
            let id = try #require(try await client.placeOrder()["order"]["id"].string)
            try await client.execute(
                uri: "/admin/orders/\(id)/status", method: .post, headers: .admin,
                body: Body.json(["status": "shipped", "trackingNumber": "TCAT-123456", "note": "黑貓宅急便"])
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/order?id=\(id)&contact=0912345678", method: .get) { response in
                let order = JSON(response.body)["order"]
                #expect(order["status"].string == "shipped")
                #expect(order["trackingNumber"].string == "TCAT-123456")
                #expect(order["timeline"].array.map { $0["status"].string } == ["created", "shipped"])
                #expect(order["timeline"][1]["note"].string == "黑貓宅急便")
            }
        }
    }
}
