import Foundation
import GRDB
import Store

extension SQLiteStore {
    public func createCampaign(_ campaign: Campaign) throws(StorageError) -> Campaign {
        try write { db in try Self.insert(campaign, in: db) }
    }

    static func insert(_ campaign: Campaign, in db: Database) throws -> Campaign {
        var campaign = campaign
        if let version = campaign.policyVersion, let existing = try noticeCampaign(policyVersion: version, in: db) {
            throw StorageError(message: "policy version \(version) has its notice already: campaign \(existing.id ?? 0)")
        }
        try db.execute(sql: """
            INSERT INTO campaigns (name, kind, template, segment, status, due_at, created_at, started_at, finished_at, policy_version, problem,
                                   subject, preheader, body, body_format)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [campaign.name, campaign.kind.rawValue, campaign.template, campaign.segment, campaign.status.rawValue,
                              campaign.dueAt, campaign.createdAt, campaign.startedAt, campaign.finishedAt, campaign.policyVersion, campaign.problem,
                              campaign.words?.subject, campaign.words?.preheader, campaign.words?.body, campaign.words?.format.rawValue])
        campaign.id = db.lastInsertedRowID
        return campaign
    }

    public func updateCampaign(_ campaign: Campaign, expecting: CampaignStatus) throws(StorageError) -> Campaign? {
        guard let id = campaign.id, campaign.isEditable, expecting == .draft || expecting == .scheduled else { return nil }
        return try write { db in
            try db.execute(sql: """
                UPDATE campaigns SET name = ?, template = ?, segment = ?, due_at = ?, status = ?, problem = NULL,
                                     subject = ?, preheader = ?, body = ?, body_format = ?
                WHERE id = ? AND status = ?
                """, arguments: [campaign.name, campaign.template, campaign.segment, campaign.dueAt, campaign.status.rawValue,
                                 campaign.words?.subject, campaign.words?.preheader, campaign.words?.body, campaign.words?.format.rawValue, id,
                                 expecting.rawValue])
            guard db.changesCount > 0 else { return nil }
            return try Campaign.fetchAll(db, where: "id = ?", arguments: [id]).first
        }
    }

    public func saveSegment(_ segment: SavedSegment) throws(StorageError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO segments (name, expression, saved_at) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET expression = excluded.expression, saved_at = excluded.saved_at
                """, arguments: [segment.name, segment.expression, segment.savedAt])
        }
    }

    public func savedSegments() throws(StorageError) -> [SavedSegment] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT name, expression, saved_at FROM segments ORDER BY name").map {
                SavedSegment(name: $0[0], expression: $0[1], savedAt: $0[2])
            }
        }
    }

    public func removeSegment(named name: String) throws(StorageError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM segments WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func countUnsubscribes(campaignID: Int64, count: Int) throws(StorageError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO campaign_unsubscribes (campaign_id, count) SELECT id, ? FROM campaigns WHERE id = ?
                ON CONFLICT (campaign_id) DO UPDATE SET count = count + excluded.count
                """, arguments: [count, campaignID])
        }
    }

    public func unsubscribeCount(campaignID: Int64) throws(StorageError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count FROM campaign_unsubscribes WHERE campaign_id = ?", arguments: [campaignID]) ?? 0 }
    }

    public func campaign(id: Int64) throws(StorageError) -> Campaign? {
        try read { db in try Campaign.fetchAll(db, where: "id = ?", arguments: [id]).first }
    }

    public func campaigns() throws(StorageError) -> [Campaign] {
        try read { db in try Campaign.fetchAll(db) }
    }

    public func outboxCounts(campaignID: Int64) throws(StorageError) -> [OutboxState: Int] {
        try read { db in
            var counts: [OutboxState: Int] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox WHERE campaign_id = ? GROUP BY state",
                                        arguments: [campaignID])
            for row in rows {
                counts[try stored(row["state"], as: OutboxState.self, column: "outbox.state")] = row["n"]
            }
            return counts
        }
    }

    public func startDueCampaigns(now: Date, plan: (Campaign) -> CampaignStart) throws(StorageError) -> [(campaign: Campaign, jobs: Int)] {
        let due = try read { db in
            try Campaign.fetchAll(db, where: "status = 'scheduled' AND due_at <= ?", arguments: [now], order: "due_at, id")
        }
        var started: [(campaign: Campaign, jobs: Int)] = []
        for candidate in due {
            let result: (Campaign, Int)? = try write { db in
                // Still scheduled? Another worker, or a cancel, may have come first.
                guard var campaign = try Campaign.fetchAll(db, where: "id = ?", arguments: [candidate.id]).first,
                      campaign.status == .scheduled, let id = campaign.id else { return nil }
                guard let count = try campaign.start(as: plan(campaign), now: now, enqueue: { audience in
                    try Self.enqueue(campaign: id, audience: audience, now: now, in: db)
                }) else { return nil }
                try db.execute(sql: "UPDATE campaigns SET status = ?, started_at = ?, finished_at = ?, problem = ? WHERE id = ?",
                               arguments: [campaign.status.rawValue, campaign.startedAt, campaign.finishedAt, campaign.problem, id])
                return (campaign, count)
            }
            if let result { started.append(result) }
        }
        return started
    }

    /// -- name: enqueue-audience
    private static func enqueue(campaign: Int64, audience: Audience, now: Date, in db: Database) throws -> Int {
        let filter = audienceFilter(audience)
        var arguments: StatementArguments = [campaign, now, now]
        _ = arguments.append(contentsOf: filter.arguments)
        try db.execute(sql: """
            INSERT OR IGNORE INTO outbox (campaign_id, recipient_id, state, next_attempt_at, queued_at)
            SELECT ?, r.id, 'queued', ?, ? FROM recipients r
            WHERE \(filter.sql)
            ORDER BY r.id
            """, arguments: arguments)
        return db.changesCount
    }

    public func audienceSize(_ audience: Audience) throws(StorageError) -> Int {
        try read { db in
            let filter = Self.audienceFilter(audience)
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recipients r WHERE \(filter.sql)", arguments: filter.arguments) ?? 0
        }
    }

    /// -- name: audience
    /// Everyone with a current consent for the purpose (if any), matching the products and further purposes
    /// (if any), and whose address hash is not suppressed (but for the reasons the audience goes out despite).
    private static func audienceFilter(_ audience: Audience) -> (sql: String, arguments: StatementArguments) {
        let despite = audience.despiteSuppressions.map(\.rawValue).sorted()
        let exempt = despite.isEmpty ? "" : " AND s.reason NOT IN (\(Array(repeating: "?", count: despite.count).joined(separator: ", ")))"
        // (A registration waiting for its confirmation stores no person, so it is in no audience.)
        var conditions = ["NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.address_hash = r.address_hash\(exempt))"]
        var arguments = StatementArguments(despite)
        if let purpose = audience.purpose {
            conditions.append("EXISTS (SELECT 1 FROM consents c WHERE c.recipient_id = r.id AND c.purpose = ? AND c.granted)")
            _ = arguments.append(contentsOf: [purpose.rawValue])
        }
        if let products = audience.anyOfProducts, !products.isEmpty {
            let marks = Array(repeating: "?", count: products.count).joined(separator: ", ")
            conditions.append("EXISTS (SELECT 1 FROM recipient_products p WHERE p.recipient_id = r.id AND p.product IN (\(marks)))")
            _ = arguments.append(contentsOf: StatementArguments(products))
        }
        if let purposes = audience.anyOfPurposes, !purposes.isEmpty {
            let marks = Array(repeating: "?", count: purposes.count).joined(separator: ", ")
            conditions.append("EXISTS (SELECT 1 FROM consents c2 WHERE c2.recipient_id = r.id AND c2.granted AND c2.purpose IN (\(marks)))")
            _ = arguments.append(contentsOf: StatementArguments(purposes.map(\.rawValue)))
        }
        // The field's name goes in as a bound JSON path ($."name"), never into the statement's text.
        for (name, values) in audience.attributes.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            conditions.append("json_extract(r.attributes, ?) IN (\(marks))")
            _ = arguments.append(contentsOf: StatementArguments([Self.jsonPath(name)] + values))
        }
        return (conditions.joined(separator: " AND "), arguments)
    }
}

extension SQLiteStore {
    /// `$."name"`: a JSON path to one key, quoted so that no character of the name means anything to the path.
    static func jsonPath(_ name: String) -> String {
        "$.\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public func cancelCampaign(id: Int64, now: Date) throws(StorageError) -> Int? {
        try write { db in
            try db.execute(sql: """
                UPDATE campaigns SET status = 'cancelled', finished_at = ? WHERE id = ? AND status IN ('draft', 'scheduled', 'sending')
                """, arguments: [now, id])
            guard db.changesCount > 0 else { return nil }
            try db.execute(sql: """
                UPDATE outbox SET state = 'skipped', finished_at = ?, last_reply = 'campaign cancelled'
                WHERE campaign_id = ? AND state IN ('queued', 'deferred')
                """, arguments: [now, id])
            return db.changesCount
        }
    }

    public func retryCampaign(id: Int64, now: Date) throws(StorageError) -> Int? {
        try write { db in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM campaigns WHERE id = ?", arguments: [id]),
                  try stored(status, as: CampaignStatus.self, column: "campaigns.status").isRetryable else { return nil }
            if status == CampaignStatus.failed.rawValue {
                try db.execute(sql: """
                    UPDATE campaigns SET status = 'scheduled', due_at = ?, started_at = NULL, finished_at = NULL, problem = NULL WHERE id = ?
                    """, arguments: [now, id])
                return 0
            }
            try db.execute(sql: """
                UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?, queued_at = ?, finished_at = NULL
                WHERE campaign_id = ? AND state IN ('failed', 'deferred')
                """, arguments: [now, now, id])
            let count = db.changesCount
            if count > 0 {
                try db.execute(sql: "UPDATE campaigns SET status = 'sending', finished_at = NULL WHERE id = ?", arguments: [id])
            }
            return count
        }
    }
}

extension SQLiteStore {
    public func problems(campaignID: Int64, limit: Int) throws(StorageError) -> [JobProblem] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.email, o.state, o.attempts, o.last_code, o.last_enhanced_status, o.last_reply
                FROM outbox o INDEXED BY outbox_by_campaign LEFT JOIN recipients r ON r.id = o.recipient_id
                WHERE o.campaign_id = ? AND o.state IN ('deferred', 'bounced', 'failed', 'skipped')
                ORDER BY o.id LIMIT ?
                """, arguments: [campaignID, limit]).map { row in
                JobProblem(email: row[0], state: try stored(row[1], as: OutboxState.self, column: "outbox.state"), attempts: row[2], code: row[3], enhancedStatus: row[4], reply: row[5])
            }
        }
    }

    public func attemptTimeline(campaignID: Int64, from: Date, bucketSeconds: Int) throws(StorageError) -> [AttemptBucket] {
        try read { db in
            // julianday reads the stored text times (UTC) as days, with a float's error: rounded to whole
            // milliseconds first, so an attempt on a stretch's first millisecond is in it (as PostgreSQL's floor has it).
            try Row.fetchAll(db, sql: """
                SELECT max(0, CAST(round((julianday(a.attempted_at) - julianday(?)) * 86400000.0) AS INTEGER) / (? * 1000)) AS bucket, a.outcome, count(*)
                FROM outbox o INDEXED BY outbox_by_campaign JOIN delivery_attempts a ON a.job_id = o.id
                WHERE o.campaign_id = ?
                GROUP BY bucket, a.outcome ORDER BY bucket
                """, arguments: [from, bucketSeconds, campaignID]).map { row in
                AttemptBucket(index: row[0], state: try stored(row[1], as: OutboxState.self, column: "delivery_attempts.outcome"), count: row[2])
            }
        }
    }
}
