import StoreModel

/// What the image step makes of one source image, decided before any pixel is read or written:
/// the widths, the formats, the `sizes` each place in the theme's layout needs, the cache key, and
/// the checks that refuse a file (a format that is not what its name says, or too many pixels).
/// Pure functions; the encoder (libvips) only carries the plan out.
enum ImagePlan {
    /// The widths made, never wider than the original.
    static let standardWidths = [320, 640, 960, 1280, 1600]
    /// The smallest width `og:image` and the JSON-LD `image` should have where the original allows.
    static let socialWidth = 1200
    /// The most pixels a source may have: 50 megapixels (a 40-megapixel phone photo passes; a
    /// 30,000 × 30,000 decompression bomb, 900 megapixels, does not).
    static let pixelLimit = 50_000_000

    /// A format, by what the file's first bytes say.
    enum Format: String, Sendable, CaseIterable {
        case jpeg, png, webp, gif, avif, svg

        /// The file extension written for it.
        var fileExtension: String { self == .jpeg ? "jpg" : rawValue }

        /// The format the extension names (`JPG` and `jpeg` are JPEG), or `nil`.
        init?(extension ext: String) {
            switch ext.lowercased() {
            case "jpg", "jpeg": self = .jpeg
            case let other: self.init(rawValue: other)
            }
        }

