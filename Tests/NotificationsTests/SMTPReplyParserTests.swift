import Testing

@testable import Notifications

@Suite("SMTP reply parser and steps", .timeLimit(.minutes(2)))
struct SMTPReplyParserTests {
    @Test("a multi-line EHLO reply fed byte by byte gives one reply with its capabilities")
    func multiLineBytewise() throws {
        var parser = SMTPReplyParser()
        let wire = Array("250-mail.example.tw hello\r\n250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-STARTTLS\r\n250 SIZE 1000\r\n".utf8)
        var replies: [SMTPReply] = []
        for byte in wire { replies += try parser.feed([byte]) }
        #expect(replies.count == 1)
        let reply = try #require(replies.first)
        #expect(reply.code == 250)
        #expect(reply.lines == ["mail.example.tw hello", "8BITMIME", "AUTH PLAIN LOGIN", "STARTTLS", "SIZE 1000"])
        #expect(reply.capabilities["AUTH"] == ["PLAIN", "LOGIN"])
        #expect(reply.capabilities["STARTTLS"] == [])
        #expect(!parser.hasBufferedInput)
    }

    @Test("several replies in one read, a bare code, and a split across reads")
    func severalReplies() throws {
        var parser = SMTPReplyParser()
        var replies = try parser.feed(Array("220 ready\r\n250 OK\r\n354\r\n550-5.1.1 no\r\n550 5.1.1 su".utf8))
        #expect(replies.map(\.code) == [220, 250, 354])
        #expect(parser.hasBufferedInput)
        replies = try parser.feed(Array("ch user\n".utf8))
        #expect(replies == [SMTPReply(code: 550, lines: ["5.1.1 no", "5.1.1 such user"])])
        #expect(replies[0].text == "5.1.1 no 5.1.1 such user")
    }

    @Test("malformed lines, changed codes and endless lines are errors")
    func errors() {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.ParseError.self) { try parser.feed(Array("hello\r\n".utf8)) }
        parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.ParseError.codeChanged(expected: 250, got: 251)) { try parser.feed(Array("250-a\r\n251 b\r\n".utf8)) }
        parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.ParseError.lineTooLong) { try parser.feed([UInt8](repeating: 0x41, count: 5000)) }
        parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.ParseError.self) { try parser.feed(Array("25 short\r\n".utf8)) }
    }

    @Test("each step accepts only its code; 5xx is permanent, 4xx temporary")
    func steps() throws {
        try SMTPStep.greeting.check(SMTPReply(code: 220, lines: ["hi"]))
        try SMTPStep.data.check(SMTPReply(code: 354, lines: [""]))
        #expect(throws: SMTPError(isPermanent: true, code: 550, message: "5.1.1 user unknown", command: "RCPT TO")) {
            try SMTPStep.rcptTo.check(SMTPReply(code: 550, lines: ["5.1.1 user unknown"]))
        }
        #expect(SMTPError(isPermanent: true, code: 550, message: "5.1.1 user unknown", command: "RCPT TO").description == "550 5.1.1 user unknown (RCPT TO)")
        #expect {
            try SMTPStep.dataEnd.check(SMTPReply(code: 451, lines: ["4.3.0 later"]))
        } throws: { ($0 as? SMTPError)?.isPermanent == false }
        #expect {
            try SMTPStep.mailFrom.check(SMTPReply(code: 354, lines: ["?"]))
        } throws: { ($0 as? SMTPError)?.isPermanent == false }
    }
}
