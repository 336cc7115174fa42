import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, equal in meaning to SQLite's (`Migrations`): the same tables, columns
/// and invariants, with PostgreSQL's types (TEXT, BIGINT, BOOLEAN, BYTEA). Append-only: never edit
/// a shipped migration, add a new one. Applied at start-up under an advisory lock, so instances
/// starting together apply each migration once.
enum PostgresMigrations {
    /// The advisory lock key held while migrating (`'storefront'` as bytes).
    static let lockKey: Int64 = 0x73746f_72656672

    /// The migrations, in order; `schema_migrations` records the ids applied.
    static let all: [(id: String, sql: String)] = [
        (
            "v1: orders, lines, stock, events, idempotency",
            """
            CREATE TABLE orders (
                id TEXT PRIMARY KEY,
                status TEXT NOT NULL,
                payment_method TEXT NOT NULL,
                currency TEXT NOT NULL,
                subtotal_minor BIGINT NOT NULL,
                shipping_minor BIGINT NOT NULL,
                total_minor BIGINT NOT NULL,
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
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                expires_at BIGINT,
                tracking_number TEXT,
                needs_review BOOLEAN NOT NULL DEFAULT FALSE,
                payment_info TEXT
            );
            CREATE INDEX orders_created ON orders (created_at DESC, id DESC);
            CREATE INDEX orders_status_created ON orders (status, created_at DESC);
            CREATE INDEX orders_expiry ON orders (expires_at) WHERE status = 'created' AND expires_at IS NOT NULL;
            CREATE INDEX orders_email ON orders (customer_email_lower);
            CREATE INDEX orders_phone ON orders (customer_phone_digits);

            CREATE TABLE order_lines (
                order_id TEXT NOT NULL REFERENCES orders (id),
                position BIGINT NOT NULL,
                sku TEXT NOT NULL,
                title TEXT NOT NULL,
                quantity BIGINT NOT NULL CHECK (quantity > 0),
                unit_price_minor BIGINT NOT NULL,
                line_total_minor BIGINT NOT NULL,
                PRIMARY KEY (order_id, position)
            );

            CREATE TABLE stock (
                sku TEXT PRIMARY KEY,
                available BIGINT NOT NULL CHECK (available >= 0),
                reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
                sold BIGINT NOT NULL DEFAULT 0 CHECK (sold >= 0),
                received BIGINT NOT NULL,
                CONSTRAINT stock_conserved CHECK (received = available + reserved + sold)
            );

            CREATE TABLE order_events (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders (id),
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                note TEXT NOT NULL
            );
            CREATE INDEX order_events_order ON order_events (order_id, seq);
            CREATE FUNCTION storefront_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
            CREATE TRIGGER order_events_append_only BEFORE UPDATE OR DELETE ON order_events
                FOR EACH ROW EXECUTE FUNCTION storefront_append_only();

            -- The order is inserted after its key, in the same transaction: the key is taken first,
            -- so two instances given one key wait on each other instead of both taking stock.
            CREATE TABLE idempotency_keys (
                key TEXT PRIMARY KEY,
                request_hash TEXT NOT NULL,
                response_status BIGINT NOT NULL,
                response_body BYTEA NOT NULL,
                order_id TEXT REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
                created_at BIGINT NOT NULL
            );
            """
        ),
        (
            "v2: payment attempts, notification audit, processed events, payment state",
            """
            ALTER TABLE orders ADD COLUMN payment_state TEXT NOT NULL DEFAULT 'pending';
            ALTER TABLE orders ADD COLUMN payment_reference TEXT;
            ALTER TABLE orders ADD COLUMN review_reason TEXT;

            CREATE TABLE payment_attempts (
                reference TEXT PRIMARY KEY,
                order_id TEXT NOT NULL REFERENCES orders (id),
                gateway TEXT NOT NULL,
                amount_minor BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE INDEX payment_attempts_order ON payment_attempts (order_id);

            CREATE TABLE payment_notifications (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                received_at BIGINT NOT NULL,
                gateway TEXT NOT NULL,
                source TEXT NOT NULL,
                order_id TEXT,
                reference TEXT,
                event_id TEXT,
                outcome TEXT NOT NULL,
                reason TEXT NOT NULL,
                raw TEXT NOT NULL
            );
            CREATE INDEX payment_notifications_order ON payment_notifications (order_id, seq);
            CREATE TRIGGER payment_notifications_append_only BEFORE UPDATE OR DELETE ON payment_notifications
                FOR EACH ROW EXECUTE FUNCTION storefront_append_only();

            CREATE TABLE payment_events_seen (
                gateway TEXT NOT NULL,
                event_id TEXT NOT NULL,
                order_id TEXT NOT NULL,
                at BIGINT NOT NULL,
                PRIMARY KEY (gateway, event_id)
            );
            """
        ),
        (
            "v3: notification outbox, deliveries, webhook endpoints, low-stock flags",
            """
            CREATE TABLE outbox_events (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id TEXT NOT NULL,
                type TEXT NOT NULL,
                order_id TEXT,
                created_at BIGINT NOT NULL,
                payload BYTEA NOT NULL,
                shopper_email TEXT,
                payment_method TEXT,
                fanned_out BOOLEAN NOT NULL DEFAULT FALSE
            );
            CREATE INDEX outbox_events_waiting ON outbox_events (seq) WHERE NOT fanned_out;
            CREATE FUNCTION storefront_outbox_event_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (NEW.id, NEW.type, NEW.order_id, NEW.created_at, NEW.payload)
                        IS DISTINCT FROM (OLD.id, OLD.type, OLD.order_id, OLD.created_at, OLD.payload) THEN
                        RAISE EXCEPTION 'an outbox event never changes';
                    END IF;
                    RETURN NEW;
                END $$;
            CREATE TRIGGER outbox_events_content_is_fixed BEFORE UPDATE ON outbox_events
                FOR EACH ROW EXECUTE FUNCTION storefront_outbox_event_is_fixed();

            CREATE TABLE deliveries (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_seq BIGINT NOT NULL REFERENCES outbox_events (seq),
                channel TEXT NOT NULL,
                destination TEXT NOT NULL,
                template TEXT,
                status TEXT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                lease_until BIGINT,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                sent_at BIGINT
            );
            CREATE INDEX deliveries_due_email ON deliveries (next_attempt_at) WHERE status = 'pending' AND channel = 'email';
            CREATE INDEX deliveries_due_webhook ON deliveries (destination, next_attempt_at) WHERE status = 'pending' AND channel = 'webhook';
            CREATE INDEX deliveries_failed ON deliveries (id) WHERE status = 'failed';

            CREATE TABLE webhook_endpoints (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                events TEXT,
                secret TEXT NOT NULL,
                enabled BOOLEAN NOT NULL DEFAULT TRUE,
                disabled_reason TEXT,
                created_at BIGINT NOT NULL,
                deleted_at BIGINT
            );

            ALTER TABLE stock ADD COLUMN low_alerted BOOLEAN NOT NULL DEFAULT FALSE;
            """
        ),
        (
            "v4: order versions and change announcements, admin sign-in failures",
            """
            ALTER TABLE orders ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
            CREATE FUNCTION storefront_order_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.version := OLD.version + 1;
                    PERFORM pg_notify('storefront_orders', NEW.id);
                    RETURN NEW;
                END $$;
            CREATE TRIGGER orders_version BEFORE UPDATE ON orders
                FOR EACH ROW EXECUTE FUNCTION storefront_order_changed();

            CREATE TABLE admin_auth_failures (
                address TEXT NOT NULL,
                at BIGINT NOT NULL
            );
            CREATE INDEX admin_auth_failures_address ON admin_auth_failures (address, at);
            """
        ),
        (
            "v5: storefront_place_order, a new order in one statement",
            """
            CREATE FUNCTION storefront_place_order(
                p_order TEXT[], p_amounts BIGINT[], p_expires_at BIGINT,
                p_line_skus TEXT[], p_line_titles TEXT[], p_line_quantities BIGINT[], p_line_units BIGINT[], p_line_totals BIGINT[],
                p_move_skus TEXT[], p_move_quantities BIGINT[],
                p_key TEXT, p_key_hash TEXT, p_key_status BIGINT, p_key_body BYTEA,
                p_event_ids TEXT[], p_event_types TEXT[], p_event_payloads BYTEA[], p_events_need_endpoint BOOLEAN,
                p_rule_skus TEXT[], p_rule_thresholds BIGINT[]
            ) RETURNS TEXT LANGUAGE plpgsql AS $$
                DECLARE
                    moved RECORD;
                    rule INTEGER;
                    short_available BIGINT;
                    short JSONB := '{}';
                BEGIN
                    -- p_order: id, status, payment_method, currency, catalog_version, customer_name, customer_email,
                    -- customer_email_lower, customer_phone, customer_phone_digits, postal_code, city, address, note,
                    -- payment_state; p_amounts: subtotal, shipping, total, created_at, updated_at.
                    IF p_key IS NOT NULL THEN
                        INSERT INTO idempotency_keys (key, request_hash, response_status, response_body, order_id, created_at)
                        VALUES (p_key, p_key_hash, p_key_status, p_key_body, p_order[1], p_amounts[4])
                        ON CONFLICT (key) DO NOTHING;
                        IF NOT FOUND THEN
                            RETURN 'key_taken';
                        END IF;
                    END IF;
                    FOR i IN 1 .. coalesce(array_length(p_move_skus, 1), 0) LOOP
                        UPDATE stock SET available = available - p_move_quantities[i], reserved = reserved + p_move_quantities[i]
                        WHERE sku = p_move_skus[i] AND available >= p_move_quantities[i]
                        RETURNING available, low_alerted INTO moved;
                        IF NOT FOUND THEN
                            SELECT available INTO short_available FROM stock WHERE sku = p_move_skus[i];
                            IF FOUND THEN
                                short := short || jsonb_build_object(p_move_skus[i], short_available);
                            END IF;
                        ELSE
                            -- A low-stock alert or re-arm is due (NotificationRules.stockAlert): the caller's
                            -- transaction path decides and records it.
                            rule := array_position(p_rule_skus, p_move_skus[i]);
                            IF rule IS NOT NULL AND (moved.available <= p_rule_thresholds[rule]) <> moved.low_alerted THEN
                                RAISE EXCEPTION 'low-stock check due' USING ERRCODE = 'SF001';
                            END IF;
                        END IF;
                    END LOOP;
                    IF short <> '{}' THEN
                        RAISE EXCEPTION 'insufficient stock' USING ERRCODE = 'SF002', DETAIL = short::text;
                    END IF;
                    INSERT INTO orders (id, status, payment_method, currency, catalog_version, customer_name, customer_email,
                        customer_email_lower, customer_phone, customer_phone_digits, postal_code, city, address, note, payment_state,
                        subtotal_minor, shipping_minor, total_minor, created_at, updated_at, expires_at)
                    VALUES (p_order[1], p_order[2], p_order[3], p_order[4], p_order[5], p_order[6], p_order[7], p_order[8], p_order[9],
                        p_order[10], p_order[11], p_order[12], p_order[13], p_order[14], p_order[15],
                        p_amounts[1], p_amounts[2], p_amounts[3], p_amounts[4], p_amounts[5], p_expires_at);
                    INSERT INTO order_lines (order_id, position, sku, title, quantity, unit_price_minor, line_total_minor)
                    SELECT p_order[1], line.position - 1, line.sku, line.title, line.quantity, line.unit_price, line.line_total
                    FROM unnest(p_line_skus, p_line_titles, p_line_quantities, p_line_units, p_line_totals)
                        WITH ORDINALITY AS line(sku, title, quantity, unit_price, line_total, position);
                    INSERT INTO order_events (order_id, at, actor, from_status, to_status, note)
                    VALUES (p_order[1], p_amounts[4], 'shopper', NULL, p_order[2], '');
                    IF NOT p_events_need_endpoint OR EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL) THEN
                        INSERT INTO outbox_events (id, type, order_id, created_at, payload, shopper_email, payment_method, fanned_out)
                        SELECT event.id, event.type, p_order[1], p_amounts[4], event.payload, p_order[7], p_order[3], FALSE
                        FROM unnest(p_event_ids, p_event_types, p_event_payloads) WITH ORDINALITY AS event(id, type, payload, position)
                        ORDER BY event.position;
                    END IF;
                    RETURN 'created';
                END $$;
            """
        ),
        (
            // The v5 function stays beside this one (another argument count): an instance not yet
            // upgraded goes on placing orders with it while a rolling deploy runs.
            "v6: order lines keep a variant's option values; storefront_place_order takes them",
            """
            ALTER TABLE order_lines ADD COLUMN options TEXT NOT NULL DEFAULT '';
            CREATE FUNCTION storefront_place_order(
                p_order TEXT[], p_amounts BIGINT[], p_expires_at BIGINT,
                p_line_skus TEXT[], p_line_titles TEXT[], p_line_quantities BIGINT[], p_line_units BIGINT[], p_line_totals BIGINT[],
                p_line_options TEXT[],
                p_move_skus TEXT[], p_move_quantities BIGINT[],
                p_key TEXT, p_key_hash TEXT, p_key_status BIGINT, p_key_body BYTEA,
                p_event_ids TEXT[], p_event_types TEXT[], p_event_payloads BYTEA[], p_events_need_endpoint BOOLEAN,
                p_rule_skus TEXT[], p_rule_thresholds BIGINT[]
            ) RETURNS TEXT LANGUAGE plpgsql AS $$
                DECLARE
                    moved RECORD;
                    rule INTEGER;
                    short_available BIGINT;
                    short JSONB := '{}';
                BEGIN
                    -- p_order: id, status, payment_method, currency, catalog_version, customer_name, customer_email,
                    -- customer_email_lower, customer_phone, customer_phone_digits, postal_code, city, address, note,
                    -- payment_state; p_amounts: subtotal, shipping, total, created_at, updated_at.
                    IF p_key IS NOT NULL THEN
                        INSERT INTO idempotency_keys (key, request_hash, response_status, response_body, order_id, created_at)
                        VALUES (p_key, p_key_hash, p_key_status, p_key_body, p_order[1], p_amounts[4])
                        ON CONFLICT (key) DO NOTHING;
                        IF NOT FOUND THEN
                            RETURN 'key_taken';
                        END IF;
                    END IF;
                    FOR i IN 1 .. coalesce(array_length(p_move_skus, 1), 0) LOOP
                        UPDATE stock SET available = available - p_move_quantities[i], reserved = reserved + p_move_quantities[i]
                        WHERE sku = p_move_skus[i] AND available >= p_move_quantities[i]
                        RETURNING available, low_alerted INTO moved;
                        IF NOT FOUND THEN
                            SELECT available INTO short_available FROM stock WHERE sku = p_move_skus[i];
                            IF FOUND THEN
                                short := short || jsonb_build_object(p_move_skus[i], short_available);
                            END IF;
                        ELSE
                            -- A low-stock alert or re-arm is due (NotificationRules.stockAlert): the caller's
                            -- transaction path decides and records it.
                            rule := array_position(p_rule_skus, p_move_skus[i]);
                            IF rule IS NOT NULL AND (moved.available <= p_rule_thresholds[rule]) <> moved.low_alerted THEN
                                RAISE EXCEPTION 'low-stock check due' USING ERRCODE = 'SF001';
                            END IF;
                        END IF;
                    END LOOP;
                    IF short <> '{}' THEN
                        RAISE EXCEPTION 'insufficient stock' USING ERRCODE = 'SF002', DETAIL = short::text;
                    END IF;
                    INSERT INTO orders (id, status, payment_method, currency, catalog_version, customer_name, customer_email,
                        customer_email_lower, customer_phone, customer_phone_digits, postal_code, city, address, note, payment_state,
                        subtotal_minor, shipping_minor, total_minor, created_at, updated_at, expires_at)
                    VALUES (p_order[1], p_order[2], p_order[3], p_order[4], p_order[5], p_order[6], p_order[7], p_order[8], p_order[9],
                        p_order[10], p_order[11], p_order[12], p_order[13], p_order[14], p_order[15],
                        p_amounts[1], p_amounts[2], p_amounts[3], p_amounts[4], p_amounts[5], p_expires_at);
                    INSERT INTO order_lines (order_id, position, sku, title, quantity, unit_price_minor, line_total_minor, options)
                    SELECT p_order[1], line.position - 1, line.sku, line.title, line.quantity, line.unit_price, line.line_total, line.options
                    FROM unnest(p_line_skus, p_line_titles, p_line_quantities, p_line_units, p_line_totals, p_line_options)
                        WITH ORDINALITY AS line(sku, title, quantity, unit_price, line_total, options, position);
                    INSERT INTO order_events (order_id, at, actor, from_status, to_status, note)
                    VALUES (p_order[1], p_amounts[4], 'shopper', NULL, p_order[2], '');
                    IF NOT p_events_need_endpoint OR EXISTS (SELECT 1 FROM webhook_endpoints WHERE enabled AND deleted_at IS NULL) THEN
                        INSERT INTO outbox_events (id, type, order_id, created_at, payload, shopper_email, payment_method, fanned_out)
                        SELECT event.id, event.type, p_order[1], p_amounts[4], event.payload, p_order[7], p_order[3], FALSE
                        FROM unnest(p_event_ids, p_event_types, p_event_payloads) WITH ORDINALITY AS event(id, type, payload, position)
                        ORDER BY event.position;
                    END IF;
                    RETURN 'created';
                END $$;
            """
        ),
    ]

