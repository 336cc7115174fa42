import Foundation

/// Maps `transform` over `items` in as many chunks as there are cores, keeping the order. Fewer
/// than `parallelFrom` items (cheap ones, by default) are mapped on the calling task.
public func parallelMap<Input: Sendable, Output: Sendable>(
    _ items: [Input], parallelFrom: Int = 65, _ transform: @Sendable @escaping (Input) -> Output
) async -> [Output] {
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    guard items.count >= parallelFrom, workers > 1 else { return items.map(transform) }
    let chunkSize = (items.count + workers * 4 - 1) / (workers * 4)
    return await withTaskGroup(of: (Int, [Output]).self) { group in
        for start in stride(from: 0, to: items.count, by: chunkSize) {
            let end = min(start + chunkSize, items.count)
            group.addTask { (start, items[start..<end].map(transform)) }
        }
        var chunks: [(Int, [Output])] = []
        for await chunk in group { chunks.append(chunk) }
        return chunks.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }
}
