import CZlib

/// gzip through the system zlib: the search index's term shards are stored compressed, because a
/// CDN compresses text but sends `.bin` files as they are (the script inflates them with the
/// browser's `DecompressionStream`).
enum Gzip {
    /// zlib failed: its return code.
    struct Failure: Error, Equatable {
        let code: Int32
    }

    /// `bytes` as one gzip member, with no name or time in the header: the same bytes always give
    /// the same output with one zlib. Level 4: on 19 MB of term shards (100,000 products) it takes
    /// 0.5 s for 5.7 MB, where level 6 takes 1.9 s for 5.3 MB and level 9 takes 19 s for 5.1 MB.
    static func compress(_ bytes: [UInt8], level: Int32 = 4) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip wrapper; memLevel 9; the default strategy.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { fatalError("zlib could not start deflate") }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        var input = bytes
        let written = input.withUnsafeMutableBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                // deflateBound leaves room for all of it, so one call finishes.
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END, "deflateBound gave too little room")
                return target.count - Int(stream.avail_out)
            }
        }
        out.removeSubrange(written...)
        return out
    }

    /// The bytes of one gzip member.
    static func decompress(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw Failure(code: Z_MEM_ERROR) }
        defer { inflateEnd(&stream) }
        var input = bytes
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let code: Int32 = input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let (result, produced) = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    return (result, target.count - Int(stream.avail_out))
                }
                out.append(contentsOf: chunk[..<produced])
                if result == Z_STREAM_END { return Z_OK }
                if result != Z_OK { return result == Z_BUF_ERROR ? Z_DATA_ERROR : result }
            }
        }
        guard code == Z_OK else { throw Failure(code: code) }
        return out
    }
}
