import Foundation
import Testing

@testable import Notifications

/// SplitMix64: a tiny seeded generator, so that jitter is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite(.timeLimit(.minutes(2))) struct RetryScheduleTests {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let hours72: Duration = .seconds(72 * 3600)

    @Test(arguments: [("webhooks", RetrySchedule.webhooks), ("email", RetrySchedule.email)])
    func everyScheduleRetriesForAtLeastThreeDays(name: String, schedule: RetrySchedule) throws {
        #expect(schedule.totalMinimumSpan() >= Self.hours72, "\(name)")
    }

    @Test func theFirstWebhookRetryComesWithinTenSeconds() throws {
        var random = SplitMix64(seed: 1)
        for _ in 0..<200 {
            let next = try #require(RetrySchedule.webhooks.nextAttempt(afterAttempt: 1, at: Self.start, retryAfter: nil, using: &random))
            #expect(next.timeIntervalSince(Self.start) > 0)
            #expect(next.timeIntervalSince(Self.start) <= 10)
        }
    }

    @Test(arguments: [RetrySchedule.webhooks, RetrySchedule.email])
    func minimumDelaysNeverShrinkAndStopAtTwelveHoursBeforeJitter(schedule: RetrySchedule) throws {
        var previous = Duration.zero
        for attempt in 1..<schedule.maxAttempts {
            let delay = schedule.minimumDelay(afterAttempt: attempt)
            #expect(delay >= previous, "attempt \(attempt)")
            #expect(schedule.backoff(afterAttempt: attempt) <= .seconds(12 * 3600))
            previous = delay
        }
    }

    @Test func theSameSeedGivesTheSameTimes() throws {
        func times(seed: UInt64) -> [Date] {
            var random = SplitMix64(seed: seed)
            return (1..<RetrySchedule.webhooks.maxAttempts).compactMap {
                RetrySchedule.webhooks.nextAttempt(afterAttempt: $0, at: Self.start, retryAfter: nil, using: &random)
            }
        }
        #expect(times(seed: 42) == times(seed: 42))
        #expect(times(seed: 42) != times(seed: 43))
        #expect(times(seed: 42).count == RetrySchedule.webhooks.maxAttempts - 1)
    }

    @Test(arguments: [RetrySchedule.webhooks, RetrySchedule.email])
    func eachDelayStaysWithinTheJitterOfItsBackoff(schedule: RetrySchedule) throws {
        var random = SplitMix64(seed: 7)
        for attempt in 1..<schedule.maxAttempts {
            let next = try #require(schedule.nextAttempt(afterAttempt: attempt, at: Self.start, retryAfter: nil, using: &random))
            let backoff = Self.seconds(schedule.backoff(afterAttempt: attempt))
            let delay = next.timeIntervalSince(Self.start)
            #expect(delay >= backoff * 0.8 - 0.001 && delay <= backoff * 1.2 + 0.001, "attempt \(attempt): \(delay) s for \(backoff) s")
        }
    }

    @Test(arguments: [RetrySchedule.webhooks, RetrySchedule.email])
    func thereIsNoAttemptAfterTheLast(schedule: RetrySchedule) throws {
        var random = SplitMix64(seed: 3)
        #expect(schedule.nextAttempt(afterAttempt: schedule.maxAttempts - 1, at: Self.start, retryAfter: nil, using: &random) != nil)
        #expect(schedule.nextAttempt(afterAttempt: schedule.maxAttempts, at: Self.start, retryAfter: nil, using: &random) == nil)
        #expect(schedule.nextAttempt(afterAttempt: schedule.maxAttempts + 5, at: Self.start, retryAfter: .seconds(10), using: &random) == nil)
    }

    @Test func retryAfterRaisesTheDelayButNeverPastADay() throws {
        var random = SplitMix64(seed: 9)
        let schedule = RetrySchedule.webhooks
        let raised = try #require(schedule.nextAttempt(afterAttempt: 1, at: Self.start, retryAfter: .seconds(120), using: &random))
        #expect(raised.timeIntervalSince(Self.start) == 120)
        let capped = try #require(schedule.nextAttempt(afterAttempt: 1, at: Self.start, retryAfter: .seconds(7 * 24 * 3600), using: &random))
        #expect(capped.timeIntervalSince(Self.start) == 24 * 3600)
        // A Retry-After shorter than the backoff does not shorten it.
        let late = try #require(schedule.nextAttempt(afterAttempt: 15, at: Self.start, retryAfter: .seconds(1), using: &random))
        #expect(late.timeIntervalSince(Self.start) >= 0.8 * 12 * 3600)
        let negative = try #require(schedule.nextAttempt(afterAttempt: 1, at: Self.start, retryAfter: .seconds(-50), using: &random))
        #expect(negative.timeIntervalSince(Self.start) > 0 && negative.timeIntervalSince(Self.start) <= 10)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
