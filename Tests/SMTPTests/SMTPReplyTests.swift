import Testing
import SMTP

/// The reply parser decides sent, deferred or bounced for every message: these are the shapes servers send.
struct SMTPReplyTests {
    @Test func singleLineWithEnhancedStatus() {
        let reply = SMTPReply.parse(lines: ["550 5.1.1 <zoe@example.org>: Recipient address rejected"])
        #expect(reply == SMTPReply(code: 550, enhancedStatus: "5.1.1", text: "<zoe@example.org>: Recipient address rejected"))
        #expect(reply?.isPermanent == true)
    }

    @Test func theLastCompleteReplyWinsAndContinuationLinesJoin() {
        let lines = ["250-mx.example.org", "250-PIPELINING", "250 8BITMIME", "354 End data with <CR><LF>.<CR><LF>",
                     "451-4.7.1 Greylisted,", "451 4.7.1 try again later"]
        let reply = SMTPReply.parse(lines: lines)
        #expect(reply == SMTPReply(code: 451, enhancedStatus: "4.7.1", text: "Greylisted, try again later"))
        #expect(reply?.isTransient == true)
    }

    @Test func aWantedCodeSkipsWhatCameAfterIt() {
        // libcurl may have sent QUIT and read its 221 after the refusal that matters.
        let reply = SMTPReply.parse(lines: ["550 5.7.1 Relaying denied", "221 2.0.0 Bye"], code: 550)
        #expect(reply?.code == 550)
        #expect(reply?.text == "Relaying denied")
    }

    @Test func anEnhancedStatusOfAnotherClassIsText() {
        #expect(SMTPReply.parse(lines: ["250 5.1.1 odd"]) == SMTPReply(code: 250, text: "5.1.1 odd"))
        #expect(SMTPReply.parse(lines: ["250 2.0.0"]) == SMTPReply(code: 250, enhancedStatus: "2.0.0", text: ""))
        #expect(SMTPReply.parse(lines: ["452 4.5.3 Too many recipients"])?.enhancedStatus == "4.5.3")
        #expect(SMTPReply.parse(lines: ["550 5.7.509 Access denied"])?.enhancedStatus == "5.7.509")
        for notAStatus in ["55.1.1", "5.1234.1", "5..1", "5.1", "5.1.1.1", "5.1.1x", ".5.1", "5.1."] {
            let reply = SMTPReply.parse(lines: ["550 \(notAStatus) text"])
            #expect(reply == SMTPReply(code: 550, text: "\(notAStatus) text"), "\(notAStatus)")
        }
    }

    @Test func linesWithoutAThreeDigitCodeAreNotReplies() {
        #expect(SMTPReply.parse(lines: []) == nil)
        #expect(SMTPReply.parse(lines: ["hello"]) == nil)
        #expect(SMTPReply.parse(lines: ["25 short"]) == nil)
        #expect(SMTPReply.parse(lines: ["2500 too long"]) == nil)
        #expect(SMTPReply.parse(lines: ["25x nope"]) == nil)
        #expect(SMTPReply.parse(lines: ["250"]) == SMTPReply(code: 250, text: ""))
        #expect(SMTPReply.parse(lines: ["hello", "250 ok", "garbage"]) == SMTPReply(code: 250, text: "ok"))
    }
}
