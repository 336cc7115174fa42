import NIOCore

/// One line from an SMTP client, without its line ending, or a marker for a line that was too long
/// (its bytes are dropped up to the next line feed).
enum SMTPLine: Sendable, Hashable {
    case line([UInt8])
    case tooLong
}

/// Splits the byte stream at line feeds (a CR before the LF is removed), enforcing a length limit.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPLine

    /// RFC 5321's limit for a text line: 998 octets and CRLF.
    static let maximumLineLength = 998
    private var discarding = false

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > Self.maximumLineLength + 1 {
                if !discarding { context.fireChannelRead(wrapInboundOut(.tooLong)) }
                discarding = true
                buffer.moveReaderIndex(forwardBy: view.count)
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        var bytes = buffer.readBytes(length: length + 1)!
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        if discarding {
            discarding = false
        } else {
            context.fireChannelRead(wrapInboundOut(bytes.count > Self.maximumLineLength ? .tooLong : .line(bytes)))
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
