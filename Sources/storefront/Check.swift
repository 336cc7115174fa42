import ArgumentParser
import Foundation
import SiteGenerator

/// `storefront check`: validates the content, the site status and the theme (the embedded default
/// theme when there is no theme folder) without writing anything.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate content, site status and any theme folder; write nothing (no theme folder is needed).")

    @OptionGroup var site: SiteOptions

    func run() async throws {
        do {
            let report = try await SiteBuilder(options: site.buildOptions(output: "public", clean: false, checkOnly: true), logger: site.logger()).build()
            printWarnings(report.warnings)
            print(
                "ok: \(report.products) products (\(report.drafts) drafts), \(report.pages) pages, catalog \(report.catalogVersion), checked in \((report.seconds * 100).rounded() / 100) s"
            )
        } catch {
            throw reportFailure(error)
        }
    }
}
