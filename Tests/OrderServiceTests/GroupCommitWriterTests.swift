import Foundation
import GRDB
import Testing

@testable import OrderService

@Suite("Group commit", .timeLimit(.minutes(2)))
struct GroupCommitWriterTests {
    struct Refused: Error, Equatable {
        let value: Int
    }

    @Test("many callers at once: each gets its own result, a failing job rolls back alone, every caller is answered")
    func concurrentCallers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("group-commit-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pool = try DatabasePool(path: directory.appendingPathComponent("t.sqlite").path)
        try await pool.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER PRIMARY KEY)") }
        // A small batch size makes the turn pass from caller to caller many times.
        let writer = GroupCommitWriter(writer: pool, maximumBatch: 7)
        let outcomes = await withTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            for value in 0..<500 {
                group.addTask {
                    do {
                        let answer = try await writer.submit { db -> Int in
                            try db.execute(sql: "INSERT INTO t (x) VALUES (?)", arguments: [value])
                            if value % 9 == 4 { throw Refused(value: value) }  // after its insert: the savepoint must undo it
                            return value * 2
                        }
                        return (value, .success(answer))
                    } catch {
                        return (value, .failure(error as? Refused ?? Refused(value: -1)))
                    }
                }
            }
            var all: [Int: Result<Int, Refused>] = [:]
            for await (value, outcome) in group { all[value] = outcome }
            return all
        }
        #expect(outcomes.count == 500)
        for (value, outcome) in outcomes {
            if value % 9 == 4 {
                #expect(outcome == .failure(Refused(value: value)))
            } else {
                #expect(outcome == .success(value * 2))
            }
        }
        let stored = try await pool.read { db in try Int.fetchAll(db, sql: "SELECT x FROM t ORDER BY x") }
        #expect(stored == (0..<500).filter { $0 % 9 != 4 })
        try pool.close()
    }
}
