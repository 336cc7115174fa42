import GRDB

/// The database schema. Migrations are append-only: never edit a shipped one, add a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: orders, lines, stock, events, idempotency") { db in
            try db.execute(
                sql: """
                    CREATE TABLE orders (
                        id TEXT PRIMARY KEY NOT NULL,
                        status TEXT NOT NULL,
                        payment_method TEXT NOT NULL,
                        currency TEXT NOT NULL,
                        subtotal_minor INTEGER NOT NULL,
                        shipping_minor INTEGER NOT NULL,
                        total_minor INTEGER NOT NULL,
                        catalog_version TEXT NOT NULL,
                        customer_name TEXT NOT NULL,
                        customer_email TEXT NOT NULL,
                        customer_email_lower TEXT NOT NULL,
                        customer_phone TEXT NOT NULL,
                        customer_phone_digits TEXT NOT NULL,
                        postal_code TEXT NOT NULL,
                        city TEXT NOT NULL,
                        address TEXT NOT NULL,
                        note TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        expires_at INTEGER,
                        tracking_number TEXT,
                        needs_review INTEGER NOT NULL DEFAULT 0,
                        payment_info TEXT
                    ) STRICT;
                    CREATE INDEX orders_created ON orders(created_at DESC, id DESC);
                    CREATE INDEX orders_status_created ON orders(status, created_at DESC);
                    CREATE INDEX orders_expiry ON orders(expires_at) WHERE status = 'created' AND expires_at IS NOT NULL;
                    CREATE INDEX orders_email ON orders(customer_email_lower);
                    CREATE INDEX orders_phone ON orders(customer_phone_digits);

                    CREATE TABLE order_lines (
                        order_id TEXT NOT NULL REFERENCES orders(id),
                        position INTEGER NOT NULL,
                        sku TEXT NOT NULL,
                        title TEXT NOT NULL,
                        quantity INTEGER NOT NULL CHECK (quantity > 0),
                        unit_price_minor INTEGER NOT NULL,
                        line_total_minor INTEGER NOT NULL,
                        PRIMARY KEY (order_id, position)
                    ) STRICT;

                    CREATE TABLE stock (
                        sku TEXT PRIMARY KEY NOT NULL,
                        available INTEGER NOT NULL CHECK (available >= 0),
                        reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
                        sold INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
                        received INTEGER NOT NULL
                    ) STRICT;

                    CREATE TABLE order_events (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        order_id TEXT NOT NULL REFERENCES orders(id),
                        at INTEGER NOT NULL,
                        actor TEXT NOT NULL,
                        from_status TEXT,
                        to_status TEXT NOT NULL,
                        note TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX order_events_order ON order_events(order_id, seq);
                    CREATE TRIGGER order_events_append_only_update BEFORE UPDATE ON order_events
                        BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
                    CREATE TRIGGER order_events_append_only_delete BEFORE DELETE ON order_events
                        BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;

                    CREATE TABLE idempotency_keys (
                        key TEXT PRIMARY KEY NOT NULL,
                        request_hash TEXT NOT NULL,
                        response_status INTEGER NOT NULL,
                        response_body BLOB NOT NULL,
                        order_id TEXT REFERENCES orders(id),
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v2: payment attempts, notification audit, processed events, payment state") { db in
            try db.execute(
                sql: """
                    ALTER TABLE orders ADD COLUMN payment_state TEXT NOT NULL DEFAULT 'pending';
                    ALTER TABLE orders ADD COLUMN payment_reference TEXT;
                    ALTER TABLE orders ADD COLUMN review_reason TEXT;
                    UPDATE orders SET payment_state = CASE
                        WHEN payment_method = 'cash_on_delivery' THEN (CASE WHEN status = 'delivered' THEN 'paid' ELSE 'on_delivery' END)
                        WHEN status IN ('paid', 'shipped', 'delivered', 'refunded') THEN 'paid'
                        ELSE 'pending' END;

                    CREATE TABLE payment_attempts (
                        reference TEXT PRIMARY KEY NOT NULL,
                        order_id TEXT NOT NULL REFERENCES orders(id),
                        gateway TEXT NOT NULL,
                        amount_minor INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX payment_attempts_order ON payment_attempts(order_id);

                    CREATE TABLE payment_notifications (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        received_at INTEGER NOT NULL,
                        gateway TEXT NOT NULL,
                        source TEXT NOT NULL,
                        order_id TEXT,
                        reference TEXT,
                        event_id TEXT,
                        outcome TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        raw TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX payment_notifications_order ON payment_notifications(order_id, seq);
                    CREATE TRIGGER payment_notifications_append_only_update BEFORE UPDATE ON payment_notifications
                        BEGIN SELECT RAISE(ABORT, 'payment_notifications is append-only'); END;
                    CREATE TRIGGER payment_notifications_append_only_delete BEFORE DELETE ON payment_notifications
                        BEGIN SELECT RAISE(ABORT, 'payment_notifications is append-only'); END;

                    CREATE TABLE payment_events_seen (
                        gateway TEXT NOT NULL,
                        event_id TEXT NOT NULL,
                        order_id TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        PRIMARY KEY (gateway, event_id)
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v3: notification outbox, deliveries, webhook endpoints, low-stock flags") { db in
            try db.execute(
                sql: """
                    CREATE TABLE outbox_events (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        order_id TEXT,
                        created_at INTEGER NOT NULL,
                        payload BLOB NOT NULL,
                        shopper_email TEXT,
                        payment_method TEXT,
                        fanned_out INTEGER NOT NULL DEFAULT 0
                    ) STRICT;
                    CREATE INDEX outbox_events_waiting ON outbox_events(seq) WHERE fanned_out = 0;
                    CREATE TRIGGER outbox_events_content_is_fixed BEFORE UPDATE OF id, type, order_id, created_at, payload ON outbox_events
                        BEGIN SELECT RAISE(ABORT, 'an outbox event never changes'); END;

                    CREATE TABLE deliveries (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_seq INTEGER NOT NULL REFERENCES outbox_events(seq),
                        channel TEXT NOT NULL,
                        destination TEXT NOT NULL,
                        template TEXT,
                        status TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL,
                        lease_until INTEGER,
                        last_error TEXT,
                        created_at INTEGER NOT NULL,
                        sent_at INTEGER
                    ) STRICT;
                    CREATE INDEX deliveries_due_email ON deliveries(next_attempt_at) WHERE status = 'pending' AND channel = 'email';
                    CREATE INDEX deliveries_due_webhook ON deliveries(destination, next_attempt_at) WHERE status = 'pending' AND channel = 'webhook';
                    CREATE INDEX deliveries_failed ON deliveries(id) WHERE status = 'failed';

                    CREATE TABLE webhook_endpoints (
                        id TEXT PRIMARY KEY NOT NULL,
                        url TEXT NOT NULL,
                        events TEXT,
                        secret TEXT NOT NULL,
                        enabled INTEGER NOT NULL DEFAULT 1,
                        disabled_reason TEXT,
                        created_at INTEGER NOT NULL,
                        deleted_at INTEGER
                    ) STRICT;

                    ALTER TABLE stock ADD COLUMN low_alerted INTEGER NOT NULL DEFAULT 0;
                    """)
        }
        migrator.registerMigration("v4: admin sign-in failures") { db in
            try db.execute(
                sql: """
                    CREATE TABLE admin_auth_failures (
                        address TEXT NOT NULL,
                        at INTEGER NOT NULL
                    ) STRICT;
                    CREATE INDEX admin_auth_failures_address ON admin_auth_failures(address, at);
                    """)
        }
        migrator.registerMigration("v5: order lines keep a variant's option values") { db in
            try db.execute(sql: "ALTER TABLE order_lines ADD COLUMN options TEXT NOT NULL DEFAULT ''")
        }
        return migrator
    }
}
