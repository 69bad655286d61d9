import Store

/// The schema on PostgreSQL: the same numbered migrations as the SQLite store's (`Storage/Database/Migrations`),
/// with the same names, so both backends share one schema history; each written in PostgreSQL's own terms
/// (identity columns, `timestamptz`, `bytea`, named constraints that a later migration can change in place).
/// A migration, once released, is never edited: a change is a new migration, on both backends.
///
/// Invariants the schema enforces itself, as on SQLite: one recipient per address (its keyed hash), one outbox
/// row per (campaign, recipient), consent and ledger rows only for an existing recipient, an append-only ledger,
/// and no column for an IP address or a user agent. Identity columns never hand out an id twice, so a row
/// deleted with an erased person leaves no id for another to take.
enum PostgresMigrations {
    struct Migration {
        var name: String
        var sql: String
    }

    static let all: [Migration] = [
        Migration(name: "1-consent-store", sql: """
            CREATE TABLE recipients (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                email TEXT NOT NULL,
                address_hash BYTEA NOT NULL UNIQUE,
                name TEXT,
                birth_year INTEGER,
                source TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE recipient_products (
                recipient_id BIGINT NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                product TEXT NOT NULL,
                PRIMARY KEY (recipient_id, product)
            );
            CREATE INDEX recipient_products_by_product ON recipient_products(product, recipient_id);
            CREATE TABLE consents (
                recipient_id BIGINT NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                purpose TEXT NOT NULL,
                granted BOOLEAN NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (recipient_id, purpose)
            );
            CREATE INDEX consents_by_purpose ON consents(purpose, granted, recipient_id);
            CREATE TABLE consent_ledger (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                recipient_id BIGINT NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                purpose TEXT NOT NULL,
                action TEXT NOT NULL CONSTRAINT consent_ledger_action CHECK (action IN ('grant', 'revoke')),
                source TEXT NOT NULL,
                policy_version TEXT,
                notice_hash TEXT,
                recorded_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX consent_ledger_by_recipient ON consent_ledger(recipient_id, id);
            CREATE FUNCTION consent_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the consent ledger is append-only'; END $$;
            CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
                FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only();
            CREATE TABLE suppressions (
                address_hash BYTEA PRIMARY KEY,
                reason TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            );
            """),
        Migration(name: "2-campaigns-outbox", sql: """
            CREATE TABLE campaigns (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                template TEXT NOT NULL,
                segment TEXT,
                status TEXT NOT NULL CONSTRAINT campaigns_status CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
                due_at TIMESTAMPTZ NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                started_at TIMESTAMPTZ,
                finished_at TIMESTAMPTZ
            );
            CREATE INDEX campaigns_due ON campaigns(status, due_at);
            CREATE TABLE outbox (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                recipient_id BIGINT NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'bounced', 'skipped', 'failed')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TIMESTAMPTZ NOT NULL,
                lease_until TIMESTAMPTZ,
                queued_at TIMESTAMPTZ NOT NULL,
                finished_at TIMESTAMPTZ,
                last_code INTEGER,
                last_enhanced_status TEXT,
                last_reply TEXT,
                UNIQUE (campaign_id, recipient_id)
            );
            CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
            CREATE INDEX outbox_by_recipient ON outbox(recipient_id);
            CREATE TABLE delivery_attempts (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_id BIGINT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
                attempted_at TIMESTAMPTZ NOT NULL,
                outcome TEXT NOT NULL,
                code INTEGER,
                enhanced_status TEXT,
                reply TEXT
            );
            CREATE INDEX delivery_attempts_by_job ON delivery_attempts(job_id);
            """),
        Migration(name: "3-outbox-leases", sql: """
            ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
            CREATE INDEX outbox_ready ON outbox(next_attempt_at, id) WHERE state IN ('queued', 'deferred');
            CREATE INDEX outbox_by_campaign ON outbox(campaign_id, state);
            """),
        Migration(name: "4-outbox-leased-index", sql: """
            DROP INDEX outbox_due;
            CREATE INDEX outbox_leased ON outbox(lease_until) WHERE state = 'sending';
            """),
        Migration(name: "5-pending-registrations", sql: """
            CREATE TABLE pending_registrations (
                recipient_id BIGINT PRIMARY KEY REFERENCES recipients(id) ON DELETE CASCADE,
                purposes TEXT NOT NULL,
                products TEXT NOT NULL DEFAULT '',
                name TEXT,
                birth_year INTEGER,
                requested_at TIMESTAMPTZ NOT NULL,
                mailed_at TIMESTAMPTZ,
                creates_recipient BOOLEAN NOT NULL
            );
            CREATE INDEX pending_registrations_by_age ON pending_registrations(requested_at);
            """),
        Migration(name: "6-policy-versions", sql: """
            CREATE TABLE policy_versions (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                version TEXT NOT NULL UNIQUE,
                summary TEXT NOT NULL,
                text_hash TEXT NOT NULL,
                material BOOLEAN NOT NULL,
                effective_at TIMESTAMPTZ NOT NULL,
                published_at TIMESTAMPTZ NOT NULL,
                adds_purpose TEXT
            );
            ALTER TABLE campaigns DROP CONSTRAINT campaigns_status;
            ALTER TABLE campaigns ADD CONSTRAINT campaigns_status CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled', 'failed'));
            ALTER TABLE campaigns ADD COLUMN policy_version TEXT REFERENCES policy_versions(version);
            ALTER TABLE campaigns ADD COLUMN problem TEXT;
            CREATE UNIQUE INDEX campaigns_one_notice_per_version ON campaigns(policy_version) WHERE policy_version IS NOT NULL;
            ALTER TABLE consent_ledger ALTER COLUMN purpose DROP NOT NULL;
            ALTER TABLE consent_ledger DROP CONSTRAINT consent_ledger_action;
            ALTER TABLE consent_ledger ADD CONSTRAINT consent_ledger_action CHECK (action IN ('grant', 'revoke', 'accept', 'decline'));
            ALTER TABLE consent_ledger ADD CONSTRAINT consent_ledger_purpose CHECK (purpose IS NOT NULL OR action IN ('accept', 'decline'));
            """),
        Migration(name: "7-fleet", sql: """
            CREATE TABLE workers (
                owner TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                last_beat TIMESTAMPTZ NOT NULL,
                signed_off BOOLEAN NOT NULL DEFAULT FALSE
            );
            CREATE TABLE send_schedule (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                next_slot TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE domain_pauses (
                domain TEXT PRIMARY KEY,
                paused_until TIMESTAMPTZ NOT NULL
            );
            """),
        Migration(name: "8-staff", sql: """
            CREATE TABLE staff_accounts (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL CHECK (role IN ('marketing', 'admin')),
                password_hash TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE staff_sessions (
                token_hash BYTEA PRIMARY KEY,
                staff_id BIGINT NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
                created_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff_id);
            CREATE TABLE staff_sign_in_failures (
                email TEXT NOT NULL,
                failed_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX staff_sign_in_failures_by_email ON staff_sign_in_failures(email, failed_at);
            CREATE TABLE audit_log (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                staff_email TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                recorded_at TIMESTAMPTZ NOT NULL
            );
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            """),
        // Registration requests (see the SQLite migration of the same name for why); the outbox keeps its table
        // and loses only its reference to recipients.
        Migration(name: "9-registration-requests", sql: """
            DELETE FROM outbox WHERE state IN ('queued', 'deferred', 'sending')
                AND campaign_id IN (SELECT id FROM campaigns WHERE kind = 'confirmation');
            DELETE FROM recipients r USING pending_registrations w
                WHERE w.recipient_id = r.id AND w.creates_recipient
                  AND NOT EXISTS (SELECT 1 FROM consent_ledger l WHERE l.recipient_id = r.id);
            DROP TABLE pending_registrations;
            CREATE TABLE registration_requests (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                email TEXT NOT NULL,
                address_hash BYTEA NOT NULL,
                name TEXT,
                birth_year INTEGER,
                products TEXT NOT NULL DEFAULT '',
                purposes TEXT NOT NULL,
                source TEXT NOT NULL,
                requested_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX registration_requests_by_age ON registration_requests(requested_at);
            CREATE INDEX registration_requests_by_address ON registration_requests(address_hash);
            CREATE TABLE confirmation_mail_log (
                mailbox_hash BYTEA NOT NULL,
                domain_hash BYTEA NOT NULL,
                challenged BOOLEAN NOT NULL,
                queued_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX confirmation_mail_log_by_mailbox ON confirmation_mail_log(mailbox_hash, queued_at);
            CREATE INDEX confirmation_mail_log_by_domain ON confirmation_mail_log(domain_hash, queued_at);
            CREATE INDEX confirmation_mail_log_by_time ON confirmation_mail_log(queued_at);
            ALTER TABLE outbox DROP CONSTRAINT outbox_recipient_id_fkey;
            CREATE INDEX outbox_ready_confirmations ON outbox(next_attempt_at, id) WHERE state IN ('queued', 'deferred') AND recipient_id < 0;
            CREATE FUNCTION recipients_take_their_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM outbox WHERE recipient_id = OLD.id;
                    DELETE FROM registration_requests WHERE address_hash = OLD.address_hash;
                    RETURN OLD;
                END $$;
            CREATE TRIGGER recipients_take_their_rows AFTER DELETE ON recipients
                FOR EACH ROW EXECUTE FUNCTION recipients_take_their_rows();
            CREATE FUNCTION registration_requests_take_their_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN DELETE FROM outbox WHERE recipient_id = -OLD.id; RETURN OLD; END $$;
            CREATE TRIGGER registration_requests_take_their_jobs AFTER DELETE ON registration_requests
                FOR EACH ROW EXECUTE FUNCTION registration_requests_take_their_jobs();
            """),
        Migration(name: "10-sign-in-and-api-tokens", sql: """
            DROP TABLE staff_sign_in_failures;
            ALTER TABLE staff_sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
            UPDATE staff_sessions SET last_seen_at = created_at;
            ALTER TABLE staff_sessions ALTER COLUMN last_seen_at SET NOT NULL;
            CREATE TABLE api_tokens (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                token_hash BYTEA NOT NULL UNIQUE,
                created_at TIMESTAMPTZ NOT NULL,
                last_used_at TIMESTAMPTZ
            );
            """),
        // A campaign's own words and its draft state; a person's first name and personal fields; named
        // segments; unsubscribes counted per campaign (SQLite's migration 11 says why each).
        Migration(name: "11-campaign-words", sql: """
            ALTER TABLE campaigns DROP CONSTRAINT campaigns_status;
            ALTER TABLE campaigns ADD CONSTRAINT campaigns_status CHECK (status IN ('draft', 'scheduled', 'sending', 'done', 'cancelled', 'failed'));
            ALTER TABLE campaigns ADD COLUMN subject TEXT;
            ALTER TABLE campaigns ADD COLUMN preheader TEXT;
            ALTER TABLE campaigns ADD COLUMN body TEXT;
            ALTER TABLE campaigns ADD COLUMN body_format TEXT CONSTRAINT campaigns_body_format CHECK (body_format IN ('markdown', 'html'));
            ALTER TABLE recipients ADD COLUMN first_name TEXT;
            ALTER TABLE recipients ADD COLUMN attributes JSONB;
            CREATE TABLE segments (
                name TEXT PRIMARY KEY,
                expression TEXT NOT NULL,
                saved_at TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE campaign_unsubscribes (
                campaign_id BIGINT PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
                count BIGINT NOT NULL
            );
            """),
        // The public pages' fixes (Step 11; SQLite's migration 12 says why each). Keep this one last when adding
        // others: append after it.
        Migration(name: "12-policy-text", sql: """
            CREATE TABLE policy_texts (
                version TEXT PRIMARY KEY REFERENCES policy_versions(version),
                text TEXT NOT NULL
            );
            CREATE TABLE confirmed_registrations (
                request_id BIGINT PRIMARY KEY,
                confirmed_at TIMESTAMPTZ NOT NULL
            );
            CREATE INDEX confirmed_registrations_by_age ON confirmed_registrations(confirmed_at);
            """),
    ]

