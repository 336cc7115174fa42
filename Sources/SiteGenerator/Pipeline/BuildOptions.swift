import Foundation
import StoreModel

/// What to build and where.
public struct BuildOptions: Sendable {
    /// The content directory (`content`).
    public var contentDirectory: String
    /// The shop's theme directory; files there override the default theme's. May be missing.
    public var themeDirectory: String
    /// A default theme folder on disk (`themes/default`): where it exists, its files override the
    /// default theme embedded in the generator (`EmbeddedTheme`), which every theme falls back to.
    public var defaultThemeDirectory: String
    /// The output directory (`public`).
    public var outputDirectory: String
    /// The `site-status.json` to publish.
    public var siteStatusFile: String
    /// Overrides the store's `baseURL` (for previews and local serving).
    public var baseURL: String?
    /// Overrides the store's `apiURL` (for example `/api` when the API shares the origin).
    public var apiURL: String?
    /// Ignore the previous build and write everything.
    public var clean: Bool
    /// Only validate; write nothing.
    public var checkOnly: Bool
    /// The year shown in page footers; `nil` takes it from `SOURCE_DATE_EPOCH` or the clock.
    public var buildYear: Int?
    /// Whether the build's working state is freed when it ends. A one-shot command line build turns
    /// this off: the process exits right after, and freeing 100,000 products and the manifest one
    /// by one would only add half a second to every build.
    public var freesStateOnFinish = true
    /// How old an input's stamp must be to be trusted (`FileStamp.racyWindow`; tests shorten it).
    var racyWindow: Int64 = FileStamp.racyWindow
    /// Products per piece of `catalog.json` (`CatalogFiles.catalogJSON`; tests make it small, so
    /// that a small shop's file has several pieces).
    var catalogPieceSize = CatalogFiles.catalogPieceSize

    /// Creates options with the usual defaults.
    /// The theme folders layered over the embedded default theme, in order: `themes/default`
    /// on disk, then the shop's theme when it is another folder.
    public var themeDirectories: [String] {
        var directories = [defaultThemeDirectory]
        if URL(fileURLWithPath: themeDirectory).standardizedFileURL != URL(fileURLWithPath: defaultThemeDirectory).standardizedFileURL {
            directories.append(themeDirectory)
        }
        return directories
    }

    public init(
        contentDirectory: String = "content", themeDirectory: String = "themes/default",
        defaultThemeDirectory: String = "themes/default", outputDirectory: String = "public",
        siteStatusFile: String = "site-status.json", baseURL: String? = nil, apiURL: String? = nil,
        clean: Bool = false, checkOnly: Bool = false, buildYear: Int? = nil
    ) {
        self.buildYear = buildYear
        self.contentDirectory = contentDirectory
        self.themeDirectory = themeDirectory
        self.defaultThemeDirectory = defaultThemeDirectory
        self.outputDirectory = outputDirectory
        self.siteStatusFile = siteStatusFile
        self.baseURL = baseURL
        self.apiURL = apiURL
        self.clean = clean
        self.checkOnly = checkOnly
    }
}
