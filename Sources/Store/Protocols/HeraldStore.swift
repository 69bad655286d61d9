/// Everything Herald keeps, behind one value: what `HeraldApp` holds. Each service takes only the part it
/// needs. A backend (SQLite in `Storage`, PostgreSQL in `PostgresStorage`) implements this whole protocol.
public protocol HeraldStore: ConsentStore, PendingRegistrationStore, CampaignStore, OutboxStore, FleetStore, AccessStore, PolicyStore, StaffStore, ApiTokenStore {
    /// The names of the schema migrations applied, oldest first.
    func appliedMigrations() throws(StorageError) -> [String]
}
