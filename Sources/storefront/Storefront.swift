import ArgumentParser

@main
struct Storefront: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storefront",
        abstract: "Builds a static shop from Markdown/JSON content.",
        subcommands: [Build.self, Check.self, Serve.self, New.self],
        defaultSubcommand: Build.self
    )
}
