import Store

/// The campaign form's audience size as a staff member may see it. Marketing sees counts, never people, but an
/// exact small count of any segment it can describe (one rare product, one purpose) would pick people out as a
/// report cell would: under the report's floor it is "fewer than 10". Administrators, who may look a person up
/// anyway, see it exact. As JSON: `{"audience": 12}`, or `{"audience": null, "fewer_than": 10}`.
struct AudienceCount: Encodable, Sendable {
    /// nil when under the floor for this account.
    var audience: Int?
    /// The floor, when the count is under it.
    var fewerThan: Int?

    init(_ size: Int, for account: StaffAccount, floor: Int = ConsoleReportRoutes.minimumCell) {
        let hidden = account.role != .admin && size < floor
        audience = hidden ? nil : size
        fewerThan = hidden ? floor : nil
    }

    /// The start of the form's sentence "… people would receive it now."
    var text: String { audience.map(String.init) ?? "Fewer than \(fewerThan ?? 0)" }

    private enum CodingKeys: String, CodingKey { case audience, fewerThan }

    // A hidden count is written as null, not left out, as the report writes a suppressed cell.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(audience, forKey: .audience)
        try container.encodeIfPresent(fewerThan, forKey: .fewerThan)
    }
}
