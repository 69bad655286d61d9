import Foundation
import Testing
@testable import Herald

/// The classifier on the checked-in samples of Tests/Bounces (see its README): each sample's class, its
/// per-recipient groups and the token it names.
@Suite struct BounceClassifierTests {
    static let samples = TestApp.root.appendingPathComponent("Tests/Bounces/samples")
    let classifier = BounceClassifier(bounceDomain: "bounce.example.com")

    static func sample(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: samples.appendingPathComponent(name + ".eml")))
    }

    func classify(_ name: String, envelopeRecipient: String? = nil) throws -> BounceClassification {
        classifier.classify(try Self.sample(name), envelopeRecipient: envelopeRecipient)
    }

    /// Every sample has its test here, and every test its sample.
    @Test func everySampleIsExercised() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.samples.path).filter { $0.hasSuffix(".eml") }
        #expect(Set(names.map { String($0.dropLast(4)) }) == Set(Self.expectedClasses.keys))
    }

    static let expectedClasses: [String: BounceClassification.Class] = [
        "rfc3464-simple": .soft, "rfc3464-multi-recipient": .hard, "rfc3464-delayed": .delayed, "rfc6533-global": .hard,
        "rfc5965-arf": .complaint, "postfix-bounce": .hard, "postfix-delay": .delayed, "exim-failed": .soft,
        "gmail-dsn": .hard, "office365-ndr": .hard, "yahoo-failure-notice": .soft, "amazon-ses-dsn": .hard,
        "multi-recipient-hard-soft": .hard, "not-ours-dsn": .hard, "out-of-office": .autoReply,
        "arf-complaint-yahoo": .complaint, "undeliverable-text": .soft, "mailto-unsubscribe": .mailtoUnsubscribe,
        "truncated-multipart": .hard, "missing-boundary": .soft, "binary-garbage": .unmatched,
    ]

    @Test(arguments: expectedClasses.keys.sorted()) func sampleHasItsClass(_ name: String) throws {
        let result = try classify(name)
        #expect(result.class == Self.expectedClasses[name], "\(name): \(result.class)")
        if result.class == .hard { #expect(result.evidence == .deliveryStatus, "\(name): hard from \(result.evidence)") }
    }

    // MARK: - RFC examples

    @Test func rfc3464SimpleIsSoftForItsFourHundredFailure() throws {
        let result = try classify("rfc3464-simple")
        #expect(result.recipients == [RecipientStatus(
            finalRecipient: "louisl@larry.slip.umd.edu", originalRecipient: "louisl@larry.slip.umd.edu", action: "failed",
            status: "4.0.0", diagnosticCode: "426 connection timed out", class: .soft)])
        #expect(result.report?.reportingMTA == "cs.utk.edu")
        #expect(result.token == nil)
    }

    @Test func rfc3464MultiRecipientHasEveryGroup() throws {
        let result = try classify("rfc3464-multi-recipient")
        #expect(result.recipients.map(\.finalRecipient) == ["arathib@vnet.ibm.com", "johnh@hpnjld.njd.hp.com", "wsnell@sdcc13.ucsd.edu"])
        #expect(result.recipients.map(\.class) == [.hard, .delayed, .hard])
        #expect(result.recipients.map(\.status) == ["5.0.0", "4.0.0", "5.0.0"])
        #expect(result.recipients[0].diagnosticCode == "550 'arathib@vnet.IBM.COM' is not a  registered gateway user")
        #expect(result.recipients[0].remoteMTA == "vnet.ibm.com")
        #expect(result.diagnostic == result.recipients[0].diagnosticCode)
    }

    @Test func rfc3464DelayedChangesNothingButNamesItsToken() throws {
        let result = try classify("rfc3464-delayed")
        #expect(result.recipients.map(\.action) == ["delayed"])
        #expect(result.token == "Dly4hR_m0nq2Zx")
    }

    @Test func rfc6533GlobalReportReadsUTF8() throws {
        let result = try classify("rfc6533-global")
        #expect(result.report?.isGlobal == true)
        #expect(result.report?.arrivalDate == "Tue,  1 Dec 2026 10:02:10 +0100 (CET)")
        let recipient = try #require(result.recipients.first)
        #expect(recipient.finalRecipient == "用户@例子.example")
        #expect(recipient.originalRecipient == "用户@例子.example", "the \\x{…} escapes turned back into characters")
        #expect(recipient.status == "5.1.1" && recipient.class == .hard)
        #expect(recipient.remoteMTA == "mx.例子.example")
        #expect(result.token == "Gl0bal_UTF8-tok3n")
    }

    @Test func rfc5965ReportIsAComplaintWithItsFields() throws {
        let result = try classify("rfc5965-arf")
        let feedback = try #require(result.feedback)
        #expect(feedback.feedbackType == "abuse")
        #expect(feedback.userAgent == "SomeGenerator/1.0")
        #expect(feedback.originalMailFrom == "somespammer@example.net")
        #expect(feedback.originalRcptTo == ["user@example.com"])
        #expect(feedback.arrivalDate == "Thu, 8 Mar 2005 14:00:00 EDT")
        #expect(feedback.sourceIP == "192.0.2.1")
        #expect(feedback.originalHeaders?.first("Subject") == "Earn money")
        #expect(result.token == nil, "not mail Herald sent")
    }

    // MARK: - Real-world formats

    @Test func postfixBounceIsHardWithItsDiagnostic() throws {
        let result = try classify("postfix-bounce")
        #expect(result.recipients == [RecipientStatus(
            finalRecipient: "gone@example.org", originalRecipient: "gone@example.org", action: "failed", status: "5.1.1",
            diagnosticCode: "550 5.1.1 <gone@example.org>: Recipient address    rejected: User unknown in local recipient table",
            remoteMTA: "mail.example.org", class: .hard)])
        #expect(result.token == "Pfx5hard_Tok3n")
        #expect(result.report?.reportingMTA == "mx.example.org")
    }

    @Test func postfixDelayIsDelayed() throws {
        let result = try classify("postfix-delay")
        #expect(result.recipients.map(\.status) == ["4.4.1"])
        #expect(result.recipients.first?.diagnosticCode?.hasPrefix("connect to mail.example.net") == true)
        #expect(result.token == "Pfx4delay-Tok3n")
    }

    @Test func eximTextBounceIsSoftWithTheLineItFound() throws {
        let result = try classify("exim-failed")
        #expect(result.evidence == .textHeuristic)
        #expect(result.diagnostic == "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in virtual mailbox table")
        #expect(result.recipients.map(\.finalRecipient) == ["nobody@example.org"])
        #expect(result.recipients.map(\.status) == ["5.1.1"])
        #expect(result.recipients.map(\.class) == [.soft], "a 5.x.x found by a heuristic is still only soft")
        #expect(result.token == "Ex1m_fail3d")
    }

    @Test func gmailReportIsHardThroughNestedAlternatives() throws {
        let result = try classify("gmail-dsn")
        let recipient = try #require(result.recipients.first)
        #expect(recipient.finalRecipient == "nosuchuser@gmail.com")
        #expect(recipient.status == "5.1.1")
        #expect(recipient.diagnosticCode?.hasPrefix("550-5.1.1 The email account that you tried to reach does not exist.") == true)
        #expect(result.token == "Gm41l_n0suchUser")
        let message = ReceivedMessage(parsing: try Self.sample("gmail-dsn"))
        let texts = message.entities.filter { $0.contentType.mediaType.hasPrefix("text/") }.compactMap(\.text)
        #expect(texts.count == 2)
        #expect(texts.first?.contains("the address couldn't be found") == true, "quoted-printable soft breaks joined")
        #expect(texts.first?.contains("?p=NoSuchUser") == true, "=3D decoded")
        #expect(texts.last?.hasPrefix("<html><body><h1>Address not found</h1>") == true, "base64 decoded")
    }

    @Test func office365ReportIsHardWithItsFiveDigitStatus() throws {
        let result = try classify("office365-ndr")
        let recipient = try #require(result.recipients.first)
        #expect(recipient.finalRecipient == "gone@contoso.com")
        #expect(recipient.status == "5.1.10")
        #expect(recipient.diagnosticCode?.hasPrefix("550 5.1.10 RESOLVER.ADR.RecipientNotFound") == true)
        #expect(result.token == "0365_Ndr-Tok3n")
    }

    @Test func yahooTextBounceIsSoft() throws {
        let result = try classify("yahoo-failure-notice")
        #expect(result.evidence == .textHeuristic)
        #expect(result.diagnostic?.hasPrefix("554: delivery error: dd This user doesn't have a yahoo.com account") == true)
        #expect(result.recipients.map(\.finalRecipient) == ["gone@yahoo.com"])
        #expect(result.recipients.map(\.class) == [.soft])
        #expect(result.token == "Yah00_fail_Tok")
    }

    @Test func amazonSESReportIsHardOverCRLF() throws {
        let result = try classify("amazon-ses-dsn")
        #expect(result.recipients == [RecipientStatus(
            finalRecipient: "gone@example.org", action: "failed", status: "5.1.1", diagnosticCode: "550 5.1.1 user unknown",
            remoteMTA: "mail.example.org", class: .hard)])
        #expect(result.report?.reportingMTA == "a8-83.smtp-out.amazonses.com")
        #expect(result.token == "SES_bounce-7tok")
    }

    @Test func multiRecipientReportKeepsEachGroupsClass() throws {
        let result = try classify("multi-recipient-hard-soft")
        #expect(result.recipients.map(\.finalRecipient) == ["gone@example.org", "full@example.org"])
        #expect(result.recipients.map(\.originalRecipient) == ["team@example.org", "team@example.org"])
        #expect(result.recipients.map(\.status) == ["5.1.1", "4.2.2"])
        #expect(result.recipients.map(\.class) == [.hard, .soft])
        #expect(result.token == "Mult1-R3c1p_Tok", "from Original-Envelope-Id, its xtext decoded")
    }

    @Test func reportForMailHeraldDidNotSendHasNoToken() throws {
        let result = try classify("not-ours-dsn")
        #expect(result.recipients.map(\.class) == [.hard])
        #expect(result.token == nil)
        #expect(!result.hasToken)
    }

    @Test func outOfOfficeIsAnAutoReply() throws {
        let result = try classify("out-of-office")
        #expect(result.evidence == .autoReplyMarks)
        #expect(result.token == "00O_vacation_Tok")
        #expect(result.recipients.isEmpty)
    }

    @Test func yahooComplaintFindsItsTokenInOriginalMailFrom() throws {
        let result = try classify("arf-complaint-yahoo")
        #expect(result.feedback?.feedbackType == "abuse")
        #expect(result.feedback?.originalRcptTo == ["reader@yahoo.com"])
        #expect(result.feedback?.originalHeaders?.first("Message-ID") == "<herald.1.50@example.com>")
        #expect(result.token == "ARF_yahoo-c0mpla1nt")
    }

    @Test func textBounceFindsItsTokenInTheCopiedReturnPath() throws {
        let result = try classify("undeliverable-text")
        #expect(result.evidence == .textHeuristic)
        #expect(result.diagnostic == "Sorry, no mailbox here by that name. (#5.1.1)")
        #expect(result.recipients.map(\.finalRecipient) == ["left@example.info"])
        #expect(result.token == "Qm41l_text-T0k")
    }

    @Test func mailToTheUnsubscribeAddressIsAnUnsubscribe() throws {
        let result = try classify("mailto-unsubscribe")
        #expect(result.token == "Unsub_mailto-T0ken42")
        #expect(result.evidence == .recipientAddress)
    }

    // MARK: - Malformed input

    @Test func truncatedReportKeepsWhatArrived() throws {
        let result = try classify("truncated-multipart")
        #expect(result.recipients.map(\.status) == ["5.1.1"])
        #expect(result.recipients.first?.diagnosticCode == "550 5.1.1 <gone@exa")
        #expect(result.token == "Trunc4ted_Tok")
    }

    @Test func reportWithoutBoundaryFallsBackToTheText() throws {
        let result = try classify("missing-boundary")
        #expect(result.evidence == .textHeuristic)
        #expect(result.recipients.map(\.class) == [.soft])
        #expect(result.token == "N0Boundary_Tok")
    }

    @Test func garbageIsUnmatched() throws {
        let result = try classify("binary-garbage")
        #expect(result.token == nil && result.recipients.isEmpty)
    }
}
