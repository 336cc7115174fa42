import Foundation
import Notifications

/// E-mail and webhook settings (`SMTP_URL`, `MAIL_FROM`, `OWNER_EMAIL`, `WEBHOOK_ALLOW_PRIVATE`,
/// `--theme`). Without `smtp`, e-mail is off and only webhooks are delivered.
public struct NotificationConfiguration: Sendable {
    /// The SMTP server (`SMTP_URL`); `nil` turns e-mail off.
    public var smtp: SMTPSettings?
    /// The sender (`MAIL_FROM`), required with `smtp`.
    public var mailFrom: MailAddress?
    /// The owner's addresses (`OWNER_EMAIL`, comma-separated).
    public var ownerEmails: [MailAddress] = []
    /// Allow webhook URLs on loopback and private addresses, and `http://` to them (`WEBHOOK_ALLOW_PRIVATE=1`).
    public var allowPrivateWebhooks = false
    /// Theme folders over the embedded default theme, for the e-mail templates (`--theme`, `ORDER_API_THEME`;
    /// by default `themes/default` beside the content folder).
    public var themeDirectories: [String]?
    /// A PEM file of certificate authorities the SMTP server's certificate is checked against instead
    /// of the system's (`SMTP_CA_FILE`), for a relay with a private CA.
    public var smtpCAFile: String?
    /// SMTP time-outs.
    public var smtpTimeouts = SMTPClient.Timeouts()
    /// How long a webhook endpoint has to answer.
    public var webhookTimeout: Duration = .seconds(15)
    /// How often the dispatcher looks for due deliveries when nothing wakes it.
    public var pollInterval: Duration = .seconds(1)

    /// E-mail off, public webhooks only.
    public init() {}

    /// Who the store addresses events to.
    var routing: NotificationRouting {
        NotificationRouting(emailEnabled: smtp != nil && mailFrom != nil, ownerEmails: ownerEmails.map(\.address))
    }

    /// Reads the settings from the environment; the error names the variable.
    static func fromEnvironment(_ environment: [String: String], theme: String?) throws(OrderAPISettingsError) -> NotificationConfiguration {
        var config = NotificationConfiguration()
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let url = value("SMTP_URL") {
            do { config.smtp = try SMTPSettings(url: url) } catch { throw OrderAPISettingsError(error.description) }
            guard let from = value("MAIL_FROM") else {
                throw OrderAPISettingsError("MAIL_FROM must be set when SMTP_URL is (for example 'Shop <shop@example.tw>')")
            }
            do { config.mailFrom = try MailAddress(parsing: from) } catch { throw OrderAPISettingsError("MAIL_FROM: \(error)") }
        }
        if let caFile = value("SMTP_CA_FILE") {
            guard FileManager.default.isReadableFile(atPath: caFile) else { throw OrderAPISettingsError("SMTP_CA_FILE=\(caFile) cannot be read") }
            config.smtpCAFile = caFile
        }
        if let owners = value("OWNER_EMAIL") {
            do { config.ownerEmails = try MailAddress.parseList(owners) } catch { throw OrderAPISettingsError("OWNER_EMAIL: \(error)") }
        }
        if let allow = value("WEBHOOK_ALLOW_PRIVATE") {
            guard ["0", "1", "true", "false", "yes", "no"].contains(allow.lowercased()) else {
                throw OrderAPISettingsError("WEBHOOK_ALLOW_PRIVATE=\(allow) is not 1 or 0")
            }
            config.allowPrivateWebhooks = ["1", "true", "yes"].contains(allow.lowercased())
        }
        if let theme { config.themeDirectories = [theme] }
        return config
    }
}
