import Foundation
import StoreModel

/// One source under `content/images/` through the image step: read (unless its stamp says it is
/// what the last build read), checked, encoded (unless its cache key is in the cache) and staged.
struct ImageJob: Sendable {
    /// The path under `content/images/`, such as `hass-1kg.jpg` or `farm/tote.png`.
    let relative: String
    let root: String
    let known: ImageCache.Known?
    let cache: ImageCache
    let avif: Bool
    let encoderSettings: String

    /// What became of the source.
    struct Outcome: Sendable {
        var relative: String
        /// What to remember in the cache's index (`nil` when the file could not be read).
        var known: ImageCache.Known?
        /// The cache key whose folder holds its copies, if it has any.
        var key: String?
        var image: PublishedImages.Image?
        /// Why it was refused (`nil` when it was published).
        var problem: String?
        /// Whether it was encoded in this build (not found in the cache).
        var encoded = false
    }

    /// Raster formats the step makes copies of; SVG and GIF are published as they are.
    static let rasterFormats: Set<ImagePlan.Format> = [.jpeg, .png, .webp, .avif]

    func run(output: OutputTree) -> Outcome {
        var outcome = Outcome(relative: relative)
        do {
            try run(output: output, into: &outcome)
        } catch let failure as ImageEncoder.Failure {
            outcome.problem = "cannot be read: \(failure.description)"
        } catch {
            outcome.problem = "\(error)"
        }
        return outcome
    }

    private func run(output: OutputTree, into outcome: inout Outcome) throws {
        if relative.hasPrefix(ImagePlan.copiesFolder) { throw BuildError.io(ImagePlan.reservedFolderProblem) }
        let full = root + "/" + relative
        guard let stamp = FileStamp(path: full) else { throw BuildError.io("cannot be read") }
        var bytes: [UInt8]?
        func read() throws -> [UInt8] {
            if let bytes { return bytes }
            guard let data = FileManager.default.contents(atPath: full) else { throw BuildError.io("cannot be read") }
            bytes = [UInt8](data)
            return bytes!
        }
        let known: ImageCache.Known
        if let previous = self.known, previous.stamp == stamp {
            known = previous
        } else {
            let data = try read()
            guard !data.isEmpty else { throw BuildError.io("is empty (0 bytes)") }
            let sniffed = ImagePlan.Format(sniffing: data)
            let ext = (relative as NSString).pathExtension
            if let problem = ImagePlan.problem(fileExtension: ext, sniffed: sniffed, width: nil, height: nil) { throw BuildError.io(problem) }
            let header = try ImageEncoder.header(data)
            let hash = data.withUnsafeBytes { WordHash.hash($0) }
            known = ImageCache.Known(stamp: stamp, contentHash: hash, format: sniffed!, header: header)
        }
        outcome.known = known
        let header = known.header
        if known.format != .svg,
            let problem = ImagePlan.problem(fileExtension: known.format.fileExtension, sniffed: known.format, width: header.width, height: header.height)
        {
            throw BuildError.io(problem)
        }
        let upright = header.upright
        var image = PublishedImages.Image(width: upright.width, height: upright.height)
        // The outputs: every width and format for a raster, and the source's own format at the
        // widest, published at the source's path in place of the original (whose metadata could
        // tell where a phone took it). An SVG is published as it is, and drawn once as a PNG for
        // og:image and the JSON-LD. A GIF is published as it is.
        var copies: [ImagePlan.Output] = []
        var plan: [ImagePlan.Output] = []
        if Self.rasterFormats.contains(known.format) {
            copies = ImagePlan.outputs(width: upright.width, height: upright.height, hasAlpha: header.hasAlpha, avif: avif)
            plan = copies
            if let widest = copies.last, !copies.contains(where: { $0.width == widest.width && $0.format == known.format }) {
                plan.append(ImagePlan.Output(width: widest.width, height: widest.height, format: known.format))
            }
        } else if known.format == .svg {
            let width = ImagePlan.socialWidth
            let height = max(1, Int((Double(upright.height) * Double(width) / Double(max(upright.width, 1))).rounded()))
            plan = [ImagePlan.Output(width: width, height: height, format: .png)]
        }
        let original = "images/" + relative
        // An SVG or a GIF itself is published as it is: copied, never linked, so that an edit to
        // the owner's file reaches the site only through a build. Its bytes hash to `contentHash`.
        func publishAsIs() throws {
            guard !output.isCurrent(original, inputHash: known.contentHash) else { return }
            try output.put(original, try read(), inputHash: known.contentHash)
        }
        guard !plan.isEmpty else {
            try publishAsIs()
            outcome.image = image
            return
        }
        let key = ImagePlan.cacheKey(contentHash: known.contentHash, outputs: plan, quality: ImageEncoder.quality(.jpeg), encoder: encoderSettings)
        outcome.key = key
        var files = cache.files(key: key)
        if files == nil {
            let encoded = try ImageEncoder.encode(try read(), plan: plan, vector: known.format == .svg)
            files = try cache.store(key: key, encoded)
            outcome.encoded = true
        }
        func stage(_ file: ImageCache.File, at path: String) throws {
            var hasher = FieldHasher()
            hasher.combine(key)
            hasher.combine(file.name)
            try output.put(path, linking: cache.path(key: key, file), outputHash: hasher.value)
        }
        // The files in plan order: `ImageEncoder.encode` makes one per output, widest first.
        let made = (files ?? []).sorted { ($0.width, $0.format.rawValue) < ($1.width, $1.format.rawValue) }
        if known.format == .svg {
            // The SVG itself is what pages show; the drawing is for og:image and the JSON-LD.
            try publishAsIs()
            for file in made {
                let path = ImagePlan.copyPath(of: relative, width: file.width, format: file.format)
                try stage(file, at: path)
                image.social = "/" + path
            }
            outcome.image = image
            return
        }
        let widest = made.map(\.width).max() ?? 0
        var fallback: [ImagePlan.Output] = []
        for file in made {
            if file.width == widest, file.format == known.format {
                try stage(file, at: original)
            }
            guard copies.contains(where: { $0.width == file.width && $0.format == file.format }) else { continue }
            let path = ImagePlan.copyPath(of: relative, width: file.width, format: file.format)
            try stage(file, at: path)
            image.copies[file.format, default: []].append((file.width, "/" + path))
            if file.format == .jpeg || file.format == .png { fallback.append(ImagePlan.Output(width: file.width, height: file.height, format: file.format)) }
        }
        if let sharpest = made.first(where: { $0.width == widest }) { (image.width, image.height) = (sharpest.width, sharpest.height) }
        if let social = ImagePlan.socialImage(of: fallback) {
            image.social = "/" + ImagePlan.copyPath(of: relative, width: social.width, format: social.format)
        }
        outcome.image = image
    }
}
