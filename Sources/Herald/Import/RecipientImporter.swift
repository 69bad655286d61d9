import Foundation
import Mail
import Store

/// `herald recipients import`: streams a CSV file, checks each row by the same rules as a single
/// registration, and writes good rows in batched transactions. A bad row is reported with its line and
/// changes nothing; good rows are kept. Importing the same file again changes nothing.
public struct RecipientImporter {
    public static let knownColumns = ["email", "name", "birthdate", "products", "consents", "source", PersonName.firstNameField]

    public struct Rejection: Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    public struct Summary: Sendable, Equatable, Codable {
        public var rows = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var rejected = 0
        /// Of the rejected rows, those refused because their address was erased.
        public var erased = 0
        public var ignoredColumns: [String] = []
        /// Rows whose address an earlier row of the file had (merged into it, written once).
        public var merged = 0
        public var imported: Int { created + updated + unchanged + merged }
    }

    public struct Progress: Sendable {
        public var rows: Int
        public var rejected: Int
        public var fraction: Double
        public var elapsedSeconds: Double
    }

    let store: any ConsentStore
    let hasher: AddressHasher
    let clock: @Sendable () -> Date
    let batchSize: Int
    /// `recipients.attributes`: the personal fields read from columns of those names.
    let attributeNames: [String]

