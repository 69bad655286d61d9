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
        #expect(result.tokenLocalPart == "u-Unsub_mailto-T0ken42")
        #expect(try classify("postfix-bounce").tokenLocalPart == "b-Pfx5hard_Tok3n")
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
        #expect(result.diagnostic == "<gone@example.org>: host mail.example.org[192.0.2.30] said: 550 5.1.1 User unknown")
        #expect(result.token == "N0Boundary_Tok")
    }

    @Test func garbageIsUnmatched() throws {
        let result = try classify("binary-garbage")
        #expect(result.token == nil && result.recipients.isEmpty)
    }
}

/// The reader and the classifier's rules on small messages written here: header syntax, limits, tokens, and
/// the rules that decide a class.
@Suite struct BounceClassifierReaderTests {
    let classifier = BounceClassifier(bounceDomain: "bounce.example.com")

    func classify(_ text: String, envelopeRecipient: String? = nil) -> BounceClassification {
        classifier.classify(Array(text.utf8), envelopeRecipient: envelopeRecipient)
    }

    @Test func headersAreUnfoldedAndDecoded() {
        let message = ReceivedMessage(parsing: Array("""
            From MAILER-DAEMON Tue Dec  1 09:00:00 2026
            subject: =?UTF-8?B?QWJ3ZXNlbmhlaXRzbm90aXo=?= =?ISO-8859-1?Q?_f=FCr?=
             alle
            X-Empty:
            Content-Type: Text/Plain; Charset="ISO-8859-1"; name="a;b"

            Gr\u{fc}\u{df}e
            """.utf8))
        #expect(message.headers.first("SUBJECT") == "=?UTF-8?B?QWJ3ZXNlbmhlaXRzbm90aXo=?= =?ISO-8859-1?Q?_f=FCr?= alle")
        #expect(message.headers.text("Subject") == "Abwesenheitsnotiz für alle")
        #expect(message.headers.first("X-Empty") == "")
        #expect(message.headers.fields.count == 3, "the mbox From line is no field")
        #expect(message.contentType == ContentType(mediaType: "text/plain", parameters: ["charset": "ISO-8859-1", "name": "a;b"]))
    }

    @Test func everySampleReadsAlikeWithCRLFAndBareLF() throws {
        for name in BounceClassifierTests.expectedClasses.keys.sorted() where name != "binary-garbage" {
            let bytes = try BounceClassifierTests.sample(name)
            let bare = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            let wire = bare.replacingOccurrences(of: "\n", with: "\r\n")
            let (a, b) = (classify(bare), classify(wire))
            #expect(a == b, "\(name)")
        }
    }

    @Test func nestingAndPartsStayWithinTheirLimits() {
        var nested = "Subject: innermost\n\nhello\n"
        for _ in 0..<20 { nested = "Content-Type: message/rfc822\n\n" + nested }
        var depth = 0
        var message = ReceivedMessage(parsing: Array(nested.utf8))
        while let inner = message.enclosedMessage { message = inner; depth += 1 }
        #expect(depth == ReceivedMessage.maximumDepth)

        let manyParts = "Content-Type: multipart/mixed; boundary=b\n\n" + String(repeating: "--b\n\npart\n", count: 1_000) + "--b--\n"
        #expect(ReceivedMessage(parsing: Array(manyParts.utf8)).parts.count == ReceivedMessage.maximumParts)
    }

    /// Boundary-like lines, a folded header of 1 MB and unclosed encoded words: a few MB stay a matter of seconds.
    @Test func hostileInputStaysCheap() {
        let header = "Subject: " + String(repeating: "=?x?", count: 50_000) + "\n" + "X-Long: a\n" + String(repeating: " b\n", count: 300_000)
        let body = String(repeating: "--bb\n--b-\n--bx\n", count: 100_000)
        let text = header + "Content-Type: multipart/report; boundary=b\nFrom: mailer-daemon@x.example\n\n" + body
        let started = ContinuousClock.now
        let result = classify(text)
        #expect(result.class == .unmatched)
        // One 2 MB line: a field's value is kept only up to its bound, so every later look at it stays cheap.
        let oneLine = classify("Subject: " + String(repeating: "=?utf-8?q?", count: 200_000))
        #expect(oneLine.class == .unmatched)
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func tokensAreTakenOnlyFromAddressesAtTheBounceDomain() {
        let tokens = ReturnPathTokens(domain: "Bounce.Example.com")
        #expect(tokens.token(.bounce, in: "<b-Ab_9-x@bounce.example.com>") == "Ab_9-x")
        #expect(tokens.token(.bounce, in: "Bounces <B-Ab@BOUNCE.EXAMPLE.COM>") == "Ab", "case-insensitive domain and prefix")
        #expect(tokens.token(.bounce, in: "b-Ab@bounce.example.com.evil.test") == nil, "another domain")
        #expect(tokens.token(.bounce, in: "b-Ab@evilbounce.example.com") == nil)
        #expect(tokens.token(.bounce, in: "xb-Ab@bounce.example.com") == nil, "another local part")
        #expect(tokens.token(.bounce, in: "b-A.b@bounce.example.com") == nil, "not base64url")
        #expect(tokens.token(.bounce, in: "b-@bounce.example.com") == nil, "empty")
        #expect(tokens.token(.bounce, in: "b-" + String(repeating: "A", count: 257) + "@bounce.example.com") == nil, "too long")
        #expect(tokens.token(.bounce, in: "b-" + String(repeating: "A", count: 256) + "@bounce.example.com")?.count == 256)
        #expect(tokens.token(.unsubscribe, in: "b-Ab@bounce.example.com") == nil, "the other kind")
        #expect(tokens.token(.bounce, in: "x@y.example, b-Cd@bounce.example.com") == "Cd", "the second address of a list")
        #expect(tokens.token(.bounce, in: "b-Ab") == nil && tokens.token(.bounce, in: "b-Ab", acceptingBare: true) == "Ab")
    }

    @Test func theEnvelopeRecipientComesFirstAndReturnPathLast() throws {
        let bytes = try BounceClassifierTests.sample("office365-ndr")
        #expect(classifier.classify(bytes, envelopeRecipient: "b-Env3lope@bounce.example.com").token == "Env3lope")
        let withoutTo = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "To: <b-0365_Ndr-Tok3n@bounce.example.com>\n", with: "")
        let result = classify(withoutTo)
        #expect(result.class == .hard && result.token == "0365_Ndr-Tok3n", "from the returned header's Return-Path")
    }

