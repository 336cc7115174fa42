import ArgumentParser
import Foundation
import Notifications
import SiteGenerator
import StoreModel

/// `storefront check`: validates the content, the site status and the theme (the embedded default
/// theme when there is no theme folder) without writing anything.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate content, site status and any theme folder; write nothing (no theme folder is needed).")

    @OptionGroup var site: SiteOptions

    func run() async throws {
        do {
            let options = site.buildOptions(output: "public", clean: false, checkOnly: true)
            let report = try await SiteBuilder(options: options, logger: site.logger()).build()
            // The order API sends the theme's e-mails; a template that does not parse fails here with its file:line.
            _ = try EmailTemplates.load(theme: ThemeFiles.layered(embedded: EmbeddedTheme.files, directories: options.themeDirectories), locale: "en")
            printWarnings(report.warnings)
            print(
                "ok: \(report.products) products (\(report.drafts) drafts), \(report.pages) pages, catalog \(report.catalogVersion), checked in \((report.seconds * 100).rounded() / 100) s"
            )
        } catch {
            throw reportFailure(error)
        }
    }
}
