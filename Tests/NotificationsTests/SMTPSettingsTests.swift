import Testing

@testable import Notifications

@Suite("SMTP_URL settings", .timeLimit(.minutes(2)))
struct SMTPSettingsTests {
    @Test(
        "valid URLs",
        arguments: [
            ("smtp://user:pass@mail.example.tw:587", "mail.example.tw", 587, SMTPSettings.Security.startTLS, "user", "pass"),
            ("smtp://mail.example.tw", "mail.example.tw", 587, .startTLS, nil, nil),
            ("smtps://a%40b.tw:p%3Ass%20w@smtp.example.tw", "smtp.example.tw", 465, .implicitTLS, "a@b.tw", "p:ss w"),
            ("smtps://u:p@smtp.example.tw:2465", "smtp.example.tw", 2465, .implicitTLS, "u", "p"),
            ("smtp://127.0.0.1:2525?tls=none", "127.0.0.1", 2525, .none, nil, nil),
            ("smtp://localhost:25/?tls=none", "localhost", 25, .none, nil, nil),
            ("smtp://[::1]:2525?tls=none", "::1", 2525, .none, nil, nil),
        ] as [(String, String, Int, SMTPSettings.Security, String?, String?)])
    func valid(url: String, host: String, port: Int, security: SMTPSettings.Security, user: String?, password: String?) throws {
        let settings = try SMTPSettings(url: url)
        #expect(settings.host == host)
        #expect(settings.port == port)
        #expect(settings.security == security)
        #expect(settings.username == user)
        #expect(settings.password == password)
    }

    @Test(
        "invalid URLs say SMTP_URL and what is wrong, never the password",
        arguments: [
            ("http://user:secretpw@mail.example.tw", "scheme"),
            ("mail.example.tw:587", "must look like"),
            ("smtp://user:secretpw@", "no host"),
            ("smtp://user:secretpw@mail.example.tw:0", "port"),
            ("smtp://user:secretpw@mail.example.tw:70000", "port"),
            ("smtp://user:secretpw@mail.example.tw:abc", "port"),
            ("smtp://user:secretpw@mail.example.tw?foo=bar", "unknown query parameter foo"),
            ("smtp://user:secretpw@mail.example.tw?tls=none", "loopback"),
            ("smtp://user:secretpw@10.0.0.1:25?tls=none", "loopback"),
            ("smtps://user:secretpw@127.0.0.1?tls=none", "smtps"),
            ("smtp://user:secretpw@127.0.0.1?tls=yes", "tls must be none"),
            ("smtp://user:secretpw@mail.example.tw/path", "path"),
        ])
    func invalid(url: String, complaint: String) {
        #expect {
            try SMTPSettings(url: url)
        } throws: { error in
            let description = (error as? SMTPSettingsError)?.description ?? ""
            return description.hasPrefix("SMTP_URL ") && description.contains(complaint) && !description.contains("secretpw")
        }
    }

    @Test("the EHLO name cannot carry a second command")
    func heloName() {
        let settings = SMTPSettings(host: "127.0.0.1", port: 25, security: .none)
        #expect(SMTPClient(settings: settings, heloName: "shop.example.tw\r\nRSET", logger: MailTest.logger).heloName == "shop.example.twRSET")
        #expect(SMTPClient(settings: settings, heloName: "\r\n", logger: MailTest.logger).heloName == "localhost")
        #expect(SMTPClient(settings: settings, logger: MailTest.logger).heloName == "localhost")
    }

    @Test("redacted hides the password")
    func redacted() throws {
        let settings = try SMTPSettings(url: "smtp://shop%40example.tw:topsecret@mail.example.tw:587")
        #expect(settings.redacted == "smtp://shop%40example.tw:***@mail.example.tw:587")
        #expect(try SMTPSettings(url: "smtp://127.0.0.1:2525?tls=none").redacted == "smtp://127.0.0.1:2525?tls=none")
    }
}
