import ArgumentParser
import Foundation
import SiteGenerator

/// `storefront new DIR`: writes a small working shop into a new or empty folder.
struct New: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a small working shop in a new or empty folder.")

    @Argument(help: "The folder to create the shop in.")
    var directory: String

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw ValidationError("'\(directory)' is a file, not a folder") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard entries.isEmpty else {
            throw ValidationError("'\(directory)' is not empty; `storefront new` only writes into a new or empty folder")
        }
    }

    func run() throws {
        do {
            try StarterShop.write(into: directory)
        } catch {
            throw reportFailure(error)
        }
        print(
            """
            created a shop in \(directory)/ (\(StarterShop.files.count) files). Next:
              cd \(directory)
              storefront serve
            """)
    }
}
