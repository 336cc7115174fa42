import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Sends the gateway's server-to-server notifications, resending until the receiver acknowledges
/// them (ECPay: the body `1|OK`; Stripe: any 2xx) or the attempts run out.
///
/// The first send happens in the caller's task. Resends are handed to the sandbox's
/// ``ResendService``, which runs them as child tasks of its own: they end when that service ends,
/// so no notification outlives the server (or test) that started the sandbox.
struct Notifier: Sendable {
    let attempts: Int
    let interval: Duration
    let resends: ResendService
    let logger: Logger

    /// What counts as an acknowledgement.
    enum Acknowledgement: Sendable {
        case ecpay
        case stripe
    }

    /// One message to deliver.
    struct Message: Sendable {
        var url: String
        var body: String
        var contentType: String
        var headers: [(String, String)] = []
        var acknowledgement: Acknowledgement
    }

    /// Sends once now; when that is not acknowledged, schedules the remaining attempts on the
    /// resend service. Returns whether the first send was acknowledged.
    @discardableResult
    func deliver(_ message: Message) async -> Bool {
        if await send(message, attempt: 1) { return true }
        guard attempts > 1 else { return false }
        resends.schedule { await self.resend(message) }
        return false
    }

    /// Sends with resends, waiting for the outcome; returns whether it was acknowledged.
    func deliverAndWait(_ message: Message) async -> Bool {
        for attempt in 1...attempts {
            if attempt > 1 {
                do { try await Task.sleep(for: interval) } catch { return false }
            }
            if await send(message, attempt: attempt) { return true }
        }
        return false
    }

    /// Attempts 2 and later, a pause before each; stops early when cancelled (the sandbox stopped).
    private func resend(_ message: Message) async {
        for attempt in 2...attempts {
            do { try await Task.sleep(for: interval) } catch { return }
            if await send(message, attempt: attempt) { return }
        }
        logger.warning("notification never acknowledged", metadata: ["url": "\(message.url)", "attempts": "\(attempts)"])
    }

    private func send(_ message: Message, attempt: Int) async -> Bool {
        var request = HTTPClientRequest(url: message.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: message.contentType)
        request.headers.add(name: "User-Agent", value: "storefront-payment-sandbox")
        for (name, value) in message.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: message.body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 64 * 1024))
            let accepted: Bool
            switch message.acknowledgement {
            case .ecpay: accepted = response.status == .ok && body == "1|OK"
            case .stripe: accepted = (200..<300).contains(Int(response.status.code))
            }
            logger.info(
                "notification sent",
                metadata: [
                    "url": "\(message.url)", "attempt": "\(attempt)", "status": "\(response.status.code)", "reply": "\(body.prefix(120))",
                    "accepted": "\(accepted)",
                ])
            return accepted
        } catch {
            logger.warning("notification failed", metadata: ["url": "\(message.url)", "attempt": "\(attempt)", "error": "\(error)"])
            return false
        }
    }
}
