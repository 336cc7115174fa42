import Foundation
import Logging
import ServiceLifecycle

/// Watches the shop's sources (content, themes, site status) by polling their modification times
/// and sizes, and rebuilds after a change has settled. Polling works the same on every platform
/// and needs no extra permissions; a stat of each file every few hundred milliseconds is cheap
/// for a shop-sized tree.
struct SourceWatcher: Service {
    let paths: [String]
    let interval: Duration
    let rebuilder: SiteRebuilder
    let hub: LiveReloadHub
    let logger: Logger

    func run() async throws {
        defer { hub.finishAll() }
        do {
            try await cancelWhenGracefulShutdown { try await watch() }
        } catch is CancellationError {
            // Shutting down: the normal way out.
        }
    }

    private func watch() async throws {
        var previous = Self.snapshot(paths)
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            var current = Self.snapshot(paths)
            guard current != previous else { continue }
            // Let an editor or a script finish writing before building.
            repeat {
                previous = current
                try await Task.sleep(for: .milliseconds(150))
                current = Self.snapshot(paths)
            } while current != previous
            await rebuilder.build(reason: "sources changed")
        }
    }

    /// Every file under `paths` with its modification time and size.
    static func snapshot(_ paths: [String]) -> [String: FileStamp] {
        var stamps: [String: FileStamp] = [:]
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey]
        for path in paths {
            let url = URL(fileURLWithPath: path)
            if let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true {
                stamps[path] = FileStamp(values)
                continue
            }
            guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]) else { continue }
            for case let file as URL in walker {
                guard let values = try? file.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
                stamps[file.path] = FileStamp(values)
            }
        }
        return stamps
    }
}

/// A file's modification time and size.
struct FileStamp: Equatable, Sendable {
    var modified: Date?
    var size: Int?

    init(_ values: URLResourceValues) {
        modified = values.contentModificationDate
        size = values.fileSize
    }
}
