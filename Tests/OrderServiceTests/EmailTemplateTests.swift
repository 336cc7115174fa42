import Foundation
import Notifications
import StoreModel
import Testing

@testable import OrderService

/// The default theme's e-mails, rendered by swift-mustache with the values `EmailComposer` gives.
@Suite("E-mail templates", .timeLimit(.minutes(2)))
struct EmailTemplateTests {
    static let theme = ThemeFiles.layered(embedded: EmbeddedTheme.files, directories: [])

    static func catalog() async throws -> Catalog {
        let loader = CatalogLoader(contentDirectory: TestShop.fixtures.path)
        return try await loader.load(cacheFile: nil).0
    }

    @Test("every e-mail renders in English and Traditional Chinese with its order, amounts and link, and no Mustache left")
    func everyTemplateRenders() async throws {
        let catalog = try await Self.catalog()
        for locale in ["en", "zh-TW"] {
            let templates = try EmailTemplates.load(theme: Self.theme, locale: locale)
            for (name, audience) in EmailTemplates.catalog {
                let payload = SampleEvent.payload(for: name, catalog: catalog)
                let values = EmailComposer.values(payload, store: catalog.store, storefrontURL: nil, adminURL: nil, strings: templates.strings)
                let mail = try #require(templates.render(name, values: values), "\(name)")
                for (part, text) in [("subject", mail.subject), ("text", mail.text), ("html", mail.html)] {
                    #expect(!text.contains("{{") && !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(locale) \(name) \(part)")
                }
                #expect(!mail.subject.contains("\n"))
                if let order = payload.data.order, name != "owner-low-stock" {
                    #expect(mail.subject.contains(order.id) || mail.text.contains(order.id), "\(locale) \(name) names the order")
                    let total = try Money.parse(order.total, currency: catalog.store.currency).formatted
                    #expect(mail.text.contains(total) && mail.html.contains(total), "\(locale) \(name) shows \(total)")
                    let link = "\(catalog.store.baseURL)/order/?id=\(order.id)"
                    let admin = "\(catalog.store.baseURL)/admin/"
                    #expect(mail.text.contains(audience == .shopper ? link : admin), "\(locale) \(name) links the order page (the owner: the admin page)")
                    #expect(!mail.html.contains("contact="), "the link carries no personal data")
                }
                if audience == .shopper { #expect(!mail.text.contains("0912-345-678"), "\(name): the shopper's phone is not repeated") }
            }
        }
    }

    @Test("the text part is not HTML-escaped and the HTML part is; a missing value hides its section")
    func escapingAndSections() async throws {
        let catalog = try await Self.catalog()
        let templates = try EmailTemplates.load(theme: Self.theme, locale: "en")
        var payload = SampleEvent.payload(for: "order-shipped", catalog: catalog)
        payload.data.order?.lines[0].title = "Fish & <Chips>"
        let values = EmailComposer.values(payload, store: catalog.store, storefrontURL: nil, adminURL: nil, strings: templates.strings)
        let mail = try #require(templates.render("order-shipped", values: values))
        #expect(mail.text.contains("Fish & <Chips>"))
        #expect(mail.html.contains("Fish &amp; &lt;Chips&gt;") && !mail.html.contains("<Chips>"))
        #expect(mail.text.contains("900123456789"))
        payload.data.order?.trackingNumber = nil
        let untracked = try #require(
            templates.render(
                "order-shipped", values: EmailComposer.values(payload, store: catalog.store, storefrontURL: nil, adminURL: nil, strings: templates.strings)))
        #expect(!untracked.text.contains(templates.strings["emailTrackingNumber"]!), "no tracking number, no tracking line")
    }

    @Test("a variant's line shows its option values in both parts; a plain line shows none")
    func variantOptions() async throws {
        let catalog = try await Self.catalog()
        let templates = try EmailTemplates.load(theme: Self.theme, locale: "en")
        var payload = SampleEvent.payload(for: "order-received", catalog: catalog)
        payload.data.order?.lines[0].options = [ChosenOption(name: "Weight", value: "75 g"), ChosenOption(name: "Colour", value: "<Red>")]
        let mail = try #require(
            templates.render(
                "order-received", values: EmailComposer.values(payload, store: catalog.store, storefrontURL: nil, adminURL: nil, strings: templates.strings)))
        let title = try #require(payload.data.order?.lines[0].title)
        #expect(mail.text.contains("\(title) (75 g / <Red>)"))
        #expect(mail.html.contains("(75 g / &lt;Red&gt;)"))
        payload.data.order?.lines[0].options = nil
        let plain = try #require(
            templates.render(
                "order-received", values: EmailComposer.values(payload, store: catalog.store, storefrontURL: nil, adminURL: nil, strings: templates.strings)))
        #expect(!plain.text.contains("(75 g"))
    }

    @Test("a template that does not parse is reported with its file and line; a missing part names the file")
    func templateErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("email-theme-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("emails"), withIntermediateDirectories: true)
        let broken = folder.appendingPathComponent("emails/order-paid.text.mustache")
        try Data("Paid\n\n{{#order}}\n{{id}}\n{{/orders}}\n".utf8).write(to: broken)
        let error = #expect(throws: EmailTemplateError.self) {
            _ = try EmailTemplates.load(theme: ThemeFiles.layered(embedded: EmbeddedTheme.files, directories: [folder.path]), locale: "en")
        }
        #expect(error?.file == broken.path)
        #expect(error?.line == 5, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("\(broken.path):5:") == true)

        var files = EmbeddedTheme.files
        files["emails/order-paid.html.mustache"] = nil
        let missing = #expect(throws: EmailTemplateError.self) { _ = try EmailTemplates.load(theme: .layered(embedded: files, directories: []), locale: "en") }
        #expect(missing?.description == "emails/order-paid.html.mustache: is missing from the theme")
    }

    @Test("a shop's theme overrides one e-mail file and keeps the rest")
    func overrides() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("email-theme-" + UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("emails"), withIntermediateDirectories: true)
        try Data("Thanks, {{order.customerName}}! #{{order.id}}".utf8).write(to: folder.appendingPathComponent("emails/order-paid.subject.mustache"))
        let templates = try EmailTemplates.load(theme: .layered(embedded: EmbeddedTheme.files, directories: [folder.path]), locale: "en")
        let catalog = try await Self.catalog()
        let payload = SampleEvent.payload(for: "order-paid", catalog: catalog)
        let mail = try #require(
            templates.render(
                "order-paid", values: EmailComposer.values(payload, store: catalog.store, storefrontURL: nil, adminURL: nil, strings: templates.strings)))
        #expect(mail.subject == "Thanks, 王小明! #A1B2C3D4")
        #expect(mail.html.contains("A1B2C3D4"), "the HTML part is still the default theme's")
    }
}
