import Foundation
import PostgresStorage
import Rendering
import Storage
import Store
import Tokens

/// The application, composed from its parts for one configuration: the store, the consent and campaign
/// services, and what sending needs. The command line and the HTTP service are faces over this.
public struct HeraldApp: Sendable {
    public let configuration: HeraldConfiguration
    /// The store, through its protocols; `openStore` picks the backend.
    public let store: any HeraldStore
    public let tokens: TokenAuthority
    public let hasher: AddressHasher
    public let clock: @Sendable () -> Date
    /// Failed sign-ins audited per account and hour, counted for the whole process (see `StaffService`).
    let failureAudits = FailureAuditBudget(perHour: StaffService.failureAuditsPerHour)

    public init(configuration: HeraldConfiguration, clock: @escaping @Sendable () -> Date = Date.init) throws(HeraldError) {
        self.configuration = configuration
        self.clock = clock
        self.store = try Self.openStore(configuration)
        do { self.tokens = try TokenAuthority(keys: configuration.tokenKeys) } catch {
            throw HeraldError(.configuration, "\(configuration.path): tokens.keys: \(error.message)")
        }
        self.hasher = AddressHasher(key: configuration.suppressionKey)
    }

    public var consent: ConsentService { ConsentService(store: store, hasher: hasher, clock: clock) }
    public var campaigns: CampaignService {
        CampaignService(store: store, clock: clock, composer: { [self] in composer(catalog: $0) }, attributeNames: configuration.attributes)
    }
    public var personData: PersonDataService { PersonDataService(store: store, hasher: hasher, clock: clock) }
    public var importer: RecipientImporter {
        RecipientImporter(store: store, hasher: hasher, clock: clock, attributeNames: configuration.attributes)
    }
    /// Registration with double opt-in.
    public var doubleOptIn: DoubleOptIn {
        DoubleOptIn(store: store, hasher: hasher, tokens: tokens, limits: configuration.register.limits, clock: clock)
    }
    /// What the signed links in a person's mail let them do.
    public var links: RecipientLinks {
        RecipientLinks(tokens: tokens, publicURL: configuration.publicURL, store: store, clock: clock) { [self] (person, purposes) throws(HeraldError) in
            // The person's own address, from the store: the double opt-in mail is the only way these are granted.
            let registration = Registration(email: person.email, name: nil, products: [], consents: purposes, source: RecipientLinks.preferencesSource)
            _ = try doubleOptIn.request(registration, challenged: true)  // a signed link: no bot makes one
        }
    }
    /// Console accounts, sign-in and the audit log.
    public var staff: StaffService {
        StaffService(store: store, clock: clock, lifetimes: .init(idle: configuration.console.sessionIdle.seconds,
                                                                  absolute: configuration.console.sessionLifetime.seconds),
                     failureAudits: failureAudits)
    }
    /// Privacy-policy versions, their notices, and people's choices on them.
    public var policy: PolicyService {
        PolicyService(store: store, tokens: tokens, settings: configuration.policy, company: companyName, clock: clock)
    }
    /// How pages and notices name the company: the sender's display name, or its domain.
    public var companyName: String { configuration.sender.from.displayName ?? configuration.sender.from.address.domain }
    /// The CSRF values of the web face's forms, keyed by `http.session_key` (a key of their own: never the
    /// suppression key, which can never be rotated). Commands that serve no form may run without one; they
    /// then get a key made for this process, which no form outlives.
    public var formGuard: FormGuard { FormGuard(secret: configuration.http.sessionKey ?? Self.processKey) }

    private static let processKey: [UInt8] = Array(SecretsGenerator.random().utf8)

    /// Aggregate counts with cells under `minimumCell` suppressed.
    public func report(minimumCell: Int) throws(HeraldError) -> AggregateReport {
        let counts = try storage { () throws(StorageError) in try store.aggregateCounts() }
        let year = Calendar(identifier: .gregorian).component(.year, from: clock())
        return AggregateReport(counts, minimumCell: minimumCell, currentYear: year)
    }

    public func catalog() throws(HeraldError) -> TemplateCatalog {
        do { return try TemplateCatalog(directory: configuration.templates, kinds: CampaignKind.allCases.map(\.rawValue)) } catch {
            throw HeraldError(.configuration, error.description)
        }
    }

    public func composer(catalog: TemplateCatalog, identifiers: MessageComposer.Identifiers = .unique) -> MessageComposer {
        MessageComposer(catalog: catalog, sender: configuration.sender, publicURL: configuration.publicURL, tokens: tokens,
                        signer: configuration.dkim, identifiers: identifiers, policyURL: configuration.policy.url,
                        attributeNames: configuration.attributes, returnPath: configuration.bounce)
    }

    /// The transport the configuration names.
    public func transport() -> any MailTransport {
        switch configuration.transport {
        case .smtp: SMTPMailTransport(settings: configuration.smtp.settings, connections: configuration.smtp.connections)
        case .file: FileMailTransport(directory: configuration.fileDir)
        }
    }

    public func worker(transport: (any MailTransport)? = nil, options: OutboxWorker.Options? = nil) throws(HeraldError) -> OutboxWorker {
        let transport = transport ?? self.transport()
        let settings = configuration.smtp.settings
        let perMessage = Duration.milliseconds(settings.connectTimeoutMilliseconds + settings.transferTimeoutMilliseconds)
        var sized = OutboxWorker.Options.sized(parallelism: transport.parallelism, perMessageTimeout: perMessage,
                                               rate: configuration.smtp.rate)
        sized.domainConcurrency = configuration.smtp.domainConcurrency
        sized.rateLimitPause = max(.seconds(30), configuration.retry.backoff)
        sized.journalDirectory = configuration.journalDirectory
        sized.journalSync = configuration.journalSync
        sized.confirmationShare = configuration.register.sendShare
        var chosen = options ?? sized
        if chosen.journalDirectory == nil { chosen.journalDirectory = sized.journalDirectory }
        return OutboxWorker(store: store, composer: composer(catalog: try catalog()), transport: transport,
                            retry: configuration.retry, options: chosen, clock: clock)
    }
}

extension HeraldApp {
    /// The one place the application names a backend: the PostgreSQL server `database` names as a URL, or
    /// the embedded SQLite database at its path. An unreachable server or a refused password is the
    /// environment's problem (exit 69), not Herald's.
    static func openStore(_ configuration: HeraldConfiguration) throws(HeraldError) -> any HeraldStore {
        if let postgres = configuration.postgres {
            do { return try PostgresStore(settings: postgres, connections: postgres.poolSize) } catch {
                throw HeraldError(.unavailable, error.description, cause: error)
            }
        }
        do { return try SQLiteStore(path: configuration.database) } catch {
            throw HeraldError(.software, error.description, cause: error)
        }
    }

    /// Jobs in each state across the whole outbox.
    public func outboxDepth() throws(HeraldError) -> [OutboxState: Int] {
        try storage { () throws(StorageError) in try store.outboxDepth() }
    }

    /// The migrations applied to the database, oldest first.
    public func schemaVersions() throws(HeraldError) -> [String] {
        try storage { () throws(StorageError) in try store.appliedMigrations() }
    }
}
