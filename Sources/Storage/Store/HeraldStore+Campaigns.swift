import Foundation
import GRDB

extension HeraldStore {
    public func createCampaign(_ campaign: Campaign) throws(StorageError) -> Campaign {
        try write { db in
            var campaign = campaign
            try campaign.insert(db)
            return campaign
        }
    }

    public func campaign(id: Int64) throws(StorageError) -> Campaign? {
        try read { db in try Campaign.fetchOne(db, key: id) }
    }

    public func campaigns() throws(StorageError) -> [Campaign] {
        try read { db in try Campaign.order(Column("id")).fetchAll(db) }
    }

    /// The number of outbox rows of a campaign in each state; states with none are absent.
    public func outboxCounts(campaignID: Int64) throws(StorageError) -> [OutboxState: Int] {
        try read { db in
            var counts: [OutboxState: Int] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox WHERE campaign_id = ? GROUP BY state",
                                        arguments: [campaignID])
            for row in rows {
                if let state = OutboxState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// Starts every scheduled campaign that is due: one `queued` outbox row per person in its audience, and
    /// the campaign becomes `sending`, in one transaction per campaign. Returns the campaigns started.
    public func startDueCampaigns(now: Date, audience: (Campaign) -> Audience) throws(StorageError) -> [(Campaign, Int)] {
        let due = try read { db in
            try Campaign.filter(Column("status") == "scheduled" && Column("due_at") <= now).order(Column("due_at")).fetchAll(db)
        }
        var started: [(Campaign, Int)] = []
        for candidate in due {
            let result: (Campaign, Int)? = try write { db in
                // Still scheduled? Another worker, or a cancel, may have come first.
                guard var campaign = try Campaign.fetchOne(db, key: candidate.id), campaign.status == "scheduled" else { return nil }
                let count = try Self.enqueue(campaign: campaign.id!, audience: audience(campaign), now: now, in: db)
                // A campaign with nobody to send to is finished as soon as it starts.
                campaign.status = count == 0 ? "done" : "sending"
                campaign.startedAt = now
                if count == 0 { campaign.finishedAt = now }
                try campaign.update(db)
                return (campaign, count)
            }
            if let result { started.append(result) }
        }
        return started
    }

    /// -- name: enqueue-audience
    /// Everyone with a current consent for the purpose (if any), matching the products and further purposes
    /// (if any), and whose address hash is not suppressed.
    private static func enqueue(campaign: Int64, audience: Audience, now: Date, in db: Database) throws -> Int {
        var conditions = ["NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.address_hash = r.address_hash)"]
        var arguments: StatementArguments = [campaign, now, now]
        if let purpose = audience.purpose {
            conditions.append("EXISTS (SELECT 1 FROM consents c WHERE c.recipient_id = r.id AND c.purpose = ? AND c.granted)")
            _ = arguments.append(contentsOf: [purpose])
        }
        if let products = audience.anyOfProducts, !products.isEmpty {
            let marks = Array(repeating: "?", count: products.count).joined(separator: ", ")
            conditions.append("EXISTS (SELECT 1 FROM recipient_products p WHERE p.recipient_id = r.id AND p.product IN (\(marks)))")
            _ = arguments.append(contentsOf: StatementArguments(products))
        }
        if let purposes = audience.anyOfPurposes, !purposes.isEmpty {
            let marks = Array(repeating: "?", count: purposes.count).joined(separator: ", ")
            conditions.append("EXISTS (SELECT 1 FROM consents c2 WHERE c2.recipient_id = r.id AND c2.granted AND c2.purpose IN (\(marks)))")
            _ = arguments.append(contentsOf: StatementArguments(purposes))
        }
        try db.execute(sql: """
            INSERT OR IGNORE INTO outbox (campaign_id, recipient_id, state, next_attempt_at, queued_at)
            SELECT ?, r.id, 'queued', ?, ? FROM recipients r
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY r.id
            """, arguments: arguments)
        return db.changesCount
    }
}

extension HeraldStore {
    /// Stops a campaign: it becomes `cancelled`, and its jobs not yet sent become `skipped`. Jobs a worker is
    /// sending right now are checked again before they go (`sendPermission`). Returns how many were skipped,
    /// or nil when the campaign had already finished or been cancelled.
    public func cancelCampaign(id: Int64, now: Date) throws(StorageError) -> Int? {
        try write { db in
            try db.execute(sql: """
                UPDATE campaigns SET status = 'cancelled', finished_at = ? WHERE id = ? AND status IN ('scheduled', 'sending')
                """, arguments: [now, id])
            guard db.changesCount > 0 else { return nil }
            try db.execute(sql: """
                UPDATE outbox SET state = 'skipped', finished_at = ?, last_reply = 'campaign cancelled'
                WHERE campaign_id = ? AND state IN ('queued', 'deferred')
                """, arguments: [now, id])
            return db.changesCount
        }
    }

    /// Puts a campaign's `failed` and `deferred` jobs back in the queue, due now, with their attempts and age
    /// counted afresh; a finished campaign is sending again. Consent and suppression are checked again when
    /// each is sent. Returns how many were queued, or nil when the campaign is cancelled or not started.
    public func retryCampaign(id: Int64, now: Date) throws(StorageError) -> Int? {
        try write { db in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM campaigns WHERE id = ?", arguments: [id]),
                  status == "sending" || status == "done" else { return nil }
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

/// A recipient of a campaign whose message has not (yet) gone: what the server last said, for the operator.
public struct JobProblem: Sendable, Equatable, Codable {
    public var email: String?
    public var state: String
    public var attempts: Int
    public var code: Int?
    public var enhancedStatus: String?
    public var reply: String?
}

extension HeraldStore {
    /// The campaign's deferred, bounced, failed and skipped jobs, with the last reply of each (oldest job first).
    public func problems(campaignID: Int64, limit: Int = 1000) throws(StorageError) -> [JobProblem] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.email, o.state, o.attempts, o.last_code, o.last_enhanced_status, o.last_reply
                FROM outbox o INDEXED BY outbox_by_campaign LEFT JOIN recipients r ON r.id = o.recipient_id
                WHERE o.campaign_id = ? AND o.state IN ('deferred', 'bounced', 'failed', 'skipped')
                ORDER BY o.id LIMIT ?
                """, arguments: [campaignID, limit]).map { row in
                JobProblem(email: row[0], state: row[1], attempts: row[2], code: row[3], enhancedStatus: row[4], reply: row[5])
            }
        }
    }
}