    /// Applies the migrations `schema_migrations` lacks, each in its own transaction, holding the
    /// advisory lock on one connection throughout. Returns the ids it applied.
    @discardableResult
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
            do {
                let applied = try await apply(connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                return applied
            } catch {
                // A failed unlock leaves the lock to die with the connection; the first error matters.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                throw error
            }
        }
    }

    private static func apply(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger: logger)
        var done = Set<String>()
        for try await id in try await connection.query("SELECT id FROM schema_migrations", logger: logger).decode(String.self) {
            done.insert(id)
        }
        var applied: [String] = []
        for migration in all where !done.contains(migration.id) {
            try await PostgresTransaction.run(on: connection, logger: logger) { connection in
                // PostgresNIO sends every query as a prepared statement: one statement at a time.
                for statement in statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (id) VALUES (\(migration.id))", logger: logger)
            }
            logger.info("applied database migration", metadata: ["migration": "\(migration.id)"])
            applied.append(migration.id)
        }
        return applied
    }

    /// The statements of a migration: split at `;` outside `$$` bodies.
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        var previous: Character = " "
        for character in sql {
            if character == "$" && previous == "$" { inBody.toggle() }
            if character == ";" && !inBody {
                statements.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character == "$" && previous == "$" ? " " : character
        }
        statements.append(current)
        // Comments stay with the statement they precede; a piece of only comments is dropped.
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { statement in
            statement.split(separator: "\n").contains { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
        }
    }
}
