import ArgumentParser
import Foundation
import Logging
import OrderService
import StoreModel

/// `order-api`: the shop's order API server.
@main
struct OrderAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order-api",
        abstract: "Takes orders from the storefront and serves the admin JSON API.",
        subcommands: [Serve.self, Reconcile.self, Backup.self, Restore.self, MigrateStore.self],
        defaultSubcommand: Serve.self)
}
