import ArgumentParser
import Foundation
import SiteGenerator

/// `storefront build`: renders the shop into the output directory.
struct Build: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Build the static shop.")

    @OptionGroup var site: SiteOptions

    @Option(help: "The output directory.")
    var out = "public"

    @Flag(help: "Ignore the previous build and write every file.")
    var clean = false

    func run() async throws {
        do {
            var options = site.buildOptions(output: out, clean: clean, checkOnly: false)
            options.freesStateOnFinish = false  // the process ends right after the build
            let report = try await SiteBuilder(options: options, logger: site.logger()).build()
            printWarnings(report.warnings)
            print("built \(out)/: \(report)")
        } catch {
            throw reportFailure(error)
        }
    }
}
