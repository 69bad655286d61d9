import GRDB

/// The numbered schema changes. A migration, once released, is never edited: a change is a new migration.
///
/// Invariants the schema enforces itself: one recipient per address (by its keyed hash, so `Ada@x` and `ada@x` are one person), one outbox row per
/// (campaign, recipient), a consent or ledger row only for an existing recipient, and no stored IP address
/// or user agent anywhere (there is no column for one).
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("1-consent-store") { db in
            try db.execute(sql: """
                CREATE TABLE recipients (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    email TEXT NOT NULL,                    -- unique through address_hash, which is derived from it
                    address_hash BLOB NOT NULL UNIQUE,      -- keyed hash, matches suppressions.address_hash
                    name TEXT,
                    birth_year INTEGER,                     -- the year only, for aggregate age bands
                    source TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE recipient_products (
                    recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                    product TEXT NOT NULL,
                    PRIMARY KEY (recipient_id, product)
                ) WITHOUT ROWID;
                CREATE INDEX recipient_products_by_product ON recipient_products(product, recipient_id);

                -- The current state of each purpose, kept in step with the ledger in the same transaction.
                CREATE TABLE consents (
                    recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                    purpose TEXT NOT NULL,
                    granted BOOLEAN NOT NULL,
                    updated_at DATETIME NOT NULL,
                    PRIMARY KEY (recipient_id, purpose)
                ) WITHOUT ROWID;
                CREATE INDEX consents_by_purpose ON consents(purpose, granted, recipient_id);

                -- Append-only: every grant and revocation, with where it came from and what the person was shown.
                CREATE TABLE consent_ledger (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                    purpose TEXT NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('grant', 'revoke')),
                    source TEXT NOT NULL,
                    policy_version TEXT,
                    notice_hash TEXT,
                    recorded_at DATETIME NOT NULL
                );
                CREATE INDEX consent_ledger_by_recipient ON consent_ledger(recipient_id, id);
                CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
                    BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;

                -- Keyed hashes only: an erased person stays suppressed without their address being kept.
                CREATE TABLE suppressions (
                    address_hash BLOB PRIMARY KEY,
                    reason TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                """)
        }

        migrator.registerMigration("2-campaigns-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE campaigns (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    template TEXT NOT NULL,
                    segment TEXT,
                    status TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
                    due_at DATETIME NOT NULL,
                    created_at DATETIME NOT NULL,
                    started_at DATETIME,
                    finished_at DATETIME
                );
                CREATE INDEX campaigns_due ON campaigns(status, due_at);

                -- One job per (campaign, recipient). See OutboxJob for the states and what a crash does.
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                    recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'bounced', 'skipped', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME NOT NULL,
                    lease_until DATETIME,
                    queued_at DATETIME NOT NULL,
                    finished_at DATETIME,
                    last_code INTEGER,
                    last_enhanced_status TEXT,
                    last_reply TEXT,
                    UNIQUE (campaign_id, recipient_id)
                );
                CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                CREATE INDEX outbox_by_recipient ON outbox(recipient_id);

                -- Every SMTP attempt and the server's reply, so an operator can see why a recipient failed.
                CREATE TABLE delivery_attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
                    attempted_at DATETIME NOT NULL,
                    outcome TEXT NOT NULL,
                    code INTEGER,
                    enhanced_status TEXT,
                    reply TEXT
                );
                CREATE INDEX delivery_attempts_by_job ON delivery_attempts(job_id);
                """)
        }

        migrator.registerMigration("3-outbox-leases") { db in
            try db.execute(sql: """
                -- Which worker holds a lease (`pid:<n>:<random>`), so a restarted worker can take back at once the rows of
                -- one that died on this machine instead of waiting for the lease to expire.
                ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
                -- Claims read due jobs in this order; without it each claim sorted every waiting row.
                CREATE INDEX outbox_ready ON outbox(next_attempt_at, id) WHERE state IN ('queued', 'deferred');
                CREATE INDEX outbox_by_campaign ON outbox(campaign_id, state);
                """)
        }
        migrator.registerMigration("4-outbox-leased-index") { db in
            try db.execute(sql: """
                -- Every claim and every outcome changes a job's state, and each change moved the row in outbox_due
                -- (state, next_attempt_at) as well as in the other indexes. Due jobs are found through
                -- outbox_ready; what else looked by state looks for leased rows, which are few: a partial index
                -- holds only them, so a state change touches one entry instead of two.
                DROP INDEX outbox_due;
                CREATE INDEX outbox_leased ON outbox(lease_until) WHERE state = 'sending';
                """)
        }
        migrator.registerMigration("5-pending-registrations") { db in
            try db.execute(sql: """
                -- A registration waiting for its double opt-in: the purposes and products asked for wait here, not in
                -- the consent ledger or the person's products, until the person confirms. Deleted on confirmation,
                -- and 7 days after its last mail, with the person when the registration brought them in
                -- (creates_recipient) and nothing was ever consented.
                CREATE TABLE pending_registrations (
                    recipient_id INTEGER PRIMARY KEY REFERENCES recipients(id) ON DELETE CASCADE,
                    purposes TEXT NOT NULL,
                    products TEXT NOT NULL DEFAULT '',
                    name TEXT,
                    birth_year INTEGER,
                    requested_at DATETIME NOT NULL,
                    mailed_at DATETIME,
                    creates_recipient INTEGER NOT NULL
                );
                CREATE INDEX pending_registrations_by_age ON pending_registrations(requested_at);
                """)
        }
        migrator.registerMigration("6-policy-versions") { db in
            try db.execute(sql: """
                -- Every privacy-policy version ever published, oldest first (seq). The newest is the one in force for
                -- every consent recorded from then on; a version that adds a purpose makes it granted to nobody
                -- until each person accepts.
                CREATE TABLE policy_versions (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    version TEXT NOT NULL UNIQUE,
                    summary TEXT NOT NULL,
                    text_hash TEXT NOT NULL,
                    material BOOLEAN NOT NULL,
                    effective_at DATETIME NOT NULL,
                    published_at DATETIME NOT NULL,
                    adds_purpose TEXT
                );

                -- Campaigns can now fail as a whole (a template error found before the first send), and a
                -- policy-change notice names its version. SQLite cannot alter a CHECK: the table is rebuilt
                -- (foreign keys are checked once the migration ends). The AUTOINCREMENT counters are kept, so
                -- that the id of a row deleted with an erased person is never given to another.
                CREATE TEMP TABLE kept_sequences AS SELECT name, seq FROM sqlite_sequence WHERE name IN ('campaigns', 'consent_ledger');
                CREATE TABLE new_campaigns (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    template TEXT NOT NULL,
                    segment TEXT,
                    status TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled', 'failed')),
                    due_at DATETIME NOT NULL,
                    created_at DATETIME NOT NULL,
                    started_at DATETIME,
                    finished_at DATETIME,
                    policy_version TEXT REFERENCES policy_versions(version),
                    problem TEXT
                );
                INSERT INTO new_campaigns (id, name, kind, template, segment, status, due_at, created_at, started_at, finished_at)
                    SELECT id, name, kind, template, segment, status, due_at, created_at, started_at, finished_at FROM campaigns;
                DROP TABLE campaigns;
                ALTER TABLE new_campaigns RENAME TO campaigns;
                CREATE INDEX campaigns_due ON campaigns(status, due_at);
                -- One notice campaign per version: publishing the same version twice mails nobody twice.
                CREATE UNIQUE INDEX campaigns_one_notice_per_version ON campaigns(policy_version) WHERE policy_version IS NOT NULL;

                -- The ledger also records a person's choice on a materially changed policy (accept, decline), with
                -- the purpose that version adds, or none.
                CREATE TABLE new_consent_ledger (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    recipient_id INTEGER NOT NULL REFERENCES recipients(id) ON DELETE CASCADE,
                    purpose TEXT,
                    action TEXT NOT NULL CHECK (action IN ('grant', 'revoke', 'accept', 'decline')),
                    source TEXT NOT NULL,
                    policy_version TEXT,
                    notice_hash TEXT,
                    recorded_at DATETIME NOT NULL,
                    CHECK (purpose IS NOT NULL OR action IN ('accept', 'decline'))
                );
                INSERT INTO new_consent_ledger SELECT id, recipient_id, purpose, action, source, policy_version, notice_hash, recorded_at
                    FROM consent_ledger;
                DROP TABLE consent_ledger;
                ALTER TABLE new_consent_ledger RENAME TO consent_ledger;
                CREATE INDEX consent_ledger_by_recipient ON consent_ledger(recipient_id, id);
                CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
                    BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;

                DELETE FROM sqlite_sequence WHERE name IN ('campaigns', 'consent_ledger', 'new_campaigns', 'new_consent_ledger');
                INSERT INTO sqlite_sequence (name, seq) SELECT name, seq FROM kept_sequences;
                DROP TABLE kept_sequences;
                """)
        }
        migrator.registerMigration("7-fleet") { db in
            try db.execute(sql: """
                -- What workers sharing the store share besides the outbox: who is alive (a heartbeat each, so a dead
                -- worker's leases can be taken back without waiting for them to expire), one schedule of message
                -- starts for smtp.rate (seconds since 1970), and the pauses a domain's "slow down" puts on everyone.
                CREATE TABLE workers (
                    owner TEXT PRIMARY KEY,
                    host TEXT NOT NULL,
                    last_beat DATETIME NOT NULL,
                    signed_off BOOLEAN NOT NULL DEFAULT 0
                );
                CREATE TABLE send_schedule (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    next_slot REAL NOT NULL
                );
                CREATE TABLE domain_pauses (
                    domain TEXT PRIMARY KEY,
                    paused_until DATETIME NOT NULL
                );
                """)
        }
        migrator.registerMigration("8-staff") { db in
            try db.execute(sql: """
                -- The console's accounts (a memory-hard password hash, never the password), their sessions (the
                -- SHA-256 of the cookie's token), failed sign-ins (to slow guessing down) and the audit log of
                -- what staff changed, which only grows.
                CREATE TABLE staff_accounts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    email TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('marketing', 'admin')),
                    password_hash TEXT NOT NULL,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE staff_sessions (
                    token_hash BLOB PRIMARY KEY,
                    staff_id INTEGER NOT NULL REFERENCES staff_accounts(id) ON DELETE CASCADE,
                    created_at DATETIME NOT NULL,
                    expires_at DATETIME NOT NULL
                );
                CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff_id);
                CREATE TABLE staff_sign_in_failures (
                    email TEXT NOT NULL,
                    failed_at DATETIME NOT NULL
                );
                CREATE INDEX staff_sign_in_failures_by_email ON staff_sign_in_failures(email, failed_at);
                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    staff_email TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    recorded_at DATETIME NOT NULL
                );
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("9-registration-requests") { db in
            try db.execute(sql: """
                -- Until a person confirms, a registration stores no person: each submission waits on its own as a
                -- registration request (its address only to send the confirmation mail), and its link applies only
                -- its own data. A stranger who types an address can then neither bring an erased person back nor
                -- change anyone's name, birth year or products, nor keep a request alive past 7 days.
                --
                -- The registrations waiting from before go, as the sweep would have taken them: their links named the
                -- person's id, which a confirmation link may no longer name, and the people only they brought in (who
                -- never consented to anything, so own nothing else) go with them. Foreign keys are off during a
                -- migration (checked when it ends), so what cascades at run time is deleted here by hand.
                CREATE TEMP TABLE unconfirmed_people AS SELECT recipient_id AS id FROM pending_registrations w
                    WHERE w.creates_recipient AND NOT EXISTS (SELECT 1 FROM consent_ledger l WHERE l.recipient_id = w.recipient_id);
                CREATE TEMP TABLE dropped_jobs AS SELECT id FROM outbox
                    WHERE recipient_id IN (SELECT id FROM unconfirmed_people)
                       OR (state IN ('queued', 'deferred', 'sending') AND campaign_id IN (SELECT id FROM campaigns WHERE kind = 'confirmation'));
                DELETE FROM delivery_attempts WHERE job_id IN (SELECT id FROM dropped_jobs);
                DELETE FROM outbox WHERE id IN (SELECT id FROM dropped_jobs);
                DELETE FROM recipient_products WHERE recipient_id IN (SELECT id FROM unconfirmed_people);
                DELETE FROM consents WHERE recipient_id IN (SELECT id FROM unconfirmed_people);
                DELETE FROM recipients WHERE id IN (SELECT id FROM unconfirmed_people);
                DROP TABLE pending_registrations;
                DROP TABLE unconfirmed_people;
                DROP TABLE dropped_jobs;

                -- AUTOINCREMENT: an id is never given twice, so the link of a request confirmed or expired can never
                -- name a later one.
                CREATE TABLE registration_requests (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    email TEXT NOT NULL,                    -- only to send the confirmation mail
                    address_hash BLOB NOT NULL,             -- keyed hash: the person found or made on confirmation
                    name TEXT,
                    birth_year INTEGER,
                    products TEXT NOT NULL DEFAULT '',
                    purposes TEXT NOT NULL,
                    source TEXT NOT NULL,
                    requested_at DATETIME NOT NULL          -- the request's life is counted from here; nothing extends it
                );
                CREATE INDEX registration_requests_by_age ON registration_requests(requested_at);
                CREATE INDEX registration_requests_by_address ON registration_requests(address_hash);

                -- The public form's confirmation mails of the last hour, for its limits (RegistrationLimits): keyed
                -- hashes of the normalised mailbox and of the domain, never an address; older rows are deleted as
                -- new ones come.
                CREATE TABLE confirmation_mail_log (
                    mailbox_hash BLOB NOT NULL,
                    domain_hash BLOB NOT NULL,
                    challenged BOOLEAN NOT NULL,
                    queued_at DATETIME NOT NULL
                );
                CREATE INDEX confirmation_mail_log_by_mailbox ON confirmation_mail_log(mailbox_hash, queued_at);
                CREATE INDEX confirmation_mail_log_by_domain ON confirmation_mail_log(domain_hash, queued_at);
                CREATE INDEX confirmation_mail_log_by_time ON confirmation_mail_log(queued_at);

                -- A confirmation mail's outbox row names its request by the negative of the request's id
                -- (ConfirmationJobID), so the outbox's reference to recipients goes. SQLite cannot drop a constraint:
                -- the table is rebuilt with the same columns, in the same order, and every index migrations 2-4 left
                -- on it; its AUTOINCREMENT counter is kept. delivery_attempts names the table, and so refers to the
                -- rebuilt one.
                CREATE TEMP TABLE kept_sequences AS SELECT name, seq FROM sqlite_sequence WHERE name = 'outbox';
                CREATE TABLE new_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
                    recipient_id INTEGER NOT NULL,          -- a person's id; a confirmation's: its request's id, negated
                    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'bounced', 'skipped', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME NOT NULL,
                    lease_until DATETIME,
                    queued_at DATETIME NOT NULL,
                    finished_at DATETIME,
                    last_code INTEGER,
                    last_enhanced_status TEXT,
                    last_reply TEXT,
                    lease_owner TEXT,
                    UNIQUE (campaign_id, recipient_id)
                );
                INSERT INTO new_outbox (id, campaign_id, recipient_id, state, attempts, next_attempt_at, lease_until, queued_at, finished_at,
                                        last_code, last_enhanced_status, last_reply, lease_owner)
                    SELECT id, campaign_id, recipient_id, state, attempts, next_attempt_at, lease_until, queued_at, finished_at,
                           last_code, last_enhanced_status, last_reply, lease_owner FROM outbox;
                DROP TABLE outbox;
                ALTER TABLE new_outbox RENAME TO outbox;
                CREATE INDEX outbox_by_recipient ON outbox(recipient_id);
                CREATE INDEX outbox_ready ON outbox(next_attempt_at, id) WHERE state IN ('queued', 'deferred');
                CREATE INDEX outbox_by_campaign ON outbox(campaign_id, state);
                CREATE INDEX outbox_leased ON outbox(lease_until) WHERE state = 'sending';
                -- Each claim takes its share of confirmations (register.send_share) without reading past campaign jobs.
                CREATE INDEX outbox_ready_confirmations ON outbox(next_attempt_at, id) WHERE state IN ('queued', 'deferred') AND recipient_id < 0;
                DELETE FROM sqlite_sequence WHERE name IN ('outbox', 'new_outbox');
                INSERT INTO sqlite_sequence (name, seq) SELECT name, seq FROM kept_sequences;
                DROP TABLE kept_sequences;

                -- What the reference's cascade did, and more: a person's deletion (erasure) takes their outbox rows
                -- (and, by that table's own cascade, their attempts) and any request still waiting for their address;
                -- a request that goes (confirmed, expired, erased) takes its confirmation's outbox rows, whose SMTP
                -- replies may quote the address.
                CREATE TRIGGER recipients_take_their_rows AFTER DELETE ON recipients BEGIN
                    DELETE FROM outbox WHERE recipient_id = OLD.id;
                    DELETE FROM registration_requests WHERE address_hash = OLD.address_hash;
                END;
                CREATE TRIGGER registration_requests_take_their_jobs AFTER DELETE ON registration_requests BEGIN
                    DELETE FROM outbox WHERE recipient_id = -OLD.id;
                END;
                """)
        }
        migrator.registerMigration("10-sign-in-and-api-tokens") { db in
            try db.execute(sql: """
                -- Failed sign-ins are no longer stored: they kept whatever an attacker typed, without bound. The web
                -- face throttles the client that sent them, in memory.
                DROP TABLE staff_sign_in_failures;
                -- A session also ends when unused for a while; null (sessions from before): as old as the session.
                ALTER TABLE staff_sessions ADD COLUMN last_seen_at DATETIME;
                UPDATE staff_sessions SET last_seen_at = created_at;
                -- The admin API's named tokens: the SHA-256 of each, never the token.
                CREATE TABLE api_tokens (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    token_hash BLOB NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL,
                    last_used_at DATETIME
                );
                """)
        }
        migrator.registerMigration("11-campaign-words") { db in
            try db.execute(sql: """
                -- A campaign brings its own words (subject, preheader, body and its format) into the template, its
                -- frame; and it can be a draft. SQLite cannot alter a CHECK: the table is rebuilt as in migration 3,
                -- keeping its AUTOINCREMENT counter, so that an id is never given twice.
                CREATE TEMP TABLE kept_sequences AS SELECT name, seq FROM sqlite_sequence WHERE name = 'campaigns';
                CREATE TABLE new_campaigns (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    template TEXT NOT NULL,
                    segment TEXT,
                    status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'done', 'cancelled', 'failed')),
                    due_at DATETIME NOT NULL,
                    created_at DATETIME NOT NULL,
                    started_at DATETIME,
                    finished_at DATETIME,
                    policy_version TEXT REFERENCES policy_versions(version),
                    problem TEXT,
                    subject TEXT,                           -- null: the template's own words
                    preheader TEXT,
                    body TEXT,
                    body_format TEXT CHECK (body_format IN ('markdown', 'html'))
                );
                INSERT INTO new_campaigns (id, name, kind, template, segment, status, due_at, created_at, started_at, finished_at, policy_version, problem)
                    SELECT id, name, kind, template, segment, status, due_at, created_at, started_at, finished_at, policy_version, problem FROM campaigns;
                DROP TABLE campaigns;
                ALTER TABLE new_campaigns RENAME TO campaigns;
                CREATE INDEX campaigns_due ON campaigns(status, due_at);
                CREATE UNIQUE INDEX campaigns_one_notice_per_version ON campaigns(policy_version) WHERE policy_version IS NOT NULL;
                DELETE FROM sqlite_sequence WHERE name IN ('campaigns', 'new_campaigns');
                INSERT INTO sqlite_sequence (name, seq) SELECT name, seq FROM kept_sequences;
                DROP TABLE kept_sequences;

                -- A first name given on its own, and the company's own fields (recipients.attributes) as one JSON
                -- object: both go with the person's row when they are erased.
                ALTER TABLE recipients ADD COLUMN first_name TEXT;
                ALTER TABLE recipients ADD COLUMN attributes TEXT;

                -- Named audiences: a segment expression under a name, re-evaluated whenever it is used.
                CREATE TABLE segments (
                    name TEXT PRIMARY KEY,
                    expression TEXT NOT NULL,
                    saved_at DATETIME NOT NULL
                );

                -- Unsubscribes that came from a campaign's own links, counted per campaign: no person named.
                CREATE TABLE campaign_unsubscribes (
                    campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,
                    count INTEGER NOT NULL
                );
                """)
        }
        // Migration 12 belongs to the public pages' fixes (Step 11); the campaign words are migration 11. Keep
        // this one last when adding others: append after it.
        migrator.registerMigration("12-policy-text") { db in
            try db.execute(sql: """
                -- A policy version's full text, when it was published with one (herald policy publish --text): what
                -- /policy shows beside the summary. Kept apart from policy_versions, whose rows never change.
                CREATE TABLE policy_texts (
                    version TEXT PRIMARY KEY REFERENCES policy_versions(version),
                    text TEXT NOT NULL
                );

                -- A confirmed registration request leaves its id and when, nothing else (no address, no person), for
                -- as long as its link may still be valid: a second visit of the link says "confirmed already"
                -- instead of "invalid". Deleted with the requests nobody confirmed, past the same window.
                CREATE TABLE confirmed_registrations (
                    request_id INTEGER PRIMARY KEY,
                    confirmed_at DATETIME NOT NULL
                );
                CREATE INDEX confirmed_registrations_by_age ON confirmed_registrations(confirmed_at);
                """)
        }
        return migrator
    }
}