    public init(store: any ConsentStore, hasher: AddressHasher, clock: @escaping @Sendable () -> Date = Date.init, batchSize: Int = 10000,
                attributeNames: [String] = []) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.batchSize = batchSize
        self.attributeNames = attributeNames.filter { $0 != PersonName.firstNameField }
    }


    /// Imports the file. Rejections and the ignored-columns warning are reported as they are found.
    public func run(path: String, warn: (String) -> Void, reject: (Rejection) -> Void,
                    progress: ((Progress) -> Void)? = nil) throws(HeraldError) -> Summary {
        let reader = try CSVReader(path: path)
        guard let header = reader.next() else { throw HeraldError(.dataError, "\(path): the file is empty; it needs a header row") }
        let columns = header.fields.map { $0.trimmingWhitespace().lowercased() }
        guard header.problem == nil, let emailColumn = columns.firstIndex(of: "email") else {
            throw HeraldError(.dataError, "\(path):\(header.line): the header row has no 'email' column")
        }
        if let duplicate = columns.first(where: { name in !name.isEmpty && columns.filter { $0 == name }.count > 1 }) {
            throw HeraldError(.dataError, "\(path):\(header.line): column '\(duplicate)' appears twice in the header")
        }
        var summary = Summary()
        let known = Self.knownColumns + attributeNames
        summary.ignoredColumns = columns.filter { !known.contains($0) }
        if !summary.ignoredColumns.isEmpty {
            warn("\(path): ignoring unknown columns: \(summary.ignoredColumns.joined(separator: ", "))")
        }
        let index = Dictionary(uniqueKeysWithValues: columns.enumerated().filter { known.contains($0.element) }.map { ($0.element, $0.offset) })
        // An address twice in the rows not yet written is merged into its first row, as writing them in turn
        // would end (the later row's values, the products and purposes of both): written twice, two rows that
        // disagree would count as updates on every import of the same file.
        var pending: [Data: Int] = [:]
        let started = clock()
        let today = CivilDate(clock())
        var batch: [ImportRow] = []
        batch.reserveCapacity(batchSize)
        // The progress line is throttled on a monotonic clock; `clock` gives only the times stored and shown.
        let monotonic = ContinuousClock()
        var lastReport = monotonic.now - .seconds(1)

        let store = store, clock = clock
        let writer = BatchWriter { (rows) throws(HeraldError) in
            try storage { () throws(StorageError) in try store.importBatch(rows, at: clock()) }
        }
        func flush() throws(HeraldError) {
            guard !batch.isEmpty else { return }
            try writer.submit(batch)
            batch = []
            batch.reserveCapacity(batchSize)
            pending.removeAll(keepingCapacity: true)
        }

        while let record = reader.next() {
            summary.rows += 1
            do throws(HeraldError) {
                let checked = try row(record, columnCount: columns.count, emailColumn: emailColumn, index: index, today: today)
                // Rows of other sources are written in turn: each grant keeps its own source in the ledger.
                if let first = pending[checked.recipient.addressHash], batch[first].recipient.source == checked.recipient.source {
                    batch[first].merge(checked)
                    summary.merged += 1
                } else {
                    pending[checked.recipient.addressHash] = batch.count
                    batch.append(checked)
                }
            } catch {
                summary.rejected += 1
                // The operator may know why a row was refused; the person's birth date is never repeated.
                let reason = error.kind == .underMinimumAge ? RegistrationRules.operatorRefusal : error.message
                reject(Rejection(line: record.line, reason: reason))
            }
            if batch.count >= batchSize { try flush() }
            if let progress, summary.rows % 1024 == 0, monotonic.now - lastReport > .milliseconds(200) {
                lastReport = monotonic.now
                progress(Progress(rows: summary.rows, rejected: summary.rejected,
                                  fraction: reader.fileSize > 0 ? Double(reader.bytesRead) / Double(reader.fileSize) : 0,
                                  elapsedSeconds: clock().timeIntervalSince(started)))
            }
        }
        try flush()
        let tally = try writer.finish()
        summary.created = tally.created
        summary.updated = tally.updated
        summary.unchanged = tally.unchanged
        if tally.erased > 0 {
            summary.rejected += tally.erased
            summary.erased = tally.erased
            warn("\(path): \(tally.erased) rows name erased addresses: refused, nothing stored; only the person can bring an address back, by confirming an invitation (herald recipients invite EMAIL)")
        }
        return summary
    }

    /// Checks one record. Every message says what is wrong without repeating a card number or the address.
    private func row(_ record: CSVRecord, columnCount: Int, emailColumn: Int, index: [String: Int], today: CivilDate) throws(HeraldError) -> ImportRow {
        if let problem = record.problem { throw HeraldError(.dataError, problem) }
        guard record.fields.count == columnCount else {
            throw HeraldError(.dataError, "has \(record.fields.count) fields, the header has \(columnCount)")
        }
        // Card numbers are looked for everywhere, unknown columns included, before anything else is read.
        if let column = record.fields.firstIndex(where: PaymentCardDetector.containsCardNumber) {
            throw HeraldError(.dataError, "field \(column + 1) looks like a payment card number; Herald stores no payment data, the row was not imported")
        }
        func value(_ name: String) -> String? {
            guard let position = index[name] else { return nil }
            let text = record.fields[position].trimmingWhitespace()
            return text.isEmpty ? nil : text
        }
        func list(_ name: String) -> [String] {
            (value(name) ?? "").split(separator: ";").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        }
        // The same checks as a single registration, in the same order; then what only a file can get wrong.
        let source = value("source") ?? "import"
        let checked = try RegistrationRules.check(
            Registration(email: record.fields[emailColumn], name: value("name"), birthdate: value("birthdate"),
                         products: list("products"), source: source),
            today: today, hasher: hasher)
        var grants: Set<Purpose> = []
        for consent in list("consents") {
            guard let purpose = Purpose(rawValue: consent.lowercased()) else {
                throw HeraldError(.dataError, "unknown purpose '\(consent)' in consents; purposes are \(names(of: Purpose.allCases))")
            }
            grants.insert(purpose)
        }
        guard source.count <= 64 else { throw HeraldError(.dataError, "source is longer than 64 characters") }
        var recipient = checked.recipient
        recipient.firstName = try PersonName.field(PersonName.firstNameField, value(PersonName.firstNameField))
        for name in attributeNames {
            if let field = try PersonName.field(name, value(name)) { recipient.attributes[name] = field }
        }
        return ImportRow(recipient: recipient, grants: grants.sorted { $0.rawValue < $1.rawValue },
                         noticeHash: grants.isEmpty ? nil : ConsentNotice.source(checked.recipient.source))
    }
}

extension ImportRow {
    /// `later` (a row of the same person further down the file) folded in as writing it after this row would:
    /// its name, birth year, first name and fields where it gives them, the products and purposes of both.
    mutating func merge(_ later: ImportRow) {
        let new = later.recipient
        if let name = new.name { recipient.name = name }
        if let year = new.birthYear { recipient.birthYear = year }
        if let first = new.firstName { recipient.firstName = first }
        recipient.attributes.merge(new.attributes) { $1 }
        for product in new.products where !recipient.products.contains(product) { recipient.products.append(product) }
        for purpose in later.grants where !grants.contains(purpose) { grants.append(purpose) }
        if noticeHash == nil { noticeHash = later.noticeHash }
    }
}
