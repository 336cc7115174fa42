import Foundation
import Testing

@testable import StoreModel

/// A product's `date` (the day it was added): the calendar arithmetic, reading it from content,
/// its errors, and the content cache.
@Suite(.timeLimit(.minutes(2))) struct ProductDateTests {
    @Test func daysAreCountedFromTheEpochInTheGregorianCalendar() throws {
        #expect(CalendarDay(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDay(iso: "1969-12-31")?.daysSinceEpoch == -1)
        #expect(CalendarDay(iso: "2000-03-01")?.daysSinceEpoch == 11_017)
        #expect(CalendarDay(iso: "2026-11-20")?.daysSinceEpoch == 20_777)
        // Every day from 1900 to 2100 reads back as it is written, one day after the one before.
        let first = try #require(CalendarDay(iso: "1900-01-01")), last = try #require(CalendarDay(iso: "2100-12-31"))
        #expect(last.daysSinceEpoch - first.daysSinceEpoch + 1 == 201 * 365 + 49, "49 leap days: every fourth year from 1904 to 2096, 2000 among them")
        var previous = CalendarDay(daysSinceEpoch: first.daysSinceEpoch - 1)
        for number in first.daysSinceEpoch...last.daysSinceEpoch {
            let day = CalendarDay(daysSinceEpoch: number)
            #expect(CalendarDay(iso: day.description) == day, "\(day)")
            #expect(day > previous)
            previous = day
        }
    }

    @Test func onlyRealDaysWrittenInFullAreDays() {
        for valid in ["2024-02-29", "2000-02-29", "2026-12-31", "1900-01-01", "9999-12-31"] {
            #expect(CalendarDay(iso: valid)?.description == valid)
        }
        for invalid in [
            "2025-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "1899-12-31", "2026-1-5", "2026/01/05",
            "26-01-05", "2026-01-05T10:00", "next week", "", "２０２６-01-05",
        ] {
            #expect(CalendarDay(iso: invalid) == nil, "\(invalid)")
        }
    }

    @Test func aProductReadsItsDateAndABadOneIsAnErrorOnItsLine() async throws {
        let catalog = try await VariantContentTests.load([
            "a.md": "---\ntitle: A\nsku: A-1\nprice: 100\ndate: 2026-11-20\n---\n",
            "b.md": "---\ntitle: B\nsku: B-1\nprice: 100\ndate: \"2026-01-05\"\n---\n",
            "c.md": "---\ntitle: C\nsku: C-1\nprice: 100\n---\n",
            "d.json": #"{"title": "D", "sku": "D-1", "price": "100", "date": "2025-12-31"}"#,
        ]).get()
        #expect(catalog.product(sku: "A-1")?.date?.description == "2026-11-20")
        #expect(catalog.product(sku: "B-1")?.date?.description == "2026-01-05")
        #expect(catalog.product(sku: "C-1")?.date == nil)
        #expect(catalog.product(sku: "D-1")?.date?.description == "2025-12-31")
        #expect(
            try await VariantContentTests.issues(["a.md": "---\ntitle: A\nsku: A-1\nprice: 100\ndate: 2026-02-30\n---\n"]) == [
                "5: date: must be a day written YYYY-MM-DD, such as 2026-11-20"
            ])
        #expect(
            try await VariantContentTests.issues(["a.md": "---\ntitle: A\nsku: A-1\ndate: [2026-01-01]\nprice: 100\n---\n"]) == [
                "4: date: must be a day written YYYY-MM-DD, such as 2026-11-20"
            ])
    }

    @Test func theContentCacheKeepsTheDate() async throws {
        let fixture = try ContentFixture()
        defer { fixture.cleanUp() }
        try fixture.write("content/products/a.md", "---\ntitle: A\nsku: A-1\nprice: 100\ndate: 2026-11-20\n---\n")
        try fixture.write("content/products/b.md", "---\ntitle: B\nsku: B-1\nprice: 100\n---\n")
        let (first, second) = try await fixture.loadTwiceThroughTheCache()
        #expect(second.report.reused == 2, "both files come from the cache")
        #expect(second.catalog.products.map(\.date) == [CalendarDay(iso: "2026-11-20"), nil])
        #expect(second.catalog.products == first.catalog.products)
    }
}
