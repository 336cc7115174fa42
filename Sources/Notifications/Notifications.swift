/// Notifications: how Storefront tells shoppers, the owner and other systems what happened.
///
/// - `Mail/`: `SMTPSettings` (`SMTP_URL`), `MailMessage` (MIME), `SMTPClient`.
/// - `Templates/`: `EmailTemplates`, the theme's `emails/` rendered with its locales.
/// - `Webhooks/`: `WebhookSecret` (Standard Webhooks signatures), `WebhookURLPolicy`, `WebhookSender`.
/// - `Delivery/`: `RetrySchedule`, the timing of attempts.
///
/// Storage of the outbox and the delivery loop live in `OrderService`, which owns the database.
public enum Notifications {}
