import Foundation
import StoreModel

/// Bumped whenever the generator's output changes for the same input, to force a full build.
let generatorOutputVersion = "storefront-generator 1"

extension BuildSteps {
    static let openOutput = BuildStep("open output") { context in
        let plan = try context.require(context.plan, "plan")
        let theme = try context.require(context.theme, "theme")
        var global = FNV1a.hash64(generatorOutputVersion.utf8, seed: theme.fingerprint)
        let store = plan.store
        let settings =
            [
                store.name, store.description, store.baseURL, store.locale, store.currency.code, store.apiURL,
                store.paymentMethods.map(\.rawValue).joined(separator: ","), store.shipping.flatFee.description,
                store.shipping.freeShippingThreshold?.description ?? "-", store.contact.email ?? "", store.contact.phone ?? "",
                store.contact.address ?? "", String(store.pageSize), context.siteStatus?.announcement ?? "",
            ] + plan.categories.map { "c:" + $0.name } + plan.pages.map { "p:\($0.slug):\($0.title)" }
        global = FNV1a.hash64(settings.joined(separator: "\u{1}").utf8, seed: global)
        let live = context.options.outputDirectory
        let manifestPath = BuildManifest.location(forOutput: live)
        let previous = context.options.clean ? nil : BuildManifest.read(from: manifestPath)
        let liveExists = FileManager.default.fileExists(atPath: live + "/index.html")
        let full = previous == nil || previous?.globalHash != global || !liveExists
        context.output = try OutputTree(liveDirectory: live, isFullBuild: full, previous: previous, globalHash: global, inputsHash: context.inputsHash)
        context.report.fullBuild = full
    }

    static let renderPages = BuildStep("render pages") { context in
        let plan = try context.require(context.plan, "plan")
        let theme = try context.require(context.theme, "theme")
        let output = try context.require(context.output, "output")
        let images = context.images ?? PublishedImages()
        let renderer = PageRenderer(
            plan: plan, theme: theme, buildYear: context.options.resolvedBuildYear, images: images,
            announcement: context.siteStatus?.announcement ?? "")
        let basePath = plan.store.basePath
        enum Job: Sendable { case product(Int), listing(Int), page(Int) }
        let jobs: [Job] = plan.products.indices.map(Job.product) + plan.pages.indices.map(Job.page) + plan.listings.indices.map(Job.listing)
        // A page's input includes the markup of the images it shows (their sizes and copies, not
        // their pixels): a new photo of the same shape renders nothing again.
        let cardHashes = plan.groups.map { images.adding(\.cardImageCandidates, of: $0, to: $0.cardHash) }
        // Jobs go to the workers in runs, so that what each run finds current is recorded in the
        // next manifest under one lock rather than one per page.
        let runLength = 512
        let results = await parallelMap(Array(stride(from: 0, to: jobs.count, by: runLength)), parallelFrom: 2) {
            start -> Result<[(String, Int, String, String)], Error> in
            var carried = OutputTree.CarriedOver()
            defer { output.record(carried) }
            var links: [(String, Int, String, String)] = []
            do {
                for job in jobs[start..<min(start + runLength, jobs.count)] {
                    switch job {
                    case .product(let index):
                        let product = plan.products[index]
                        links += try renderMarkdownPage(
                            sitePath: plan.productPaths[index], source: product.sourcePath,
                            inputHash: images.adding(
                                { $0.pageImages + ProseImages.referencedPaths(product.description) }, of: plan.groups[index],
                                to: plan.groups[index].pageHash),
                            markdown: product.description, firstLine: product.descriptionLine, basePath: basePath, output: output, carried: &carried
                        ) { renderer.product(index, rendered: $0) }
                    case .page(let index):
                        let page = plan.pages[index]
                        links += try renderMarkdownPage(
                            sitePath: page.path, source: page.sourcePath,
                            inputHash: images.adding(
                                ProseImages.referencedPaths(page.body),
                                to: FNV1a.hash64("\(page.title)\u{1}\(page.summary ?? "")\u{1}\(page.body)".utf8)),
                            markdown: page.body, firstLine: page.bodyLine, basePath: basePath, output: output, carried: &carried
                        ) { renderer.page(index, rendered: $0) }
                    case .listing(let index):
                        let listing = plan.listings[index]
                        let path = SitePlan.filePath(forSitePath: listing.sitePath)
                        var hasher = FieldHasher()
                        hasher.combine(listing.kind.rawValue)
                        hasher.combine(listing.heading)
                        hasher.combine(listing.number)
                        hasher.combine(listing.totalPages)
                        for member in listing.members { hasher.combine(Int64(bitPattern: cardHashes[member])) }
                        let hash = hasher.value
                        if output.isCurrent(path, inputHash: hash, into: &carried) { continue }
                        try output.put(path, renderer.listing(listing), inputHash: hash)
                        output.noteRendered()
                    }
                }
                return .success(links)
            } catch {
                return .failure(error)
            }
        }
        for result in results {
            for link in try result.get() {
                context.links.append((source: link.0, line: link.1, url: link.2, fromPath: link.3))
            }
        }
        let fixed: [(String, String, String, String)] =
            [
                ("cart", "cart", "cart", SitePlan.cartPath),
                ("checkout", "checkout", "checkout", SitePlan.checkoutPath),
                ("order", "order", "orderStatus", SitePlan.orderPath),
                ("404", "notFound", "notFound", SitePlan.notFoundPath),
            ] + (theme.hasSearch ? [("search", "search", "search", SitePlan.searchPath)] : [])
        // The owner's admin page, when the theme has one: not linked from the shop, not in the sitemap.
        if renderer.hasTemplate("admin") {
            let html = renderer.fixed(template: "admin", kind: "admin", titleKey: "admin", sitePath: SitePlan.adminPath)
            try output.put(SitePlan.filePath(forSitePath: SitePlan.adminPath), html)
            output.noteRendered()
        }
        for (template, kind, titleKey, sitePath) in fixed {
            let html = renderer.fixed(template: template, kind: kind, titleKey: titleKey, sitePath: sitePath)
            try output.put(SitePlan.filePath(forSitePath: sitePath), html)
            output.noteRendered()
        }
    }

