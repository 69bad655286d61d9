import Crypto
import _CryptoExtras
import Foundation
import Herald
import Mail
import Rendering
import Store

// herald-bench: compose + DKIM-sign a 20 KB message in a loop on one core, and print messages per second.
// Used by bench/sign, which puts the figure next to `openssl speed` measured in the same run.
//
// usage: herald-bench sign rsa2048|ed25519 [SECONDS]
//        herald-bench compose CONFIG TEMPLATE [SECONDS] [WORDS.md]   (Herald's whole composer: render, links, MIME, sign as
//                                                  configured; with WORDS.md, a campaign's own Markdown words in TEMPLATE)
//        herald-bench frame CONFIG TEMPLATE WORDS.md [SECONDS]   (a campaign's Markdown converted and framed, from a fresh catalog)
//        herald-bench unsubscribe-paths CONFIG FIRST LAST  (the /u/ path of recipients FIRST…LAST for promotions, one a line; bench/web)
//        herald-bench queue CONFIG WORKERS BATCH   (bench/queue: start the due campaigns, then WORKERS threads, each with a store
//                                                  of its own, claim → last-moment check → record until the outbox is empty)

let arguments = CommandLine.arguments
if arguments.count == 5, arguments[1] == "unsubscribe-paths", let first = Int64(arguments[3]), let last = Int64(arguments[4]) {
    let app = try HeraldApp(configuration: ConfigurationLoader.load(path: arguments[2]))
    let links = SignedLinks(tokens: app.tokens, publicURL: "")
    var output = ""
    for id in first...last { output += links.unsubscribeURL(recipientID: id, purpose: .promotions, now: Date()) + "\n" }
    FileHandle.standardOutput.write(Data(output.utf8))
    exit(0)
}
if arguments.count == 5, arguments[1] == "queue", let workers = Int(arguments[3]), let batch = Int(arguments[4]) {
    try QueueCeiling(configuration: ConfigurationLoader.load(path: arguments[2]), workers: workers, batch: batch).run()
    exit(0)
}
if arguments.count >= 4, arguments[1] == "compose" {
    let app = try HeraldApp(configuration: ConfigurationLoader.load(path: arguments[2]))
    let composer = app.composer(catalog: try app.catalog())
    let seconds = arguments.count > 4 ? Double(arguments[4]) ?? 3 : 3
    var input = MessageComposer.Input(kind: .productNews, template: arguments[3], campaignName: "Minilogue news",
                                      recipientID: 42, email: "zoe@example.org", name: "Zoë Ångström", products: ["minilogue"])
    // A campaign's own words (Markdown), set in the template as its frame.
    if arguments.count > 5 {
        let body = try String(contentsOfFile: arguments[5], encoding: .utf8)
        input.words = CampaignWords(subject: "Minilogue news for {{first_name}}", body: body, format: .markdown)
    }
    let size = try composer.compose(input, now: Date()).bytes.count
    let start = Date()
    var count = 0
    while Date().timeIntervalSince(start) < seconds {
        for _ in 0..<16 { _ = try composer.compose(input, now: Date()) }
        count += 16
    }
    print("compose \(count) \(String(format: "%.3f", Date().timeIntervalSince(start))) \(size)")
    exit(0)
}
// Converting a campaign's Markdown and setting it in its frame: what each campaign pays once (bench/words).
if arguments.count >= 5, arguments[1] == "frame" {
    let app = try HeraldApp(configuration: ConfigurationLoader.load(path: arguments[2]))
    let catalog = try app.catalog()
    let body = try String(contentsOfFile: arguments[4], encoding: .utf8)
    let seconds = arguments.count > 5 ? Double(arguments[5]) ?? 3 : 3
    let start = Date()
    var count = 0
    while Date().timeIntervalSince(start) < seconds {
        // A different subject each time, so that no framing is found made already (its cache keeps 16).
        let words = MessageWords(subject: "News \(count)", preheader: "", body: body, format: .markdown)
        _ = try catalog.framing(words, in: arguments[3])
        count += 1
    }
    print("frame \(count) \(String(format: "%.3f", Date().timeIntervalSince(start)))")
    exit(0)
}
guard arguments.count >= 3, arguments[1] == "sign", ["rsa2048", "ed25519"].contains(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: herald-bench sign rsa2048|ed25519 [SECONDS]\n".utf8))
    exit(64)
}
let seconds = arguments.count > 3 ? Double(arguments[3]) ?? 3 : 3
let key: DKIMKey = arguments[2] == "rsa2048"
    ? try DKIMKey(pem: _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation, algorithm: .rsaSHA256)
    : .ed25519(Curve25519.Signing.PrivateKey())
let signer = DKIMSigner(domain: "example.com", selector: "bench", key: key)

// About 10 KB of text and 10 KB of HTML, with non-ASCII so quoted-printable has work to do.
let paragraph = "Grüße from the synth workshop: the minilogue firmware 2.1 adds a new sequencer mode, and owners can update today. "
let text = String(repeating: paragraph + "\n", count: 88)
let html = "<html><body>" + String(repeating: "<p>" + paragraph + "</p>\n", count: 80) + "</body></html>"
let from = try Mailbox(parsing: "Example News <news@example.com>")
let to = Mailbox(displayName: "Zoë Ångström", address: try EmailAddress(parsing: "zoe@example.org"))

func composeAndSign() throws -> Int {
    let draft = MessageDraft(from: from, to: to, subject: "What's new for your minilogue", textBody: text, htmlBody: html,
                             messageID: MessageDraft.newMessageID(domain: "example.com"), listID: try! ListID(parsing: "news.example.com"),
                             listUnsubscribeURL: "https://mail.example.com/u/AQJ0MQEAAAAAAAAAKgAAAABpJ8Xg")
    return try signer.sign(draft.mimeBytes()).count
}

let size = try composeAndSign()
let start = Date()
var count = 0
while Date().timeIntervalSince(start) < seconds {
    for _ in 0..<16 { _ = try composeAndSign() }
    count += 16
}
let elapsed = Date().timeIntervalSince(start)
print("\(arguments[2]) \(count) \(String(format: "%.3f", elapsed)) \(size)")
