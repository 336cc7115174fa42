import Foundation
import Testing

@testable import OrderService

/// When the API says it ran out of file descriptors (and when they are back).
@Suite("Descriptor watch", .timeLimit(.minutes(1)))
struct DescriptorWatchTests {
    @Test("out of descriptors is said once per interval, and the recovery once")
    func reports() {
        let now = ContinuousClock.now
        func report(_ open: Int, was: Bool, last: ContinuousClock.Instant?) -> DescriptorWatch.Report {
            DescriptorWatch.report(open: open, limit: 1024, wasExhausted: was, lastLog: last, now: now, logInterval: .seconds(10))
        }
        #expect(report(500, was: false, last: nil) == .nothing)
        #expect(report(1021, was: false, last: nil) == .exhausted)
        #expect(report(1024, was: true, last: now - .seconds(3)) == .nothing, "said 3 s ago")
        #expect(report(1024, was: true, last: now - .seconds(11)) == .exhausted, "said again after the interval")
        #expect(report(900, was: true, last: now - .seconds(3)) == .recovered)
        #expect(report(900, was: false, last: now - .seconds(3)) == .nothing)
    }

    @Test("the open descriptors are counted from /proc/self/fd")
    func counts() throws {
        // Other tests open and close descriptors meanwhile, so only a floor holds: five pipes and stdio.
        let pipes = (0..<5).map { _ in Pipe() }
        let open = try #require(DescriptorWatch.openDescriptors())
        #expect(open >= 13)
        withExtendedLifetime(pipes) {}
    }
}
