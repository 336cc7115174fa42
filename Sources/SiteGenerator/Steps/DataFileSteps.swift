import Foundation
import StoreModel

extension BuildSteps {
    /// The number of `catalog/<shard>.json` files the cart reads prices from.
    static let catalogShardCount: UInt32 = 64
    /// URLs per sitemap file (the protocol's limit).
    static let sitemapLimit = 50_000

    static let writeDataFiles = BuildStep("write data files") { context in
        let plan = try context.require(context.plan, "plan")
        let theme = try context.require(context.theme, "theme")
        let output = try context.require(context.output, "output")
        let store = plan.store
        let base = store.basePath
        for asset in theme.assets {
            try output.put("assets/" + asset.hashedName, asset.data)
        }
        try output.put("site-status.json", try context.require(context.siteStatusBytes, "site status"))
        // The three large files are independent: made on both cores at once.
        let pieceSize = context.options.catalogPieceSize
        async let catalog = CatalogFiles.catalogJSON(plan, kept: output.keptPieces(of: "catalog.json"), pieceSize: pieceSize)
        // Only the shards whose products changed are made again.
        let members = CatalogFiles.shardMembers(plan, count: catalogShardCount)
        let shardPath = { (index: Int) in String(format: "catalog/%02x.json", index) }
        let stale = members.indices.filter { !output.isCurrent(shardPath($0), inputHash: members[$0].inputHash) }
        async let shards = parallelMap(stale, parallelFrom: 2) { index in (index, CatalogFiles.shard(members[index].members, plan: plan)) }
        // The sitemaps change only when pages come or go: their input is the list of paths and the
        // shop's address, and their URLs are made only when they are written.
        let paths = plan.htmlPaths.filter { ![SitePlan.cartPath, SitePlan.checkoutPath, SitePlan.orderPath].contains($0) }
        var sitemapHasher = FieldHasher()
        sitemapHasher.combine("sitemaps")
        sitemapHasher.combine(store.absoluteURL(base))
        for path in paths { sitemapHasher.combine(path) }
        let sitemapHash = sitemapHasher.value
        let sitemapNames =
            paths.count > sitemapLimit
            ? (1...(paths.count + sitemapLimit - 1) / sitemapLimit).map { "sitemap-\($0).xml" } + ["sitemap.xml"] : ["sitemap.xml"]
        let sitemapsCurrent = output.areCurrent(sitemapNames, inputHash: sitemapHash)
        async let sitemaps: [(String, [UInt8])] =
            sitemapsCurrent
            ? []
            : DataFiles.sitemaps(urls: paths.map { store.absoluteURL(base + $0) }, limit: sitemapLimit, absolute: { store.absoluteURL(base + "/" + $0) })
        try output.put("catalog.json", pieces: await catalog)
        for (index, shard) in await shards {
            try output.put(shardPath(index), shard, inputHash: members[index].inputHash)
        }
        for (name, xml) in await sitemaps {
            try output.put(name, xml, inputHash: sitemapHash)
        }
        try output.put("robots.txt", Data(DataFiles.robots(store).utf8))
        try output.put("_headers", Data(DataFiles.headers(store).utf8))
    }

    /// Copies `content/static/` to the site root (`makeImages` publishes `content/images/`).
    static let copyStaticFiles = BuildStep("copy static files") { context in
        let output = try context.require(context.output, "output")
        let fm = FileManager.default
        let directory = context.options.contentDirectory + "/static"
        guard let enumerator = fm.enumerator(atPath: directory) else { return }
        while let relative = enumerator.nextObject() as? String {
            let full = directory + "/" + relative
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                !(relative as NSString).lastPathComponent.hasPrefix(".")
            else { continue }
            guard let data = fm.contents(atPath: full) else { continue }
            try output.put(relative, data)
        }
    }
}
