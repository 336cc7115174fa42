/// The chunks of a WebP file (RIFF): libvips 8.14 writes an EXIF chunk into every WebP even when
/// asked to strip metadata (one it makes up: resolution and size, no camera or position), so the
/// image step takes the metadata chunks out itself.
enum WebPChunks {
    /// `bytes` without its EXIF, XMP and ICC chunks, and with their flags cleared in the `VP8X`
    /// header; `nil` when `bytes` is not a well-formed WebP file.
    static func strippingMetadata(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WEBP".utf8) else { return nil }
        var out: [UInt8] = Array(bytes[0..<12])
        var offset = 12
        while offset < bytes.count {
            guard offset + 8 <= bytes.count else { return nil }
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            let end = offset + 8 + size + (size & 1)
            guard end <= bytes.count || (end == bytes.count + 1 && size & 1 == 1) else { return nil }
            let fourCC = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            if !["EXIF", "XMP ", "ICCP"].contains(fourCC) {
                var chunk = Array(bytes[offset..<min(end, bytes.count)])
                // VP8X flags: ICC 0x20, EXIF 0x08, XMP 0x04.
                if fourCC == "VP8X", chunk.count > 8 { chunk[8] &= ~UInt8(0x20 | 0x08 | 0x04) }
                out += chunk
            }
            offset = end
        }
        let riffSize = UInt32(out.count - 8)
        for index in 0..<4 { out[4 + index] = UInt8(truncatingIfNeeded: riffSize >> (8 * UInt32(index))) }
        return out
    }
}
