import Foundation
import Store

extension PostgresStore {
    public func createCampaign(_ campaign: Campaign) throws(StorageError) -> Campaign {
        try write { (db) throws(StorageError) in try Self.insert(campaign, in: db) }
    }

    static func insert(_ campaign: Campaign, in db: PostgresConnection) throws(StorageError) -> Campaign {
        var campaign = campaign
        if let version = campaign.policyVersion, let existing = try noticeCampaign(policyVersion: version, in: db) {
            throw StorageError(message: "policy version \(version) has its notice already: campaign \(existing.id ?? 0)")
        }
        campaign.id = try db.query("""
            INSERT INTO campaigns (name, kind, template, segment, status, due_at, created_at, started_at, finished_at, policy_version, problem,
                                   subject, preheader, body, body_format)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id
            """, [.string(campaign.name), .string(campaign.kind.rawValue), .string(campaign.template), .string(campaign.segment),
                  .string(campaign.status.rawValue), .date(campaign.dueAt), .date(campaign.createdAt), .date(campaign.startedAt),
                  .date(campaign.finishedAt), .string(campaign.policyVersion), .string(campaign.problem)] + wordsParameters(campaign.words)).first?.integer(0)
        try notifyWork(in: db)
        return campaign
    }

    private static func wordsParameters(_ words: CampaignWords?) -> [PostgresValue] {
        [.string(words?.subject), .string(words?.preheader), .string(words?.body), .string(words?.format.rawValue)]
    }

    public func updateCampaign(_ campaign: Campaign, expecting: CampaignStatus) throws(StorageError) -> Campaign? {
        guard let id = campaign.id, campaign.isEditable, expecting == .draft || expecting == .scheduled else { return nil }
        return try write { (db) throws(StorageError) in
            guard try db.change("""
                UPDATE campaigns SET name = $1, template = $2, segment = $3, due_at = $4, status = $5, problem = NULL,
                                     subject = $6, preheader = $7, body = $8, body_format = $9
                WHERE id = $10 AND status = $11
                """, [.string(campaign.name), .string(campaign.template), .string(campaign.segment), .date(campaign.dueAt),
                      .string(campaign.status.rawValue)] + Self.wordsParameters(campaign.words) + [.integer(id), .string(expecting.rawValue)]) > 0 else { return nil }
            try Self.notifyWork(in: db)
            return try Campaign.fetchAll(db, where: "id = $1", [.integer(id)]).first
        }
    }