        /// The format of `bytes` by its signature, or `nil` when it is none of these.
        init?(sniffing bytes: some Collection<UInt8>) {
            let head = Array(bytes.prefix(512))
            func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
                head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
            }
            if starts([0xFF, 0xD8, 0xFF]) {
                self = .jpeg
            } else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
                self = .png
            } else if starts(Array("RIFF".utf8)), starts(Array("WEBP".utf8), at: 8) {
                self = .webp
            } else if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) {
                self = .gif
            } else if starts(Array("ftyp".utf8), at: 4), starts(Array("avif".utf8), at: 8) || starts(Array("avis".utf8), at: 8) {
                self = .avif
            } else {
                // SVG is text: an optional BOM, XML declaration, comments or whitespace, then <svg.
                let text = String(decoding: head, as: UTF8.self)
                guard text.range(of: "<svg", options: .caseInsensitive) != nil else { return nil }
                self = .svg
            }
        }
    }

    /// Where an image sits in the theme's layout, which decides its `sizes`.
    enum Place: Sendable {
        /// The product page's main image: the gallery, full width on a phone (less the page's
        /// 1 rem margins), and the left column (1.1 of 2.1 parts of at most 72 rem, less gaps) from 56 rem.
        case productMain
        /// A card in a product grid: 2 columns, 3 from 40 rem, 4 from 64 rem.
        case card
        /// An image in a page's text, at most 46 rem wide.
        case prose

        /// The slot's width at each of site.css's breakpoints, widest first, and the default.
        var slots: (conditions: [(media: String, length: String)], otherwise: String) {
            switch self {
            case .productMain: ([("(min-width: 56rem)", "min(35.5rem, 52vw)")], "calc(100vw - 2rem)")
            case .card: ([("(min-width: 64rem)", "min(17rem, 24vw)"), ("(min-width: 40rem)", "31vw")], "48vw")
            case .prose: ([("(min-width: 48rem)", "46rem")], "calc(100vw - 2rem)")
            }
        }

        /// The `sizes` attribute for this place (site.css's breakpoints), for an image of any shape.
        var sizes: String { sizes(width: 1, height: 1) }

        /// The `sizes` attribute for a `width` × `height` image: how wide it is drawn in the slot.
        /// The gallery fits an image into a square (`object-fit: contain`), so a portrait image is
        /// drawn narrower than the slot; a card fills a square (`cover`), so a landscape image is
        /// drawn wider. Text shows an image at the column's width.
        func sizes(width: Int, height: Int) -> String {
            let ratio = width > 0 && height > 0 ? Double(width) / Double(height) : 1
            let factor: Double
            switch self {
            case .productMain: factor = min(1, ratio)
            case .card: factor = max(1, ratio)
            case .prose: factor = 1
            }
            let scaled = { (length: String) -> String in
                guard abs(factor - 1) >= 0.005 else { return length }
                let digits = String(format: "%.2f", factor)
                return length.hasPrefix("calc(") ? "calc((\(length.dropFirst(5).dropLast())) * \(digits))" : "calc(\(length) * \(digits))"
            }
            let (conditions, otherwise) = slots
            return (conditions.map { "\($0.media) \(scaled($0.length))" } + [scaled(otherwise)]).joined(separator: ", ")
        }
    }

    /// One file to make: a width and a format.
    struct Output: Hashable, Sendable {
        let width: Int
        let height: Int
        let format: Format
    }

    /// The widths to make of an original `width` pixels wide: each standard width below it, and
    /// the original's own width when it is below the largest standard one (so the sharpest copy is
    /// never upscaled and never missing).
    static func widths(forOriginal width: Int) -> [Int] {
        guard width > 0 else { return [] }
        let out = standardWidths.filter { $0 < width }
        return width <= standardWidths.last! ? out + [width] : out
    }

    /// Every file to make of a `width` × `height` source: WebP at each width, and the fallback at
    /// each width: PNG where the source has transparency, else JPEG; AVIF too when opted in.
    static func outputs(width: Int, height: Int, hasAlpha: Bool, avif: Bool) -> [Output] {
        var formats: [Format] = [.webp, hasAlpha ? .png : .jpeg]
        if avif { formats.insert(.avif, at: 0) }
        return widths(forOriginal: width).flatMap { w in
            let h = max(1, Int((Double(height) * Double(w) / Double(width)).rounded()))
            return formats.map { Output(width: w, height: h, format: $0) }
        }
    }

    /// The output `og:image` and the JSON-LD use: the fallback format (Google and the social
    /// networks take no AVIF) at the smallest width of at least `socialWidth`, else the widest.
    static func socialImage(of outputs: [Output]) -> Output? {
        let fallback = outputs.filter { $0.format == .jpeg || $0.format == .png }.sorted { $0.width < $1.width }
        return fallback.first { $0.width >= socialWidth } ?? fallback.last
    }

    /// Why a source cannot be used, or `nil`: its bytes are not the format its name says, or are
    /// no image this step reads, or it has more than `pixelLimit` pixels.
    static func problem(fileExtension: String, sniffed: Format?, width: Int?, height: Int?) -> String? {
        guard let sniffed else { return "is not a JPEG, PNG, WebP, GIF, AVIF or SVG image (its first bytes are none of them)" }
        if let named = Format(extension: fileExtension), named != sniffed {
            return "is named .\(fileExtension) but holds a \(sniffed.rawValue.uppercased()) image"
        }
        if let width, let height {
            guard width > 0, height > 0 else { return "has no pixels (\(width) × \(height))" }
            if width.multipliedReportingOverflow(by: height).overflow || width * height > pixelLimit {
                return "has \(width) × \(height) pixels, more than the limit of \(pixelLimit / 1_000_000) megapixels"
            }
        }
        return nil
    }

    /// The folder under the site's `images/` that holds the copies the step makes.
    static let copiesFolder = "_v/"
    /// Why a file the owner put in `copiesFolder` is not published.
    static let reservedFolderProblem = "is under images/_v/, where the build puts the copies it makes: move it to another folder"

    /// The site path (without the leading `/`) of one copy of the source at `relative` under
    /// `content/images/`: `images/_v/`, the source's folders and name without its extension, the
    /// width, and the format's extension (`farm/tote.png` at 640 as WebP is
    /// `images/_v/farm/tote-640.webp`). Not named by the bytes: a page that shows the image is
    /// unchanged when only the pixels change.
    static func copyPath(of relative: String, width: Int, format: Format) -> String {
        let stem = relative.lastIndex(of: ".").map { relative[..<$0] } ?? Substring(relative)
        return "images/" + copiesFolder + stem + "-\(width)." + format.fileExtension
    }

    /// The cache key of a source's outputs: its bytes' hash and every setting that changes them.
    /// An image whose key is unchanged is never encoded again.
    static func cacheKey(contentHash: UInt64, outputs: [Output], quality: Int, encoder: String) -> String {
        var hasher = FieldHasher()
        hasher.combine("image plan 1")
        hasher.combine(Int64(bitPattern: contentHash))
        for output in outputs {
            hasher.combine(Int64(output.width))
            hasher.combine(Int64(output.height))
            hasher.combine(output.format.rawValue)
        }
        hasher.combine(Int64(quality))
        hasher.combine(encoder)
        return FNV1a.hex(hasher.value)
    }
}
