import CVips
import Foundation

/// libvips, in this process: each source is decoded once (shrunk on load where the format allows,
/// turned upright by its EXIF orientation), and every width and format of its plan is made from
/// that one decode. libvips was chosen for its speed and small memory on exactly this work
/// (README, "Images").
enum ImageEncoder {
    /// libvips refused a file or failed to write one: its message.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// What a file's header says, before any pixel is decoded.
    struct Header: Equatable, Sendable {
        let width: Int
        let height: Int
        let hasAlpha: Bool
        /// EXIF orientation 1 to 8 (1 when the file has none).
        let orientation: Int

        /// The size once turned upright: orientations 5 to 8 swap the sides.
        var upright: (width: Int, height: Int) { (5...8).contains(orientation) ? (height, width) : (width, height) }
    }

    /// One encoded file: its width, height and format, and its bytes.
    struct Encoded: Sendable {
        let width: Int
        let height: Int
        let format: ImagePlan.Format
        let bytes: [UInt8]
    }

    /// JPEG, WebP and AVIF quality. WebP at 75 and AVIF at 50 look like JPEG at 80 at fewer bytes.
    static func quality(_ format: ImagePlan.Format) -> Int {
        switch format {
        case .webp: 75
        case .avif: 50
        default: 80
        }
    }

    /// libvips's version and every encoder setting, part of each cache key: a new libvips or a new
    /// setting encodes every image again.
    static var settings: String {
        "libvips \(String(cString: vips_version_string())) jpeg80i webp75e4 avif50e2 png6 strip"
    }

    private static let started: Bool = sf_vips_start("storefront") == 0

    private static func start() throws(Failure) {
        guard started else { throw Failure(description: "libvips could not start: \(takeError())") }
    }

    private static func takeError() -> String {
        guard let text = sf_vips_take_error() else { return "unknown error" }
        defer { g_free(text) }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        // libvips prefixes its messages with the operation ("VipsJpeg: ..."): keep the last line.
        return message.split(separator: "\n").last.map(String.init) ?? "unknown error"
    }

    /// The header of an image in memory.
    static func header(_ bytes: [UInt8]) throws(Failure) -> Header {
        try start()
        var width: Int32 = 0
        var height: Int32 = 0
        var alpha: Int32 = 0
        var orientation: Int32 = 1
        let status = bytes.withUnsafeBytes { sf_vips_header($0.baseAddress, $0.count, &width, &height, &alpha, &orientation) }
        guard status == 0 else { throw Failure(description: takeError()) }
        return Header(width: Int(width), height: Int(height), hasAlpha: alpha != 0, orientation: (1...8).contains(orientation) ? Int(orientation) : 1)
    }

    /// Makes every output of `plan` from `bytes`: the widest is decoded (a vector image is drawn at
    /// that width), each narrower one is shrunk from the one before, and each is written in every
    /// format the plan asks for at its width. Metadata is stripped from all of them.
    static func encode(_ bytes: [UInt8], plan: [ImagePlan.Output], vector: Bool = false) throws(Failure) -> [Encoded] {
        try start()
        let widths = Set(plan.map(\.width)).sorted(by: >)
        guard let widest = widths.first else { return [] }
        guard var image = bytes.withUnsafeBytes({ sf_vips_thumbnail($0.baseAddress, $0.count, Int32(widest), vector ? 1 : 0) }) else {
            throw Failure(description: takeError())
        }
        defer { g_object_unref(image) }
        var out: [Encoded] = []
        for width in widths {
            if Int(vips_image_get_width(image)) > width {
                guard let smaller = sf_vips_shrink(image, Int32(width)) else { throw Failure(description: takeError()) }
                g_object_unref(image)
                image = smaller
            }
            for output in plan where output.width == width {
                out.append(
                    Encoded(
                        width: Int(vips_image_get_width(image)), height: Int(vips_image_get_height(image)), format: output.format,
                        bytes: try save(image, output.format)))
            }
        }
        return out
    }

    private static func save(_ image: UnsafeMutablePointer<VipsImage>, _ format: ImagePlan.Format) throws(Failure) -> [UInt8] {
        let code: Int32
        switch format {
        case .jpeg: code = Int32(SF_VIPS_JPEG)
        case .png: code = Int32(SF_VIPS_PNG)
        case .webp: code = Int32(SF_VIPS_WEBP)
        case .avif: code = Int32(SF_VIPS_AVIF)
        case .gif, .svg: throw Failure(description: "cannot write \(format.rawValue.uppercased())")
        }
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard sf_vips_save(image, code, Int32(quality(format)), &buffer, &length) == 0, let buffer else {
            throw Failure(description: takeError())
        }
        defer { g_free(buffer) }
        let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: length))
        guard format == .webp else { return bytes }
        guard let stripped = WebPChunks.strippingMetadata(bytes) else { throw Failure(description: "libvips wrote a WebP file that is not well formed") }
        return stripped
    }
}
