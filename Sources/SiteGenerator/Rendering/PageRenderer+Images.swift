import StoreModel

extension PageRenderer {
    /// An image as the theme's `partials/picture` shows it: `src` (a fallback copy near 640 px),
    /// `srcset` and `sizes` for the fallback format under `hasSrcset`, `sources` (`type`, `srcset`) for AVIF and
    /// WebP, `width`/`height` under `hasSize`, `alt`, `original` (the path as the content gives
    /// it), and `priority` for the one image a page loads first (`fetchpriority="high"`; every
    /// other image is `loading="lazy"`).
    func picture(_ path: String, alt: String, place: ImagePlan.Place, priority: Bool = false) -> TemplateValue {
        var view: [String: TemplateValue] = [
            "src": .string(imageURL(path)), "alt": .string(alt), "original": .string(imageURL(path)), "priority": .bool(priority),
            "hasSize": false, "hasSrcset": false, "sources": .list([]),
        ]
        guard let image = images[path] else { return .object(view) }
        if let width = image.width, let height = image.height, width > 0, height > 0 {
            view["hasSize"] = true
            view["width"] = .int(Int64(width))
            view["height"] = .int(Int64(height))
        }
        guard let responsive = image.responsive(url: imageURL) else { return .object(view) }
        view["src"] = .string(responsive.src)
        view["hasSrcset"] = true
        view["srcset"] = .string(responsive.srcset)
        view["sizes"] = .string(place.sizes(width: image.width ?? 1, height: image.height ?? 1))
        view["sources"] = .objects(responsive.sources.map { ["type": .string($0.type), "srcset": .string($0.srcset)] })
        return .object(view)
    }

    /// The absolute URL `og:image` and the JSON-LD give for an image: its JPEG or PNG copy of at
    /// least 1200 px where there is one (an SVG's drawing), else the image as the content gives it.
    func socialImageURL(_ path: String) -> String {
        absoluteImageURL(images.social(path))
    }

    /// The images of a list that pages show: those the image step refused are left out.
    func shown(_ paths: [String]) -> [String] {
        paths.filter(images.isShown)
    }
}
