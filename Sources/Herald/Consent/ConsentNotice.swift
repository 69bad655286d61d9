import Crypto
import Foundation
import Store

/// The words a person is shown when they decide, and their hash for the ledger: a consent records the policy
/// version it was given under and which notice the person saw, so it can be shown later what they agreed to.
/// Pages display these texts exactly as built here; what the ledger keeps is the SHA-256 of the same string.
public enum ConsentNotice {
    /// SHA-256 of the text's UTF-8 bytes, in lower-case hex.
    public static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The confirmation page of a registration (double opt-in).
    public static func confirmation(company: String, purposes: [Purpose], policy: PolicyVersion?) -> String {
        let what = MessageData.humanList(purposes.map(\.phrase))
        return "By confirming, you agree that \(company) may send you \(what) by email\(policyClause(policy)). "
            + "Every message has a link to unsubscribe with one click, and you can change your choice at any time."
    }

    /// The preferences page.
    /// `withdrawOnly`: the page was reached from an unsubscribe link, where a topic ticked is asked for by mail.
    public static func preferences(company: String, policy: PolicyVersion?, withdrawOnly: Bool = false) -> String {
        if withdrawOnly {
            return "\(company) sends you only what is ticked below\(policyClause(policy)). Untick anything to stop it at once; "
                + "a topic you tick starts only after you confirm it, by the link in a mail we send to your address."
        }
        return "\(company) sends you only what is ticked below\(policyClause(policy)). Untick anything to stop it; "
            + "what you save applies at once."
    }

    /// The page where a person accepts or declines a materially changed policy.
    public static func policyChoice(company: String, version: PolicyVersion) -> String {
        let use = version.addsPurpose.map { ": to send you \($0.phrase)" } ?? ""
        return "\(company) asks whether it may use your information as version \(version.version) of its privacy policy describes\(use). "
            + "If you accept, it will; if you decline, it will not, and nothing else changes."
    }

    /// An import's or an operator's consent: the `source` they give is what stands for the notice.
    public static func source(_ source: String) -> String { hash(source) }

    private static func policyClause(_ policy: PolicyVersion?) -> String {
        policy.map { ", as our privacy policy (version \($0.version)) describes" } ?? ""
    }
}
