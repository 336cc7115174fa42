import StoreModel

/// What the image step published for each source under `content/images/`, by its site path
/// (`/images/hass.jpg`): the sizes and formats pages offer, and the image `og:image` and the
/// JSON-LD use. Paths not in it (remote images, missing files) are shown as written.
struct PublishedImages: Sendable {
    /// One source's published files.
    struct Image: Sendable {
        /// The upright size of the widest copy (a raster), or the drawing's own size (an SVG, when
        /// it gives one): the `width` and `height` attributes, so the layout never shifts.
        var width: Int?
        var height: Int?
        /// The copies per format, narrowest first, as `(width, site path)`. Empty for an image
        /// published as it is (SVG, GIF).
        var copies: [ImagePlan.Format: [(width: Int, path: String)]] = [:]
        /// The file `og:image` and the JSON-LD use: a JPEG or PNG, at least 1200 px wide where the
        /// original allows.
        var social: String?

        /// A hash of everything a page's markup takes from this image (not its pixels): a page is
        /// rendered again only when this changes.
        var markupHash: UInt64 {
            var hasher = FieldHasher()
            hasher.combine(Int64(width ?? -1))
            hasher.combine(Int64(height ?? -1))
            for format in ImagePlan.Format.allCases {
                for copy in copies[format] ?? [] {
                    hasher.combine(format.rawValue)
                    hasher.combine(Int64(copy.width))
                    hasher.combine(copy.path)
                }
            }
            hasher.combine(social)
            return hasher.value
        }

        /// The fallback copies (JPEG or PNG), narrowest first.
        var fallback: [(width: Int, path: String)] { copies[.jpeg] ?? copies[.png] ?? [] }

        /// What a `<picture>` offers of this image, with `url` making a site path a URL: `src`
        /// (the fallback copy near 640 px), the fallback's `srcset`, and an AVIF and a WebP
        /// source where there are copies; `nil` for an image published as it is. The theme's
        /// `partials/picture` and images in Markdown text both show it through this.
        func responsive(url: (String) -> String) -> (src: String, srcset: String, sources: [(type: String, srcset: String)])? {
            let fallback = self.fallback
            guard let src = fallback.first(where: { $0.width >= 640 }) ?? fallback.last else { return nil }
            func srcset(_ copies: [(width: Int, path: String)]) -> String { copies.map { "\(url($0.path)) \($0.width)w" }.joined(separator: ", ") }
            let sources = [ImagePlan.Format.avif, .webp].compactMap { format -> (type: String, srcset: String)? in
                guard let copies = self.copies[format], !copies.isEmpty else { return nil }
                return ("image/" + format.rawValue, srcset(copies))
            }
            return (url(src.path), srcset(fallback), sources)
        }
    }

    var images: [String: Image] = [:]
    /// Sources the step refused (damaged, lying about their format, too many pixels): pages leave
    /// them out rather than show a broken image.
    var refused: Set<String> = []

    subscript(path: String) -> Image? { images[path] }

    /// Whether a page may show `path`.
    func isShown(_ path: String) -> Bool { !refused.contains(path) }

    /// The hash of the markup of some images, for a page's input hash.
    func markupHash(of paths: some Sequence<String>) -> UInt64 {
        var hasher = FieldHasher()
        for path in paths {
            hasher.combine(path)
            hasher.combine(Int64(bitPattern: images[path]?.markupHash ?? (refused.contains(path) ? 1 : 0)))
        }
        return hasher.value
    }

    /// The image a product's card and its search result show: the first of its candidates that
    /// was not refused.
    func cardImage(of group: ProductGroup) -> String? {
        group.cardImageCandidates.first(where: isShown)
    }

    /// `hash` with the markup of a product's images added (`pageImages` or `cardImageCandidates`); `hash`
    /// itself when the shop has no images under `content/images/`.
    func adding(_ which: (ProductGroup) -> [String], of group: ProductGroup, to hash: UInt64) -> UInt64 {
        guard !images.isEmpty || !refused.isEmpty else { return hash }
        return adding(which(group), to: hash)
    }

    /// `hash` with the markup of `paths` added; `hash` itself when the shop has no images.
    func adding(_ paths: [String], to hash: UInt64) -> UInt64 {
        guard !images.isEmpty || !refused.isEmpty else { return hash }
        var hasher = FieldHasher(seed: hash)
        hasher.combine(Int64(bitPattern: markupHash(of: paths)))
        return hasher.value
    }

    /// The site path of a small copy for a list of search results (the narrowest fallback), or the
    /// path itself.
    func thumbnail(_ path: String) -> String {
        images[path]?.fallback.first?.path ?? path
    }

    /// The site path `og:image` and the JSON-LD use for `path`.
    func social(_ path: String) -> String {
        images[path]?.social ?? path
    }
}
