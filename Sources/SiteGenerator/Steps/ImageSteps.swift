import Foundation
import StoreModel

extension BuildSteps {
    /// Makes the responsive copies of every image under `content/images/` (`ImageJob`, on both
    /// cores), publishes them and the folder's other files, and leaves what pages need to show them in `context.images`. An
    /// image that cannot be used is named in a warning and left out; pages then leave it out too.
    static let makeImages = BuildStep("make images") { context in
        let plan = try context.require(context.plan, "plan")
        let output = try context.require(context.output, "output")
        let root = context.options.contentDirectory + "/images"
        let cache = ImageCache(directory: ImageCache.location(forOutput: context.options.outputDirectory))
        let scanStart = FileStamp.now()
        let listing = ImageSources.list(root)
        // The other files under content/images/ are published as they are.
        for relative in listing.other {
            if relative.hasPrefix(ImagePlan.copiesFolder) {
                context.report.warnings.append("\(root)/\(relative): \(ImagePlan.reservedFolderProblem); not published")
                continue
            }
            guard let data = FileManager.default.contents(atPath: root + "/" + relative) else { continue }
            try output.put("images/" + relative, data)
        }
        let sources = listing.processed
        guard !sources.isEmpty else {
            context.images = PublishedImages()
            return
        }
        let known = context.options.clean ? [:] : cache.readIndex()
        let avif = plan.store.images.avif
        let settings = ImageEncoder.settings
        let outcomes = await parallelMap(sources, parallelFrom: 2) { relative in
            ImageJob(relative: relative, root: root, known: known[relative], cache: cache, avif: avif, encoderSettings: settings).run(output: output)
        }
        var images = PublishedImages()
        var index: [String: ImageCache.Known] = [:]
        var keys: Set<String> = []
        for outcome in outcomes {
            let sitePath = "/images/" + outcome.relative
            if let problem = outcome.problem {
                images.refused.insert(sitePath)
                context.report.warnings.append("\(root)/\(outcome.relative): \(problem); not published")
            }
            if let known = outcome.known { index[outcome.relative] = known }
            if let key = outcome.key { keys.insert(key) }
            if let image = outcome.image { images.images[sitePath] = image }
            if outcome.encoded { context.report.encodedImages += 1 }
        }
        try cache.writeIndex(index, scanStart: scanStart, unlessEqualTo: known)
        cache.prune(keeping: keys)
        context.images = images
    }
}

/// The files under `content/images/`: those the image step reads (by their extension: JPEG, PNG,
/// WebP, AVIF, GIF, SVG) and the rest, which are published as they are.
enum ImageSources {
    static func list(_ root: String) -> (processed: [String], other: [String]) {
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: root) else { return ([], []) }
        var processed: [String] = []
        var other: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard !name.hasPrefix(".") else {
                enumerator.skipDescendants()
                continue
            }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if ImagePlan.Format(extension: (name as NSString).pathExtension) != nil {
                processed.append(relative)
            } else {
                other.append(relative)
            }
        }
        return (processed.sorted(), other.sorted())
    }
}
