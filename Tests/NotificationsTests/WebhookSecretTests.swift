import Foundation
import Testing

@testable import Notifications

@Suite(.timeLimit(.minutes(2))) struct WebhookSecretTests {
    static let specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let specID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let specTimestamp: Int64 = 1_614_265_330
    static let specBody = Array(#"{"test": 2432232314}"#.utf8)
    static let specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let specNow = Date(timeIntervalSince1970: TimeInterval(specTimestamp))

    @Test func theSpecificationVectorSignsAsPublished() throws {
        let secret = try WebhookSecret(encoded: Self.specSecret)
        #expect(secret.signature(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody) == Self.specSignature)
        #expect(secret.encoded == Self.specSecret)
    }

    @Test func verifyAcceptsTheSpecificationVector() throws {
        let secret = try WebhookSecret(encoded: Self.specSecret)
        #expect(secret.verify(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: Self.specSignature, now: Self.specNow))
    }

    @Test func verifyAcceptsOneMatchAmongSeveralSignatures() throws {
        let secret = try WebhookSecret(encoded: Self.specSecret)
        let other = WebhookSecret.generate().signature(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody)
        let header = "v2,notours \(other)  \(Self.specSignature)"
        #expect(secret.verify(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: header, now: Self.specNow))
        #expect(!secret.verify(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: other, now: Self.specNow))
    }

    @Test func verifyRejectsTamperedMessages() throws {
        let secret = try WebhookSecret(encoded: Self.specSecret)
        let signature = Self.specSignature
        let now = Self.specNow
        #expect(
            !secret.verify(id: Self.specID, timestamp: Self.specTimestamp, body: Array(#"{"test": 2432232315}"#.utf8), signatureHeader: signature, now: now))
        #expect(!secret.verify(id: "msg_other", timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: signature, now: now))
        #expect(!secret.verify(id: Self.specID, timestamp: Self.specTimestamp + 1, body: Self.specBody, signatureHeader: signature, now: now))
        #expect(!secret.verify(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: "v1,AAAA", now: now))
        #expect(!secret.verify(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: "", now: now))
        #expect(!secret.verify(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: "v1,%%%", now: now))
        let otherSecret = try WebhookSecret(encoded: "whsec_" + Data(repeating: 7, count: 24).base64EncodedString())
        #expect(!otherSecret.verify(id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: signature, now: now))
    }

    @Test func verifyRejectsTimestampsOutsideTheTolerance() throws {
        let secret = try WebhookSecret(encoded: Self.specSecret)
        func verify(at offset: TimeInterval, tolerance: Duration = .seconds(300)) -> Bool {
            secret.verify(
                id: Self.specID, timestamp: Self.specTimestamp, body: Self.specBody, signatureHeader: Self.specSignature,
                now: Self.specNow.addingTimeInterval(offset), tolerance: tolerance)
        }
        #expect(verify(at: 300))
        #expect(verify(at: -300))
        #expect(!verify(at: 301))
        #expect(!verify(at: -301))
        #expect(!verify(at: 3600))
        #expect(verify(at: 3600, tolerance: .seconds(3600)))
        #expect(!verify(at: 2, tolerance: .seconds(1)))
    }

    @Test func generatedSecretsRoundTripThroughTheirEncoding() throws {
        let first = WebhookSecret.generate()
        let second = WebhookSecret.generate()
        #expect(first != second)
        #expect(first.encoded.hasPrefix("whsec_"))
        let key = try #require(Data(base64Encoded: String(first.encoded.dropFirst(6))))
        #expect((24...32).contains(key.count))
        let decoded = try WebhookSecret(encoded: first.encoded)
        #expect(decoded == first)
        let signature = first.signature(id: "msg_1", timestamp: 1_700_000_000, body: [1, 2, 3])
        #expect(
            decoded.verify(id: "msg_1", timestamp: 1_700_000_000, body: [1, 2, 3], signatureHeader: signature, now: Date(timeIntervalSince1970: 1_700_000_000)))
    }

    @Test func malformedSecretsAreRefused() {
        let texts = [
            "", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_" + Data(count: 8).base64EncodedString(),
            "whsec_" + Data(count: 65).base64EncodedString(), "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ]
        for text in texts {
            #expect(throws: WebhookSecretError.self, "\(text)") { try WebhookSecret(encoded: text) }
        }
    }

    @Test func theDescriptionNeverShowsTheKey() throws {
        let secret = try WebhookSecret(encoded: Self.specSecret)
        #expect(!String(describing: secret).contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        #expect(!"\(secret)".contains("MfKQ"))
    }
}
