import StoreModel

extension BuildSteps {
    /// Writes the static search index (`SearchIndex`) under `/search/`. Its shards are named by
    /// their bytes: an unchanged shard keeps its name and is not written again, and the manifest
    /// names the current ones.
    static let writeSearchIndex = BuildStep("write search index") { context in
        let plan = try context.require(context.plan, "plan")
        let theme = try context.require(context.theme, "theme")
        let output = try context.require(context.output, "output")
        guard theme.library.getTemplate(named: "search") != nil else { return }
        let priceFrom = PageRenderer.priceFrom(theme.strings)
        let index = await SearchIndex(plan: plan) { group in
            let lowest = group.lowestPrice.formatted
            return group.hasPriceRange ? priceFrom.before + lowest + priceFrom.after : lowest
        }
        for (name, bytes) in index.files { try output.put(SearchIndex.shardFolder + name, bytes) }
        try output.put("search/manifest.json", index.manifest)
    }
}