    /// Renders a page made from one Markdown source unless its inputs are unchanged, and returns
    /// the internal links of a source it rendered. An unchanged source's links were checked by the
    /// build that rendered them; they are carried into the next manifest, and `checkLinks` checks
    /// them again only when some earlier output has gone (`OutputTree.lostOutputs`).
    private static func renderMarkdownPage(
        sitePath: String, source: String, inputHash: UInt64, markdown: String, firstLine: Int, basePath: String,
        output: OutputTree, carried: inout OutputTree.CarriedOver, html: (Markdown.Rendered) -> [UInt8]
    ) throws -> [(String, Int, String, String)] {
        let path = SitePlan.filePath(forSitePath: sitePath)
        if output.isCurrent(path, linksOf: source, inputHash: inputHash, into: &carried) {
            return []
        }
        let rendered = Markdown.render(markdown, basePath: basePath)
        try output.put(path, html(rendered), inputHash: inputHash)
        output.noteRendered()
        let links = rendered.links.map { (line: $0.line + firstLine - 1, url: $0.url) }
        output.recordLinks(source: source, hash: inputHash, urls: links.map { "\($0.line) \($0.url)" })
        return links.map { (source, $0.line, $0.url, sitePath) }
    }

    static let checkLinks = BuildStep("check links") { context in
        let output = try context.require(context.output, "output")
        let plan = try context.require(context.plan, "plan")
        if output.lostOutputs() {
            // A page or file that links may point at is gone: every kept source's links are checked again.
            var sitePathBySource: [String: String] = [:]
            for (product, path) in zip(plan.products, plan.productPaths) { sitePathBySource[product.sourcePath] = path }
            for page in plan.pages { sitePathBySource[page.sourcePath] = page.path }
            for (source, urls) in output.keptLinks() {
                guard let fromPath = sitePathBySource[source] else { continue }
                for link in urls { context.links.append((source: source, line: link.line, url: link.url, fromPath: fromPath)) }
            }
        }
        context.collectStaticPaths()
        try context.verifyLinks()
    }

    static let commit = BuildStep("commit") { context in
        let output = try context.require(context.output, "output")
        let removed = try output.commit(manifestPath: BuildManifest.location(forOutput: context.options.outputDirectory))
        context.report.written = output.written.count
        context.report.writtenPaths = output.written.sorted()
        context.report.unchanged = output.unchanged
        context.report.rendered = output.rendered
        context.report.removed = removed
    }
}

extension BuildOptions {
    /// `buildYear`, else the year of `SOURCE_DATE_EPOCH` (reproducible builds), else this year.
    var resolvedBuildYear: Int {
        if let buildYear { return buildYear }
        let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(TimeInterval.init)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.component(.year, from: epoch.map(Date.init(timeIntervalSince1970:)) ?? Date())
    }
}

private extension String {
    /// `"12 /pages/faq/"` as stored in the manifest.
    var line: Int { Int(split(separator: " ", maxSplits: 1).first ?? "") ?? 0 }
    var url: String { split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? "" }
}

extension Product {
    /// A hash of what a listing card shows. (A product page's input is the product's `fingerprint`.)
    var cardHash: UInt64 {
        var hasher = FieldHasher()
        hasher.combine(slug)
        hasher.combine(title)
        hasher.combine(sku)
        hasher.combine(price.minorUnits)
        hasher.combine(compareAtPrice?.minorUnits ?? -1)
        hasher.combine(isInStock)
        hasher.combine(images.first)
        hasher.combine(summary)
        return hasher.value
    }
}

extension ProductGroup {
    /// The images a product page shows: the product's, then each variant's own image not among them.
    var pageImages: [String] {
        var images = variants[0].images
        for variant in variants {
            if let image = variant.variantImage, !images.contains(image) { images.append(image) }
        }
        return images
    }

    /// The images a card may show, in order: it shows the first the image step did not refuse
    /// (`PublishedImages.cardImage(of:)`).
    var cardImageCandidates: [String] {
        let shown = defaultVariant
        return shown.images + (shown.primaryImage.map { [$0] } ?? [])
    }

    /// What a product page is made from: the product's fingerprint, or every variant's.
    var pageHash: UInt64 {
        guard hasVariants else { return variants[0].fingerprint }
        var hasher = FieldHasher()
        for variant in variants { hasher.combine(Int64(bitPattern: variant.fingerprint)) }
        return hasher.value
    }

    /// What a product's card is made from.
    var cardHash: UInt64 {
        guard hasVariants else { return variants[0].cardHash }
        var hasher = FieldHasher()
        for variant in variants { hasher.combine(Int64(bitPattern: variant.cardHash)) }
        return hasher.value
    }
}