    @Test func postfixNamesTheEnvelopeSenderInItsReport() throws {
        let lines = String(decoding: try BounceClassifierTests.sample("postfix-bounce"), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let rewritten = lines.filter { !($0.hasPrefix("Delivered-To:") || $0.hasPrefix("To: b-") || $0.hasPrefix("Return-Path: <b-")) }
        let result = classify(rewritten.joined(separator: "\n"), envelopeRecipient: "catchall@example.com")
        #expect(result.report?.envelopeSender == "b-Pfx5hard_Tok3n@bounce.example.com")
        #expect(result.class == .hard && result.token == "Pfx5hard_Tok3n", "from X-Postfix-Sender")
    }

    @Test func recipientGroupsAreClassifiedByActionAndStatus() {
        let cases: [(String?, String?, BounceClassification.Class)] = [
            ("failed", "5.1.1", .hard), ("failed", "4.2.2", .soft), ("failed", nil, .soft), ("delayed", "4.4.1", .delayed),
            ("delivered", "2.0.0", .ignored), ("relayed", "2.0.0", .ignored), ("expanded", "2.0.0", .ignored),
            (nil, "5.1.1", .soft), ("bogus", nil, .ignored),
        ]
        for (action, status, expected) in cases {
            #expect(DeliveryStatusReader.classify(action: action, status: status) == expected, "\(action ?? "-") \(status ?? "-")")
        }
        #expect(ReportFields.enhancedStatus(in: "smtp; 550-5.7.26 unauthenticated") == "5.7.26")
        #expect(ReportFields.enhancedStatus(in: "version 15.20.8182.0") == nil)
        #expect(ReportFields.enhancedStatus(in: "2.0.0 (delivered)") == "2.0.0")
    }

    static func report(_ type: String, _ fields: String, to: String = "b-T0k@bounce.example.com") -> String {
        """
        From: reporter@example.org
        To: \(to)
        Content-Type: multipart/report; report-type=x; boundary="r"

        --r
        Content-Type: text/plain

        A report.
        --r
        Content-Type: \(type)

        \(fields)
        --r--
        """
    }

    @Test func reportsOfSuccessAndOtherFeedbackChangeNothing() {
        let relayed = classify(Self.report("message/delivery-status", "Reporting-MTA: dns; a.example\n\nFinal-Recipient: rfc822; x@y.example\nAction: relayed\nStatus: 2.0.0"))
        #expect(relayed.class == .ignored && relayed.token == "T0k")
        let notSpam = classify(Self.report("message/feedback-report", "Feedback-Type: not-spam\nUser-Agent: x/1\nVersion: 1"))
        #expect(notSpam.class == .feedback && notSpam.feedback?.feedbackType == "not-spam")
    }

    @Test func autoRepliesAreKnownByTheirMarks() {
        let base = "From: Person <p@example.org>\nTo: b-T0k@bounce.example.com\n"
        #expect(classify(base + "Subject: Automatic reply: December news\n\nAway.").class == .autoReply)
        #expect(classify(base + "Subject: News\nX-Autoreply: yes\n\nAway.").class == .autoReply)
        #expect(classify(base + "Subject: News\nPrecedence: auto_reply\n\nAway.").class == .autoReply)
        #expect(classify(base + "Subject: RE: News\nPrecedence: bulk\n\nAway.").class == .autoReply)
        #expect(classify(base + "Subject: News\nPrecedence: bulk\n\nA list's mail.").class == .unmatched)
        #expect(classify(base + "Subject: Re: December news\nAuto-Submitted: no\n\nThanks, I liked it.").class == .unmatched)
        let vacation = "Return-Path: <>\n" + base + "Subject: Out of Office\n\nMail to this address could not be delivered to me until May."
        #expect(classify(vacation).class == .autoReply, "a responder's marks come before the bounce heuristic")
    }

    @Test func aBounceNeedsTwoSignsAndAMailtoNeedsOnlyItsAddress() {
        #expect(classify("From: Person <p@example.org>\nSubject: Hello\n\nThe user unknown to me.").class == .unmatched)
        #expect(classify("From: MAILER-DAEMON@x.example\nSubject: Hello\n\nHi.").class == .unmatched)
        let exim = classify("From: root@x.example\nX-Failed-Recipients: a@b.example, c@d.example\nSubject: Hello\n\nThe mailbox is full: it was over quota exceeded.")
        #expect(exim.class == .soft && exim.recipients.map(\.finalRecipient) == ["a@b.example"], "X-Failed-Recipients is a sign and names the address")
        let unsubscribe = classify("From: Person <p@example.org>\nSubject: Undeliverable\n\nanything", envelopeRecipient: "u-Un5ub@bounce.example.com")
        #expect(unsubscribe.class == .mailtoUnsubscribe && unsubscribe.token == "Un5ub")
    }
}