    /// Applies what is missing, each migration in one transaction with its record, under an advisory lock so
    /// that workers starting together on several machines migrate once. Returns the names applied now.
    @discardableResult
    static func migrate(_ connection: PostgresConnection) throws(StorageError) -> [String] {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS herald_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """)
        try connection.query("SELECT pg_advisory_lock($1)", [.integer(lockKey)])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [.integer(lockKey)]) }
        let applied = Set(try applied(connection))
        var now: [String] = []
        for migration in all where !applied.contains(migration.name) {
            try connection.transaction { (connection) throws(StorageError) in
                try connection.execute(migration.sql)
                try connection.query("INSERT INTO herald_migrations (name) VALUES ($1)", [.string(migration.name)])
            }
            now.append(migration.name)
        }
        return now
    }

    /// Oldest first.
    static func applied(_ connection: PostgresConnection) throws(StorageError) -> [String] {
        let known = all.map(\.name)
        return try connection.query("SELECT name FROM herald_migrations").compactMap { $0.string(0) }
            .sorted { (known.firstIndex(of: $0) ?? Int.max, $0) < (known.firstIndex(of: $1) ?? Int.max, $1) }
    }

    /// `pg_advisory_lock`'s key for Herald's migrations ("herald" in ASCII).
    static let lockKey: Int64 = 0x68_65_72_61_6C_64
}