    public func saveSegment(_ segment: SavedSegment) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("""
                INSERT INTO segments (name, expression, saved_at) VALUES ($1, $2, $3)
                ON CONFLICT (name) DO UPDATE SET expression = excluded.expression, saved_at = excluded.saved_at
                """, [.string(segment.name), .string(segment.expression), .date(segment.savedAt)])
        }
    }

    public func savedSegments() throws(StorageError) -> [SavedSegment] {
        try read { (db) throws(StorageError) in
            var segments: [SavedSegment] = []
            for row in try db.query("SELECT name, expression, saved_at FROM segments ORDER BY name") {
                segments.append(SavedSegment(name: try required(row.string(0), "segments.name"), expression: try required(row.string(1), "segments.expression"),
                                             savedAt: try required(row.date(2), "segments.saved_at")))
            }
            return segments
        }
    }

    public func removeSegment(named name: String) throws(StorageError) -> Bool {
        try write { (db) throws(StorageError) in try db.change("DELETE FROM segments WHERE name = $1", [.string(name)]) > 0 }
    }

    public func countUnsubscribes(campaignID: Int64, count: Int) throws(StorageError) {
        try write { (db) throws(StorageError) in
            try db.query("""
                INSERT INTO campaign_unsubscribes (campaign_id, count) SELECT id, $2 FROM campaigns WHERE id = $1
                ON CONFLICT (campaign_id) DO UPDATE SET count = campaign_unsubscribes.count + excluded.count
                """, [.integer(campaignID), .integer(Int64(count))])
        }
    }

    public func unsubscribeCount(campaignID: Int64) throws(StorageError) -> Int {
        try read { (db) throws(StorageError) in
            try db.query("SELECT count FROM campaign_unsubscribes WHERE campaign_id = $1", [.integer(campaignID)]).first?.int(0) ?? 0
        }
    }

    public func campaign(id: Int64) throws(StorageError) -> Campaign? {
        try read { (db) throws(StorageError) in try Campaign.fetchAll(db, where: "id = $1", [.integer(id)]).first }
    }

    public func campaigns() throws(StorageError) -> [Campaign] {
        try read { (db) throws(StorageError) in try Campaign.fetchAll(db) }
    }

    public func outboxCounts(campaignID: Int64) throws(StorageError) -> [OutboxState: Int] {
        try read { (db) throws(StorageError) in
            try Self.countsByState(db.query("SELECT state, COUNT(*) FROM outbox WHERE campaign_id = $1 GROUP BY state", [.integer(campaignID)]))
        }
    }

    static func countsByState(_ rows: [PostgresRow]) throws(StorageError) -> [OutboxState: Int] {
        var counts: [OutboxState: Int] = [:]
        for row in rows { counts[try stored(row.string(0), as: OutboxState.self, column: "outbox.state")] = row.int(1) ?? 0 }
        return counts
    }

    public func startDueCampaigns(now: Date, plan: (Campaign) -> CampaignStart) throws(StorageError) -> [(campaign: Campaign, jobs: Int)] {
        let due = try read { (db) throws(StorageError) in
            try Campaign.fetchAll(db, where: "status = 'scheduled' AND due_at <= $1", [.date(now)], order: "due_at, id")
        }
        var started: [(campaign: Campaign, jobs: Int)] = []
        for candidate in due {
            let result: (Campaign, Int)? = try write { (db) throws(StorageError) in
                // Still scheduled? Another worker, or a cancel, may have come first; the row lock makes the
                // other wait for this transaction, and then it sees the campaign started.
                guard var campaign = try Campaign.fetchAll(db, where: "id = $1", [.integer(candidate.id)], locking: true).first,
                      campaign.status == .scheduled, let id = campaign.id else { return nil }
                guard let count = try campaign.start(as: plan(campaign), now: now, enqueue: { (audience) throws(StorageError) in
                    try Self.enqueue(campaign: id, audience: audience, now: now, in: db)
                }) else { return nil }
                try db.query("UPDATE campaigns SET status = $1, started_at = $2, finished_at = $3, problem = $4 WHERE id = $5",
                             [.string(campaign.status.rawValue), .date(campaign.startedAt), .date(campaign.finishedAt), .string(campaign.problem), .integer(id)])
                if count > 0 { try Self.notifyWork(in: db) }
                return (campaign, count)
            }
            if let result { started.append(result) }
        }
        // A campaign's start can multiply the outbox's queued rows many times over between two autovacuum
        // runs; without fresh statistics the planner sorts every queued job for each claim instead of reading
        // the first of them from the ready index (measured: 10 ms instead of 0.3 ms a claim of 100).
        if started.reduce(0, { $0 + $1.jobs }) >= 1000 {
            try read { (db) throws(StorageError) in try db.execute("ANALYZE outbox, campaigns") }
        }
        return started
    }

    /// -- name: enqueue-audience
    private static func enqueue(campaign: Int64, audience: Audience, now: Date, in db: PostgresConnection) throws(StorageError) -> Int {
        let filter = audienceFilter(audience, after: [.integer(campaign), .date(now)])
        return try db.change("""
            INSERT INTO outbox (campaign_id, recipient_id, state, next_attempt_at, queued_at)
            SELECT $1, r.id, 'queued', $2, $2 FROM recipients r
            WHERE \(filter.sql)
            ORDER BY r.id
            ON CONFLICT (campaign_id, recipient_id) DO NOTHING
            """, filter.parameters)
    }

    public func audienceSize(_ audience: Audience) throws(StorageError) -> Int {
        try read { (db) throws(StorageError) in
            let filter = Self.audienceFilter(audience, after: [])
            return try db.query("SELECT COUNT(*) FROM recipients r WHERE \(filter.sql)", filter.parameters).first?.int(0) ?? 0
        }
    }

    /// -- name: audience
    /// Everyone with a current consent for the purpose (if any), matching the products and further purposes
    /// (if any), and whose address hash is not suppressed (but for the reasons the audience goes out despite).
    /// Its parameters follow `after`'s.
    private static func audienceFilter(_ audience: Audience, after first: [PostgresValue]) -> (sql: String, parameters: [PostgresValue]) {
        var parameters = first + [.array(audience.despiteSuppressions.map(\.rawValue).sorted())]
        // (A registration waiting for its confirmation stores no person, so it is in no audience.)
        var conditions = ["NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.address_hash = r.address_hash AND s.reason <> ALL($\(parameters.count)::text[]))"]
        if let purpose = audience.purpose {
            parameters.append(.string(purpose.rawValue))
            conditions.append("EXISTS (SELECT 1 FROM consents c WHERE c.recipient_id = r.id AND c.purpose = $\(parameters.count) AND c.granted)")
        }
        if let products = audience.anyOfProducts, !products.isEmpty {
            parameters.append(.array(products))
            conditions.append("EXISTS (SELECT 1 FROM recipient_products p WHERE p.recipient_id = r.id AND p.product = ANY($\(parameters.count)::text[]))")
        }
        if let purposes = audience.anyOfPurposes, !purposes.isEmpty {
            parameters.append(.array(purposes.map(\.rawValue)))
            conditions.append("EXISTS (SELECT 1 FROM consents c2 WHERE c2.recipient_id = r.id AND c2.granted AND c2.purpose = ANY($\(parameters.count)::text[]))")
        }
        for (name, values) in audience.attributes.sorted(by: { $0.key < $1.key }) where !values.isEmpty {
            parameters.append(.string(name))
            parameters.append(.array(values))
            conditions.append("r.attributes ->> $\(parameters.count - 1) = ANY($\(parameters.count)::text[])")
        }
        return (conditions.joined(separator: " AND "), parameters)
    }

    public func cancelCampaign(id: Int64, now: Date) throws(StorageError) -> Int? {
        try write { (db) throws(StorageError) in
            guard try db.change("UPDATE campaigns SET status = 'cancelled', finished_at = $1 WHERE id = $2 AND status IN ('draft', 'scheduled', 'sending')",
                                [.date(now), .integer(id)]) > 0 else { return nil }
            return try db.change("""
                UPDATE outbox SET state = 'skipped', finished_at = $1, last_reply = 'campaign cancelled'
                WHERE campaign_id = $2 AND state IN ('queued', 'deferred')
                """, [.date(now), .integer(id)])
        }
    }

    public func retryCampaign(id: Int64, now: Date) throws(StorageError) -> Int? {
        try write { (db) throws(StorageError) in
            guard let status = try db.query("SELECT status FROM campaigns WHERE id = $1 FOR UPDATE", [.integer(id)]).first?.string(0),
                  try stored(status, as: CampaignStatus.self, column: "campaigns.status").isRetryable else { return nil }
            if status == CampaignStatus.failed.rawValue {
                try db.query("UPDATE campaigns SET status = 'scheduled', due_at = $1, started_at = NULL, finished_at = NULL, problem = NULL WHERE id = $2",
                             [.date(now), .integer(id)])
                try Self.notifyWork(in: db)
                return 0
            }
            let count = try db.change("""
                UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = $1, queued_at = $1, finished_at = NULL
                WHERE campaign_id = $2 AND state IN ('failed', 'deferred')
                """, [.date(now), .integer(id)])
            if count > 0 {
                try db.query("UPDATE campaigns SET status = 'sending', finished_at = NULL WHERE id = $1", [.integer(id)])
                try Self.notifyWork(in: db)
            }
            return count
        }
    }

    public func problems(campaignID: Int64, limit: Int) throws(StorageError) -> [JobProblem] {
        try read { (db) throws(StorageError) in
            var problems: [JobProblem] = []
            for row in try db.query("""
                SELECT r.email, o.state, o.attempts, o.last_code, o.last_enhanced_status, o.last_reply
                FROM outbox o LEFT JOIN recipients r ON r.id = o.recipient_id
                WHERE o.campaign_id = $1 AND o.state IN ('deferred', 'bounced', 'failed', 'skipped')
                ORDER BY o.id LIMIT $2
                """, [.integer(campaignID), .integer(limit)]) {
                problems.append(JobProblem(email: row.string(0), state: try stored(row.string(1), as: OutboxState.self, column: "outbox.state"),
                                           attempts: row.int(2) ?? 0, code: row.int(3), enhancedStatus: row.string(4), reply: row.string(5)))
            }
            return problems
        }
    }

    public func attemptTimeline(campaignID: Int64, from: Date, bucketSeconds: Int) throws(StorageError) -> [AttemptBucket] {
        try read { (db) throws(StorageError) in
            var buckets: [AttemptBucket] = []
            for row in try db.query("""
                SELECT greatest(0, floor(extract(epoch FROM a.attempted_at - $1::timestamptz) / $2))::bigint AS bucket, a.outcome, count(*)
                FROM outbox o JOIN delivery_attempts a ON a.job_id = o.id
                WHERE o.campaign_id = $3
                GROUP BY bucket, a.outcome ORDER BY bucket
                """, [.date(from), .integer(bucketSeconds), .integer(campaignID)]) {
                buckets.append(AttemptBucket(index: row.int(0) ?? 0, state: try stored(row.string(1), as: OutboxState.self, column: "delivery_attempts.outcome"),
                                             count: row.int(2) ?? 0))
            }
            return buckets
        }
    }
}
