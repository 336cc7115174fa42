import Foundation
import StoreModel

extension BuildSteps {
    /// Writes the static search index (`SearchIndex`) under `/search/`. Its shards are named by
    /// their bytes: an unchanged shard keeps its name and is not written again, and the manifest
    /// names the current ones.
    static let writeSearchIndex = BuildStep("write search index") { context in
        let plan = try context.require(context.plan, "plan")
        let theme = try context.require(context.theme, "theme")
        let output = try context.require(context.output, "output")
        guard theme.hasSearch else { return }
        let priceFrom = PageRenderer.priceFrom(theme.strings)
        // The live manifest names the previous build's shards; each serves again when it was
        // made from the same input and is still live.
        let live = (FileManager.default.contents(atPath: output.liveDirectory + "/search/manifest.json"))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        let liveShards = ["d": live?["documentShards"] as? [String] ?? [], "c": live?["columnShards"] as? [String] ?? []]
        let index = await SearchIndex(
            plan: plan, images: context.images ?? PublishedImages(),
            priceText: { PageRenderer.priceText($0, from: priceFrom) },
            keptTerms: { textHash in
                guard let terms = live?["terms"] as? [[String]], terms.allSatisfy({ $0.count == 2 }),
                    let vocabulary = live?["vocabulary"] as? [String: String]
                else { return nil }
                let kept = SearchIndex.Terms(
                    shards: terms.map { (first: $0[0], name: $0[1]) },
                    vocabulary: vocabulary.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { (first: $0.key, name: $0.value) })
                let names = kept.shards.map(\.name) + kept.vocabulary.map(\.name)
                return output.areCurrent(names.map { SearchIndex.shardFolder + $0 }, inputHash: textHash) ? kept : nil
            },
            keptShard: { kind, position, inputHash in
                guard let names = liveShards[kind], position < names.count,
                    output.isCurrent(SearchIndex.shardFolder + names[position], inputHash: inputHash)
                else { return nil }
                return names[position]
            })
        for (name, bytes, inputHash) in index.files { try output.put(SearchIndex.shardFolder + name, bytes, inputHash: inputHash) }
        try output.put("search/manifest.json", index.manifest)
    }
}
