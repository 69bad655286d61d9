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
        try write { db in
            let due = try Campaign.filter(Column("status") == "scheduled" && Column("due_at") <= now).order(Column("due_at")).fetchAll(db)
            var started: [(Campaign, Int)] = []
            for var campaign in due {
                let count = try Self.enqueue(campaign: campaign.id!, audience: audience(campaign), now: now, in: db)
                // A campaign with nobody to send to is finished as soon as it starts.
                campaign.status = count == 0 ? "done" : "sending"
                campaign.startedAt = now
                if count == 0 { campaign.finishedAt = now }
                try campaign.update(db)
                started.append((campaign, count))
            }
            return started
        }
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
