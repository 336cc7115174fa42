import Foundation
import Mustache
import StoreModel

/// A loaded theme: compiled templates, UI strings for the shop's locale and fingerprinted assets.
///
/// Files in the shop's own theme folder win over the default theme's file at the same path, and a
/// `themes/default` folder on disk wins over the default theme embedded in the generator.
struct Theme: Sendable {
    /// Every template, compiled once, registered by file name without extension.
    let library: MustacheLibrary
    /// The same templates compiled to byte-writing node trees, or `nil` when a template uses
    /// Mustache outside the compiled subset (then `library` renders every page).
    let compiled: CompiledTemplates?
    /// The UI strings of the shop's locale, with English filling any gap.
    let strings: [String: String]
    /// Assets to publish under `/assets/`, with content-hashed names.
    let assets: [Asset]
    /// A hash of every theme file, for deciding whether pages must be rendered again.
    let fingerprint: UInt64

    /// One published asset.
    struct Asset: Sendable {
        /// The theme's name (`site.css`).
        var name: String
        /// The published name (`site.3f2a9c1b.css`).
        var hashedName: String
        /// The bytes.
        var data: Data
    }

    /// The template names a theme must provide.
    static let requiredTemplates = ["base", "product", "list", "page", "cart", "checkout", "order", "404"]

    /// Problems loading a theme.
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Loads the theme: the `embedded` files first, then each folder of `directories` that exists,
    /// a file in a later one replacing the file at the same relative path in an earlier one.
    static func load(embedded: [String: Data] = [:], directories: [String], locale: String) throws -> Theme {
        let theme = ThemeFiles.layered(embedded: embedded, directories: directories)
        var fingerprint = FNV1a.hash64("theme".utf8)
        var library = MustacheLibrary()
        var registered: [String: String] = [:]
        var sources: [String: String] = [:]
        var assets: [Asset] = []
        for relative in theme.files.keys.sorted() {
            if relative.hasPrefix("emails/") { continue }  // e-mails are the order API's, not the site's
            let file = theme.files[relative]!
            let full = file.label
            let data: Data
            do { data = try file.read() } catch { throw LoadError(description: "\(error)") }
            fingerprint = FNV1a.hash64(relative.utf8, seed: fingerprint)
            fingerprint = FNV1a.hash64(data, seed: fingerprint)
            if relative.hasPrefix("templates/"), relative.hasSuffix(".mustache") {
                let name = String((relative as NSString).lastPathComponent.dropLast(".mustache".count))
                if let other = registered[name] {
                    throw LoadError(description: "\(full): the template name \"\(name)\" is also used by \(other)")
                }
                registered[name] = relative
                let text = String(decoding: data, as: UTF8.self)
                sources[name] = text
                do {
                    try library.register(text, named: name)
                } catch {
                    throw LoadError(description: "\(full): \(error)")
                }
            } else if relative.hasPrefix("assets/") {
                let name = String(relative.dropFirst("assets/".count))
                let hash = String(FNV1a.hex(FNV1a.hash64(data)).prefix(10))
                let ext = (name as NSString).pathExtension
                let stem = ext.isEmpty ? name : String(name.dropLast(ext.count + 1))
                assets.append(Asset(name: name, hashedName: ext.isEmpty ? "\(stem).\(hash)" : "\(stem).\(hash).\(ext)", data: data))
            }
        }
        let missing = requiredTemplates.filter { registered[$0] == nil }
        guard missing.isEmpty else {
            throw LoadError(
                description:
                    "the theme has no template for: \(missing.joined(separator: ", ")) (looked in \(((embedded.isEmpty ? [] : ["the embedded default theme"]) + directories).joined(separator: ", ")))"
            )
        }
        let strings: [String: String]
        do { strings = try theme.strings(locale: locale) } catch { throw LoadError(description: "\(error)") }
        let compiled = try? CompiledTemplates(sources: sources)
        return Theme(library: library, compiled: compiled, strings: strings, assets: assets, fingerprint: fingerprint)
    }

    /// Renders the template `name` with `context`: through the compiled templates when the theme
    /// allows it, else through swift-mustache. Both produce the same bytes.
    func render(_ name: String, _ context: TemplateValue) -> [UInt8] {
        if let compiled { return compiled.render(name, context) ?? [] }
        return Array((library.render(context.anyValue, withTemplate: name) ?? "").utf8)
    }

    /// Whether the theme has a search page: a `search` template and `search.js`. Only then is the
    /// page rendered, the box put in the header and the index written (`SearchIndex`).
    var hasSearch: Bool {
        library.getTemplate(named: "search") != nil && assets.contains { $0.name == "search.js" }
    }

    /// The published path of an asset (`/assets/site.3f2a9c1b.css`), or `nil` when the theme lacks it.
    func assetPath(_ name: String, basePath: String) -> String? {
        assets.first { $0.name == name }.map { "\(basePath)/assets/\($0.hashedName)" }
    }
}
