import Foundation
import StoreModel

/// A hash of every input of a build, from file stamps rather than file contents, so it costs one
/// `stat` per file. When it equals the one recorded by the previous build, and that build's output
/// is still in place, there is nothing to do.
enum InputFingerprint {
    /// The fingerprint of a build's inputs, or `nil` when some input was written so recently that its stamp cannot
    /// be trusted yet (`FileStamp.isSettled(before:window:)`).
    static func compute(context: BuildContext) -> UInt64? {
        guard let load = context.load, load.unsettled == 0, let status = context.siteStatusBytes, let theme = context.theme else { return nil }
        var settled = true
        var hash = FNV1a.hash64(generatorOutputVersion.utf8, seed: theme.fingerprint)
        let options = context.options
        hash = FNV1a.hash64("\(options.baseURL ?? "-")\u{1}\(options.apiURL ?? "-")\u{1}\(options.themeDirectory)".utf8, seed: hash)
        hash = FNV1a.hash64(withUnsafeBytes(of: load.productFilesFingerprint) { Array($0) }, seed: hash)
        hash = FNV1a.hash64(status, seed: hash)
        hash = FNV1a.hash64(String(context.options.resolvedBuildYear).utf8, seed: hash)
        // Everything in the content directory but the products (already covered): store settings,
        // pages, images and static files. Missing folders simply add nothing.
        let root = context.options.contentDirectory
        let stamp = { (path: String, name: String) in
            guard let stamp = FileStamp(path: path) else { return }
            hash = FNV1a.hash64(name.utf8, seed: hash)
            stamp.hash(into: &hash)
            if !stamp.isSettled(before: load.scanStart, window: context.options.racyWindow) { settled = false }
        }
        for name in ["store.json", "store.yml", "store.yaml"] {
            stamp(root + "/" + name, name)
        }
        for folder in ["pages", "images", "static"] {
            guard let enumerator = FileManager.default.enumerator(atPath: root + "/" + folder) else { continue }
            var relatives: [String] = []
            while let relative = enumerator.nextObject() as? String { relatives.append(relative) }
            for relative in relatives.sorted() { stamp(root + "/" + folder + "/" + relative, folder + "/" + relative) }
        }
        // The site status file and the theme are read in full every build and hashed by content.
        return settled ? hash : nil
    }
}
