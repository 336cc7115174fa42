import ArgumentParser
import Foundation
import Logging
import SiteGenerator

/// Options shared by `build` and `check`.
struct SiteOptions: ParsableArguments {
    @Option(help: "The content directory.")
    var content = "content"

    @Option(help: "Your theme directory; its files override the default theme's.")
    var theme: String?

    @Option(help: "A default theme folder; where it exists, its files override the default theme built into storefront.")
    var defaultTheme = "themes/default"

    @Option(help: "The site-status.json to publish.")
    var siteStatus = "site-status.json"

    @Option(help: "Override the store's base URL, e.g. http://127.0.0.1:8080.")
    var baseURL: String?

    @Option(help: "Override the store's order API URL, e.g. /api.")
    var apiURL: String?

    @Flag(help: "Print each build step.")
    var verbose = false

    func validate() throws {
        try validateFolders(content: content, theme: theme)
        for url in [baseURL, apiURL].compactMap({ $0 }) where !(url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("/")) {
            throw ValidationError("'\(url)' must be an http(s) URL or a path starting with '/'")
        }
    }

    func buildOptions(output: String, clean: Bool, checkOnly: Bool) -> BuildOptions {
        BuildOptions(
            contentDirectory: content, themeDirectory: theme ?? defaultTheme, defaultThemeDirectory: defaultTheme, outputDirectory: output,
            siteStatusFile: siteStatus, baseURL: baseURL, apiURL: apiURL, clean: clean, checkOnly: checkOnly)
    }

    func logger() -> Logger {
        var logger = Logger(label: "storefront")
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}

/// Checks that the content folder exists, and the theme folder when `--theme` names one (without
/// one, the default theme built into storefront is used).
func validateFolders(content: String, theme: String?) throws {
    let isFolder = { (path: String) in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
    guard isFolder(content) else { throw ValidationError("content directory '\(content)' does not exist") }
    if let theme, !isFolder(theme) { throw ValidationError("theme directory '\(theme)' does not exist") }
}

/// Prints a failed build's problems to standard error and exits non-zero.
func reportFailure(_ error: Error) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode(1)
}

/// Prints the first warnings to standard error and counts the rest, so that a large catalog
/// with one repeated problem does not flood the terminal.
func printWarnings(_ warnings: [String], limit: Int = 20) {
    for warning in warnings.prefix(limit) { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
    if warnings.count > limit {
        FileHandle.standardError.write(Data("warning: ... and \(warnings.count - limit) more warnings\n".utf8))
    }
}
