import ArgumentParser
import Foundation
import SiteGenerator

/// `storefront check`: validates the content and theme without writing anything.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate content, site status and theme; write nothing.")

    @OptionGroup var site: SiteOptions

    func run() async throws {
        do {
            let report = try await SiteBuilder(options: site.buildOptions(output: "public", clean: false, checkOnly: true), logger: site.logger()).build()
            printWarnings(report.warnings)
            print("ok: \(report.products) products (\(report.drafts) drafts), \(report.pages) pages, catalog \(report.catalogVersion), checked in \((report.seconds * 100).rounded() / 100) s")
        } catch {
            throw reportFailure(error)
        }
    }
}
