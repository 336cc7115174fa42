import Foundation
import Testing

@testable import Notifications

@Suite("MIME messages and addresses", .timeLimit(.minutes(2)))
struct MailMessageTests {
    /// The message's lines, checking CRLF: no bare CR or LF anywhere.
    static func crlfLines(_ bytes: [UInt8]) throws -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 13 {
                try #require(index + 1 < bytes.count && bytes[index + 1] == 10, "bare CR at \(index)")
                lines.append(bytes[start..<index])
                index += 2
                start = index
            } else {
                try #require(bytes[index] != 10, "bare LF at \(index)")
                index += 1
            }
        }
        #expect(start == bytes.count, "the message ends with CRLF")
        return lines
    }

    /// Decodes a header value made of `=?UTF-8?B?…?=` words (the test's own decoder).
    static func decodeWords(_ value: String) throws -> String {
        var bytes: [UInt8] = []
        for word in value.split(whereSeparator: { $0 == " " || $0 == "\r" || $0 == "\n" }) {
            try #require(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="), "\(word)")
            bytes += try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The header block, unfolded.
    static func headers(_ bytes: [UInt8]) throws -> [String: String] {
        var result: [String: String] = [:]
        var last = ""
        for line in try crlfLines(bytes) {
            if line.isEmpty { break }
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix(" ") {
                result[last, default: ""] += text
            } else {
                let colon = try #require(text.firstIndex(of: ":"))
                last = String(text[..<colon])
                result[last] = String(text[text.index(colon, offsetBy: 2)...])
            }
        }
        return result
    }

    @Test("the same message renders to the same bytes twice (a retry is identical)")
    func deterministic() throws {
        let message = try MailTest.message()
        #expect(message.rendered() == message.rendered())
        let copy = try MailTest.message()
        #expect(copy.rendered() == message.rendered())
        let other = try MailTest.message(id: "dlv-43.evt-17@shop.example.tw")
        #expect(other.boundary != message.boundary)
    }

    @Test("headers: From, To, Subject, Date, Message-ID, MIME parts; ASCII only")
    func headers() throws {
        let bytes = try MailTest.message().rendered()
        #expect(bytes.allSatisfy { $0 < 128 })
        let headers = try Self.headers(bytes)
        #expect(try Self.decodeWords(headers["Subject"] ?? "") == "訂單已成立 #A1B2")
        #expect(headers["Date"] == "Mon, 30 Nov 2026 00:53:20 +0000")
        #expect(headers["Message-ID"] == "<dlv-42.evt-17@shop.example.tw>")
        #expect(headers["MIME-Version"] == "1.0")
        #expect(headers["X-Storefront-Event"] == "order.created")
        #expect(headers["From"]?.hasSuffix(" <shop@example.tw>") == true)
        #expect(headers["To"]?.contains("\"Owner, Inc\" <owner@example.tw>") == true)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64"))
        let textPart = try #require(text.range(of: "text/plain")), htmlPart = try #require(text.range(of: "text/html"))
        #expect(textPart.lowerBound < htmlPart.lowerBound)
    }

    @Test("every line is at most 998 octets (78 in practice), even for a 5,000-character one-line HTML body")
    func lineLengths() throws {
        let html = "<p>" + String(repeating: "酪梨", count: 2500) + "</p>"
        let message = try MailTest.message(subject: String(repeating: "長", count: 300), html: html)
        let lines = try Self.crlfLines(message.rendered())
        #expect(lines.allSatisfy { $0.count <= 998 })
        #expect(lines.allSatisfy { $0.count <= 84 })
    }

    @Test("a long Chinese subject becomes encoded words of at most 75 characters that decode back")
    func encodedWords() throws {
        let subject = "您的訂單 #A1B2 已出貨：台南山丘酪梨園的酪梨禮盒（十二入）與酪梨油，預計明天送達，請留意簽收 🥑👨‍👩‍👧"
        let words = MIMEEncoding.encodedWords(subject)
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 })
        #expect(try Self.decodeWords(words.joined(separator: " ")) == subject)
        for word in words {
            let bytes = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            #expect(String(data: bytes, encoding: .utf8) != nil, "each word holds whole characters")
        }
        let headers = try Self.headers(MailTest.message(subject: subject).rendered())
        #expect(try Self.decodeWords(headers["Subject"] ?? "") == subject)
        #expect(MIMEEncoding.headerText("Order #A1B2 is ready") == "Order #A1B2 is ready")
    }

    @Test("line breaks in the subject, names, Message-ID or extra headers cannot add header fields")
    func headerInjection() throws {
        var message = try MailTest.message(subject: "Hi\r\nBcc: evil@example.com", id: "x\r\nBcc: e@example.com@shop.example.tw")
        message.headers = [("X-Tag\r\nBcc", "a\r\nBcc: evil@example.com"), ("X-Other", "b\nBcc: c\u{2028}d")]
        message.from.name = "Shop\r\nBcc: evil@example.com"
        let bytes = message.rendered()
        let lines = try Self.crlfLines(bytes).map { String(decoding: $0, as: UTF8.self) }
        #expect(!lines.contains { $0.hasPrefix("Bcc") })
        #expect(try Self.headers(bytes)["Subject"] == "Hi  Bcc: evil@example.com")
        #expect(throws: MailAddressError.self) { try MailAddress(name: "a\r\nb", address: "a@b.c") }
        #expect(throws: MailAddressError.self) { try MailAddress(address: "a@b.c\r\nBcc:x@y.z") }
    }

    @Test("RFC 5322 dates in UTC")
    func dates() {
        #expect(MIMEEncoding.date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MIMEEncoding.date(Date(timeIntervalSince1970: 1_796_000_000)) == "Mon, 30 Nov 2026 00:53:20 +0000")
    }

    @Test("addresses: bare, with a Chinese name, quoted with a comma; lists")
    func addresses() throws {
        #expect(try MailAddress(parsing: "shop@example.tw") == MailAddress(address: "shop@example.tw"))
        #expect(try MailAddress(parsing: "台南山丘酪梨園 <shop@example.tw>") == MailAddress(name: "台南山丘酪梨園", address: "shop@example.tw"))
        #expect(try MailAddress(parsing: "\"Name, Inc\" <a@b.c>") == MailAddress(name: "Name, Inc", address: "a@b.c"))
        #expect(try MailAddress(parsing: "root@localhost").address == "root@localhost")
        let list = try MailAddress.parseList("\"Name, Inc\" <a@b.c>, shop@example.tw,台南 <x@y.tw>")
        #expect(list.map(\.address) == ["a@b.c", "shop@example.tw", "x@y.tw"])
        for bad in ["", "no-at.example", "a@@b.c", "@b.c", "a@", "a@nodot", "a b@c.d", "a@b.c\r\nBcc: x@y.z", "Name <a@b.c"] {
            #expect {
                try MailAddress(parsing: bad)
            } throws: { error in
                let description = (error as? MailAddressError)?.description ?? ""
                return description.hasPrefix("not a valid e-mail address") && (bad.isEmpty || description.contains(bad))
            }
        }
        #expect(throws: MailAddressError.self) { try MailAddress.parseList("a@b.c, broken") }
    }

    @Test("dot-stuffing doubles leading dots and adds the terminator")
    func dotStuffing() {
        let data = Array("a\r\n.\r\n..hidden\r\n.end\r\nb.c\r\n".utf8)
        #expect(SMTPClient.dotStuffed(data) == Array("a\r\n..\r\n...hidden\r\n..end\r\nb.c\r\n.\r\n".utf8))
        #expect(SMTPClient.dotStuffed(Array(".x".utf8)) == Array("..x\r\n.\r\n".utf8))
    }
}
