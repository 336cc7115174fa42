import Foundation
import HTTPTypes
import Hummingbird

/// Builds JSON responses with one encoder configuration.
enum JSONResponse {
    /// Sorted keys make every answer byte-stable (identical 404s, replayable idempotent answers).
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func data(_ value: some Encodable) throws -> Data {
        try encoder().encode(value)
    }

    static func make(status: HTTPResponse.Status, body: some Encodable, headers: HTTPFields = [:]) throws -> Response {
        make(status: status, data: try data(body), headers: headers)
    }

    static func make(status: HTTPResponse.Status, data: Data, headers: HTTPFields = [:]) -> Response {
        make(status: status, buffer: ByteBuffer(bytes: data), headers: headers)
    }

    /// A JSON answer with an already encoded body (shared, never copied).
    static func make(status: HTTPResponse.Status, buffer: ByteBuffer, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        EdgeMiddleware.put(contentType, in: &fields)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }

    static let contentType = HTTPField(name: .contentType, value: "application/json; charset=utf-8")
}

extension HTTPField.Name {
    /// `Idempotency-Key`.
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `X-Request-Id`.
    static let requestID = HTTPField.Name("X-Request-Id")!
    /// `X-Forwarded-For`.
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// ISO 8601 timestamps in UTC with milliseconds, as every answer prints them.
enum Timestamp {
    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if text.count == 10, let date = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return date }
        return nil
    }
}
