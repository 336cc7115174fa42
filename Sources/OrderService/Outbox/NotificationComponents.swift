import Foundation
import Logging
import NIOSSL
import Notifications
import ServiceLifecycle
import StoreModel

/// The parts that deliver notifications, built once at start-up.
struct NotificationComponents: Sendable {
    let configuration: NotificationConfiguration
    /// The theme the e-mails come from, for previews in other locales.
    let theme: ThemeFiles
    let templates: EmailTemplates
    let composer: EmailComposer?
    let dispatcher: NotificationDispatcher
    let urlPolicy: WebhookURLPolicy

    /// Checks the settings and the theme's e-mail templates (a template error stops start-up with
    /// its `file:line`), and builds the SMTP client and the dispatcher.
    static func make(
        configuration: OrderAPIConfiguration, store: any OrderStore, catalog: CatalogProvider, logger: Logger, clock: @escaping @Sendable () -> Date
    ) throws -> NotificationComponents {
        let settings = configuration.notifications
        let directories = settings.themeDirectories ?? [Self.defaultThemeDirectory(contentDirectory: configuration.contentDirectory)]
        let theme = ThemeFiles.layered(embedded: EmbeddedTheme.files, directories: directories)
        let templates = try EmailTemplates.load(theme: theme, locale: catalog.current.store.locale)
        var mail: DeliveryAttempts.Mail?
        var composer: EmailComposer?
        let adminURL = (configuration.storefrontURL ?? catalog.current.store.baseURL) + "/admin/"
        if let smtp = settings.smtp, let from = settings.mailFrom {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let caFile = settings.smtpCAFile { tls.trustRoots = .file(caFile) }
            let client = SMTPClient(
                settings: smtp, heloName: Self.heloName(from), timeouts: settings.smtpTimeouts, tlsConfiguration: tls, logger: logger)
            composer = EmailComposer(templates: templates, from: from, storefrontURL: configuration.storefrontURL, adminURL: adminURL)
            mail = DeliveryAttempts.Mail(client: client, composer: composer!)
            logger.info(
                "e-mail is on",
                metadata: ["smtp": "\(smtp.redacted)", "from": "\(from.address)", "owner": "\(settings.ownerEmails.map(\.address).joined(separator: ","))"])
            if settings.ownerEmails.isEmpty { logger.warning("OWNER_EMAIL is not set: the owner gets no e-mail about orders and low stock") }
        } else {
            logger.info("e-mail is off: set SMTP_URL and MAIL_FROM to send order e-mails")
        }
        let policy = WebhookURLPolicy(allowPrivate: settings.allowPrivateWebhooks)
        let attempts = DeliveryAttempts(
            mail: mail, webhookPolicy: policy, webhookTimeout: settings.webhookTimeout, catalog: catalog, store: store, clock: clock, logger: logger)
        let dispatcher = NotificationDispatcher(store: store, attempts: attempts, clock: clock, logger: logger, pollInterval: settings.pollInterval)
        store.observeOrderChanges { [doorbell = dispatcher.doorbell, writes = dispatcher.writes] ids in
            writes.record(ids.count)
            doorbell.ring()
        }
        return NotificationComponents(
            configuration: settings, theme: theme, templates: templates, composer: composer, dispatcher: dispatcher, urlPolicy: policy)
    }

    /// `themes/default` beside the content folder: the shop's own copy of the default theme.
    static func defaultThemeDirectory(contentDirectory: String) -> String {
        let parent = (contentDirectory as NSString).deletingLastPathComponent
        return (parent.isEmpty ? "." : parent) + "/themes/default"
    }

    /// The name the SMTP client greets with: the sender's domain.
    static func heloName(_ from: MailAddress) -> String {
        from.address.split(separator: "@").last.map(String.init) ?? "localhost"
    }

    /// The service that delivers.
    var services: [any Service] { [dispatcher] }
}
