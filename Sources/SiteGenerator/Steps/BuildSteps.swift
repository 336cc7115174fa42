import Foundation
import Logging
import StoreModel

/// The steps of a build, in order.
enum BuildSteps {
    static let check: [BuildStep] = [loadContent, readSiteStatus, loadTheme, plan, checkLinksOnly]
    static let all: [BuildStep] = [
        loadContent, readSiteStatus, loadTheme, checkUpToDate, plan, openOutput, makeImages, renderPages, writeDataFiles, writeSearchIndex, copyStaticFiles,
        checkLinks,
        commit,
    ]

    static let loadContent = BuildStep("load content") { context in
        let catalog: Catalog
        do {
            // `--clean` starts cold: neither the manifest nor the parsed-content cache is trusted.
            let cacheFile = context.options.checkOnly ? nil : BuildManifest.contentCacheLocation(forOutput: context.options.outputDirectory)
            if context.options.clean, let cacheFile { unlink(cacheFile) }
            var loader = CatalogLoader(contentDirectory: context.options.contentDirectory)
            loader.racyWindow = context.options.racyWindow
            let loaded = try await loader.load(cacheFile: cacheFile)
            catalog = loaded.catalog
            context.load = loaded.report
            context.report.parsedFiles = loaded.report.parsed
        } catch let error as ContentError {
            throw BuildError.invalidContent(error)
        }
        var store = catalog.store
        if let baseURL = context.options.baseURL {
            store.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        }
        if let apiURL = context.options.apiURL {
            store.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        }
        context.catalog = catalog
        context.store = store
        context.report.catalogVersion = catalog.version
    }

    static let readSiteStatus = BuildStep("read site status") { context in
        let path = context.options.siteStatusFile
        guard let data = FileManager.default.contents(atPath: path) else {
            context.siteStatus = SiteStatus(status: .open)
            context.siteStatusBytes = Data(#"{"status": "open", "message": "", "announcement": ""}"#.utf8 + [10])
            context.report.warnings.append("\(path): not found; publishing an open shop status")
            return
        }
        do throws(ContentError) {
            context.siteStatus = try SiteStatus.parse(String(decoding: data, as: UTF8.self), file: path)
            context.siteStatusBytes = data
        } catch {
            throw BuildError.invalidContent(error)
        }
    }

    static let loadTheme = BuildStep("load theme") { context in
        let store = try context.require(context.store, "store")
        do {
            context.theme = try Theme.load(embedded: EmbeddedTheme.files, directories: context.options.themeDirectories, locale: store.locale)
        } catch {
            throw BuildError.theme("\(error)")
        }
    }

    /// Ends the build early when every input has the stamp the last build recorded and its output
    /// is still in place: the pages would come out byte for byte the same.
    static let checkUpToDate = BuildStep("check for changes") { context in
        guard !context.options.clean, let inputs = InputFingerprint.compute(context: context) else { return }
        context.inputsHash = inputs
        let live = context.options.outputDirectory
        guard BuildManifest.readInputsHash(from: BuildManifest.location(forOutput: live)) == inputs,
            FileManager.default.fileExists(atPath: live + "/index.html")
        else { return }
        let catalog = try context.require(context.catalog, "catalog")
        context.collectStaticPaths()  // repeats the warnings about missing images
        context.report.products = catalog.publishedProducts.count
        context.report.drafts = catalog.products.count - context.report.products
        context.report.upToDate = true
        context.upToDate = true
    }

    static let plan = BuildStep("plan site") { context in
        let catalog = try context.require(context.catalog, "catalog")
        let plan = await SitePlan.make(catalog: catalog, store: try context.require(context.store, "store"))
        context.plan = plan
        context.report.products = plan.products.count
        context.report.drafts = plan.draftCount
        // The 404 page, and the search page when the theme has one, are not in the sitemap's list.
        context.report.pages = plan.htmlPaths.count + 1 + (context.theme?.hasSearch == true ? 1 : 0)
    }

    static let checkLinksOnly = BuildStep("check links") { context in
        let plan = try context.require(context.plan, "plan")
        let basePath = plan.store.basePath
        for (index, product) in plan.products.enumerated() {
            let rendered = Markdown.render(product.description, basePath: basePath)
            context.addLinks(rendered.links, source: product.sourcePath, firstLine: product.descriptionLine, fromPath: plan.products[index].path)
        }
        for page in plan.pages {
            let rendered = Markdown.render(page.body, basePath: basePath)
            context.addLinks(rendered.links, source: page.sourcePath, firstLine: page.bodyLine, fromPath: page.path)
        }
        context.collectStaticPaths()
        try context.verifyLinks()
    }
}
