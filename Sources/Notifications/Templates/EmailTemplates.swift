import Foundation
import Mustache
import StoreModel

/// The theme's e-mail templates (`emails/`), compiled once, with the strings of the shop's locale.
///
/// Each e-mail is three files: `emails/<name>.subject.mustache`, `emails/<name>.text.mustache` and
/// `emails/<name>.html.mustache`. Shared pieces live in `emails/partials/<partial>.mustache` and are
/// used as `{{> partial}}`. The HTML part is escaped for HTML; the subject and the text part are not.
/// A shop overrides any file by putting its own at the same path in its theme folder.
public struct EmailTemplates: Sendable {
    /// Who an e-mail is for.
    public enum Audience: String, Sendable, Hashable, Codable {
        /// The shopper who placed the order.
        case shopper
        /// The shop owner (`OWNER_EMAIL`).
        case owner
    }

    /// Every e-mail the order API sends, and to whom.
    public static let catalog: [(name: String, audience: Audience)] = [
        ("order-received", .shopper), ("order-payment-info", .shopper), ("order-paid", .shopper), ("order-shipped", .shopper),
        ("order-cancelled", .shopper), ("order-expired", .shopper), ("order-refunded", .shopper),
        ("owner-new-order", .owner), ("owner-paid", .owner), ("owner-needs-review", .owner), ("owner-low-stock", .owner),
        ("owner-delivery-failed", .owner),
    ]

    /// The three parts of each e-mail, by file suffix.
    static let parts = ["subject", "text", "html"]

    let library: MustacheLibrary
    /// The UI strings of the locale (`t` in every template).
    public let strings: [String: String]
    /// The locale the strings are for.
    public let locale: String

    /// Compiles the e-mail templates of `theme` for `locale`. Throws `EmailTemplateError` naming the
    /// file and line of a template that does not parse, or the file a required part is missing from.
    public static func load(theme: ThemeFiles, locale: String) throws(EmailTemplateError) -> EmailTemplates {
        var library = MustacheLibrary()
        var registered: [String: String] = [:]
        for relative in theme.files.keys.sorted() where relative.hasPrefix("emails/") && relative.hasSuffix(".mustache") {
            let file = theme.files[relative]!
            let name = templateName(relative)
            if let other = registered[name] {
                throw EmailTemplateError(file: file.label, line: nil, message: "the template name \"\(name)\" is also used by \(other)")
            }
            registered[name] = file.label
            let data: Data
            do { data = try file.read() } catch { throw EmailTemplateError(file: file.label, line: nil, message: "cannot be read") }
            var text = String(decoding: data, as: UTF8.self)
            if name.hasSuffix(".subject") || name.hasSuffix(".text") || name.hasSuffix("-text") || name.hasPrefix("text-") {
                text = "{{% CONTENT_TYPE: TEXT}}" + text  // same line, so line numbers stay right
            }
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                throw EmailTemplateError(file: file.label, line: error.context.lineNumber, message: "\(error.error)")
            } catch {
                throw EmailTemplateError(file: file.label, line: nil, message: "\(error)")
            }
        }
        for (name, _) in catalog {
            for part in parts where registered["\(name).\(part)"] == nil {
                throw EmailTemplateError(file: "emails/\(name).\(part).mustache", line: nil, message: "is missing from the theme")
            }
        }
        let strings: [String: String]
        do { strings = try theme.strings(locale: locale) } catch { throw EmailTemplateError(file: "locales", line: nil, message: "\(error)") }
        return EmailTemplates(library: library, strings: strings, locale: locale)
    }

    /// The registered name of a file: its path under `emails/` (or `emails/partials/`) without `.mustache`.
    static func templateName(_ relative: String) -> String {
        var name = relative.dropFirst("emails/".count)
        if name.hasPrefix("partials/") { name = name.dropFirst("partials/".count) }
        return String(name.dropLast(".mustache".count))
    }

    /// Renders the e-mail `name` with `values` (the strings are added as `t`). The subject is
    /// trimmed to one line; `nil` when the theme has no such e-mail.
    public func render(_ name: String, values: [String: Any]) -> RenderedEmail? {
        var context = values
        context["t"] = strings
        guard let subject = library.render(context, withTemplate: "\(name).subject"),
            let text = library.render(context, withTemplate: "\(name).text"),
            let html = library.render(context, withTemplate: "\(name).html")
        else { return nil }
        let oneLine = subject.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return RenderedEmail(subject: oneLine.joined(separator: " "), text: text, html: html)
    }
}

/// One rendered e-mail, before it becomes a MIME message.
public struct RenderedEmail: Sendable, Hashable {
    /// The subject, one line.
    public var subject: String
    /// The plain-text part.
    public var text: String
    /// The HTML part.
    public var html: String

    /// Creates a rendered e-mail.
    public init(subject: String, text: String, html: String) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// An e-mail template that cannot be used: `file:line: message`.
public struct EmailTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The template file (a path, or `(embedded default theme) <path>`).
    public var file: String
    /// The line, when known.
    public var line: Int?
    /// What is wrong.
    public var message: String

    /// `file:line: message`.
    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}
