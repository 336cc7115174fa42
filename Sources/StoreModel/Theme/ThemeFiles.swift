import Foundation

/// A theme's files, layered: the default theme embedded in the binary first, then each folder in
/// order, a file in a later layer replacing the file at the same relative path in an earlier one.
/// The site generator reads its templates, locales and assets from it, the order API its e-mails.
public struct ThemeFiles: Sendable {
    /// One file of the theme.
    public struct File: Sendable {
        /// The path relative to the theme folder (`emails/order-paid.html.mustache`).
        public var relativePath: String
        /// Where it comes from, for error messages: a full path, or `(embedded default theme) <path>`.
        public var label: String
        let embedded: Data?

        /// The file's bytes.
        public func read() throws -> Data {
            if let embedded { return embedded }
            guard let data = FileManager.default.contents(atPath: label) else { throw ReadError(description: "\(label): cannot be read") }
            return data
        }
    }

    /// A file that could not be read.
    public struct ReadError: Error, CustomStringConvertible {
        /// The path and the problem.
        public var description: String
    }

    /// Every file by relative path.
    public var files: [String: File]

    /// Layers `embedded` (usually `EmbeddedTheme.files`) under each of `directories` that exists.
    /// Hidden files are skipped.
    public static func layered(embedded: [String: Data], directories: [String]) -> ThemeFiles {
        var files: [String: File] = [:]
        for (relative, data) in embedded {
            files[relative] = File(relativePath: relative, label: "(embedded default theme) \(relative)", embedded: data)
        }
        let fm = FileManager.default
        for directory in directories {
            guard let enumerator = fm.enumerator(atPath: directory) else { continue }
            while let relative = enumerator.nextObject() as? String {
                let full = directory + "/" + relative
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue, !relative.hasPrefix(".") {
                    files[relative] = File(relativePath: relative, label: full, embedded: nil)
                }
            }
        }
        return ThemeFiles(files: files)
    }

    /// The UI strings of `locale` from `locales/*.json`: English first, then the language
    /// (`zh` of `zh-TW`), then the exact locale, each filling or replacing the keys before it.
    public func strings(locale: String) throws -> [String: String] {
        var byCode: [String: [String: String]] = [:]
        for (relative, file) in files where relative.hasPrefix("locales/") && relative.hasSuffix(".json") {
            let code = String((relative as NSString).lastPathComponent.dropLast(".json".count))
            guard let object = try? JSONSerialization.jsonObject(with: try file.read()) as? [String: Any] else {
                throw ReadError(description: "\(file.label): must be a JSON object of strings")
            }
            byCode[code] = object.compactMapValues { $0 as? String }
        }
        var strings = byCode["en"] ?? [:]
        let language = locale.split(separator: "-").first.map(String.init) ?? locale
        for key in [language, locale] {
            if let overrides = byCode[key] { strings.merge(overrides) { $1 } }
        }
        return strings
    }
}
