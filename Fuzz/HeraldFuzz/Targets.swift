import Foundation
@testable import Herald
@testable import HeraldHTTP
@testable import Mail
@testable import Rendering
import Mustache
import SMTP
import Store
@testable import Tokens

/// Each target takes libFuzzer's bytes, runs one parser on them and checks what must hold of its answer; a
/// broken promise stops the program (`fuzzCheck`), which libFuzzer reports as a crash with the input saved.
enum FuzzTargets {
    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "token": token,
        "address": address,
        "csv": csv,
        "segment": segment,
        "form": form,
        "smtp": smtp,
        "mustache": mustache,
        "template": template,
        "words": words,
        "bounce": bounce,
    ]
}

/// `fatalError` prints its message even in an optimized build, where `precondition`'s is dropped.
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// The input as text, as a request or a file would give it to Herald: invalid UTF-8 repaired.
func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

// MARK: - Tokens

let tokenAuthority = try! TokenAuthority(keys: [
    TokenKey(id: "k2", secret: Array(repeating: 0x42, count: 32)),
    TokenKey(id: "k1", secret: Array("an older secret, still accepted".utf8)),
])
let fuzzNow = Date(timeIntervalSince1970: 1_800_000_000)

/// `verify` on any text, for every action; base64url round trips; and every token Herald issues verifies to
/// the claims it was issued for.
func token(_ bytes: [UInt8]) {
    let input = text(bytes)
    for action in TokenClaims.Action.allCases { _ = try? tokenAuthority.verify(input, expecting: action, now: fuzzNow) }
    if let decoded = TokenAuthority.decodeBase64URL(input) {
        fuzzCheck(TokenAuthority.base64URL(decoded) == input, "decodeBase64URL accepted a second spelling of \(decoded)")
    }
    let encoded = TokenAuthority.base64URL(bytes)
    fuzzCheck(TokenAuthority.decodeBase64URL(encoded) == bytes, "base64url does not round-trip \(bytes)")

    // Claims made of the bytes: action, recipient, age, then the scope.
    guard bytes.count >= 11 else { return }
    let action = TokenClaims.Action.allCases[Int(bytes[0]) % TokenClaims.Action.allCases.count]
    let recipient = bytes[1..<9].reduce(Int64(0)) { $0 << 8 | Int64($1) }
    let age = TimeInterval(Int(bytes[9]) << 8 | Int(bytes[10]))
    let scope = text(bytes[11...])
    let claims = TokenClaims(action: action, recipientID: recipient, scope: scope, issuedAt: fuzzNow - age)
    let issued = tokenAuthority.issue(claims)
    // A scope has one length byte: `issue` cuts a longer one at 255 bytes, which can split a character (Herald's
    // scopes are purposes and policy versions of at most 64 ASCII characters).
    guard scope.utf8.count <= 255 else { return }
    do {
        let verified = try tokenAuthority.verify(issued, expecting: action, now: fuzzNow)
        fuzzCheck(verified == claims, "a token verified to other claims: \(verified) for \(claims)")
    } catch {
        fatalError("a token Herald issued does not verify (\(error)): \(claims)")
    }
}

// MARK: - Addresses

/// An address that parses is stored in its normalized form: that form must parse to the same address, be plain
/// ASCII, and a mailbox's header form must never hold a line break.
func address(_ bytes: [UInt8]) {
    let input = text(bytes)
    if let address = try? EmailAddress(parsing: input) {
        let normalized = address.normalized
        fuzzCheck(normalized.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "a normalized address that is not printable ASCII: \(normalized)")
        let again: EmailAddress
        do { again = try EmailAddress(parsing: normalized) } catch { fatalError("the normalized address \(normalized) does not parse: \(error)") }
        fuzzCheck(again == address, "\(normalized) parses to another address, \(again)")
        _ = address.matchKey
    }
    if let mailbox = try? Mailbox(parsing: input) {
        // Long encoded words are folded (CRLF and a space); any other line break could end the field.
        let header = mailbox.headerValue
        let lines = header.split(separator: "\r\n", omittingEmptySubsequences: false)
        fuzzCheck(lines.allSatisfy { !$0.utf8.contains(0x0D) && !$0.utf8.contains(0x0A) } && lines.dropFirst().allSatisfy { $0.hasPrefix(" ") },
                  "a mailbox header that could end the field: \(header.debugDescription)")
    }
}

// MARK: - CSV

let csvPath = FileManager.default.temporaryDirectory.appendingPathComponent("herald-fuzz-csv-\(getpid()).csv").path

/// The reader works on a file: the input is written to one, then read to the end. Records come in order of
/// their lines, and the whole file is read.
func csv(_ bytes: [UInt8]) {
    fuzzCheck(FileManager.default.createFile(atPath: csvPath, contents: Data(bytes)), "cannot write \(csvPath)")
    guard let reader = try? CSVReader(path: csvPath) else { fatalError("cannot open \(csvPath)") }
    let lines = bytes.count { $0 == 0x0A } + 1
    var previous = 0
    var records = 0
    while let record = reader.next() {
        records += 1
        fuzzCheck(record.line > previous && record.line <= lines, "record \(records) says line \(record.line) after line \(previous), of \(lines)")
        fuzzCheck(record.problem != nil || !record.fields.isEmpty, "a record without fields and without a problem")
        previous = record.line
    }
    fuzzCheck(records <= lines, "\(records) records from \(lines) lines")
    fuzzCheck(reader.bytesRead == bytes.count, "read \(reader.bytesRead) of \(bytes.count) bytes")
}

// MARK: - Segments

/// A segment that parses prints as text that parses back to the same segment.
func segment(_ bytes: [UInt8]) {
    guard let parsed = try? Segment.parse(text(bytes)) else { return }
    do {
        let again = try Segment.parse(parsed.description)
        fuzzCheck(again == parsed, "'\(parsed)' parses to \(again)")
    } catch {
        fatalError("the segment '\(parsed)' does not parse again: \(error)")
    }
}

// MARK: - Forms

/// The first line is the Content-Type header, the rest the body, as a POST gives them to `FormBody`.
func form(_ bytes: [UInt8]) {
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
    let contentType = text(bytes[..<newline])
    let body = Array(bytes[min(newline + 1, bytes.endIndex)...])
    _ = FormBody.mediaType(contentType)
    _ = FormBody.parameter("boundary", in: contentType)
    guard let form = try? FormBody(body, contentType: contentType) else { return }
    for (name, values) in form.fields {
        fuzzCheck(form.first(name) == values.first && form.all(name) == values, "the field \(name.debugDescription) reads differently")
    }
    _ = form.isOneClick
}

// MARK: - SMTP replies

/// Reply lines as libcurl hands them over (split at line ends); the first byte picks a wanted code or none.
func smtp(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let lines = text(bytes.dropFirst()).split(separator: "\n", omittingEmptySubsequences: false).map {
        $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    let wanted: Int? = first < 0x80 ? nil : [220, 221, 235, 250, 354, 421, 451, 550][Int(first) % 8]
    guard let reply = SMTPReply.parse(lines: lines, code: wanted) else { return }
    fuzzCheck((0...999).contains(reply.code), "a reply code \(reply.code)")
    if let wanted { fuzzCheck(reply.code == wanted, "asked for \(wanted), got \(reply.code)") }
    if let status = reply.enhancedStatus {
        fuzzCheck(status.first.map(String.init) == String(reply.code / 100), "enhanced status \(status) for \(reply.code)")
    }
    _ = reply.description
    _ = (reply.isPositive, reply.isTransient, reply.isPermanent)
}

// MARK: - Templates

/// Rendering's own reading of a Mustache file, in memory: the tags with their lines, the variable tree with
/// partials and layouts put in place, and swift-mustache's parse with the error explained as the lint does.
/// The input is up to three files separated by NUL bytes: the template's HTML part, a partial, a layout.
func mustache(_ bytes: [UInt8]) {
    let pieces = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { text($0) }
    let names = ["t/html", "partials/footer", "email"]
    var sources: [String: TemplateSource] = [:]
    for (name, source) in zip(names, pieces) { sources[name] = TemplateSource(file: name + ".mustache", text: source) }
    let html = pieces[0]
    let tags = MustacheTags(html)
    let lines = html.utf8.count { $0 == 0x0A } + 1
    for tag in tags.tags { fuzzCheck((1...lines).contains(tag.line), "a tag on line \(tag.line) of \(lines)") }
    if let line = tags.unterminated { fuzzCheck((1...lines).contains(line), "an unterminated tag on line \(line) of \(lines)") }
    do {
        _ = try MustacheTemplate(string: "{{% CONTENT_TYPE: \(HTMLEscaping.name)}}" + html)
    } catch let error as MustacheTemplate.ParserError {
        _ = TemplateFolder.explained(error, source: html, file: "t/html.mustache")
    } catch {}
    if let tree = try? VariableTree.build("t/html", sources: sources) {
        _ = tree.lookups
        _ = DataCheck.missing(in: tree, data: mustacheSample)
    }
}

nonisolated(unsafe) let mustacheSample: [String: Any] = [
    "recipient": ["first_name": "Ada", "has_name": true],
    "products": [["name": "minilogue"], ["name": "kronos"]],
    "has_products": true,
    "campaign": ["name": "Sample"],
    "unsubscribe_url": "https://mail.example.com/u/x",
]

let templateFolder: URL = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-fuzz-templates-\(getpid())")
    // The shipped partials and layout, once, so that a template input can include them as the real ones do.
    let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Templates").standardized
    try? FileManager.default.removeItem(at: folder)
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for shared in ["partials", "layouts"] {
        try? FileManager.default.copyItem(at: shipped.appendingPathComponent(shared), to: folder.appendingPathComponent(shared))
    }
    return folder
}()
/// Where each NUL-separated piece of a `template` input goes; a missing piece is a missing file. The last is a
/// partial of its own (`{{> partials/fuzz}}`), next to the shipped ones.
let templateFiles = ["t/template.yaml", "t/subject.mustache", "t/text.mustache", "t/html.mustache", "partials/fuzz.mustache"]

let templateCheck: TemplateCheck = {
    let sender = HeraldConfiguration.Sender(from: try! Mailbox(parsing: "News <news@example.com>"), replyTo: nil,
                                            postalAddress: "1 Sample Street, Springfield", listID: try! ListID(parsing: "news.example.com"))
    return TemplateCheck(directory: templateFolder.path, sender: sender,
                         links: SignedLinks(tokens: tokenAuthority, publicURL: "https://mail.example.com"), policyURL: "https://example.com/privacy")
}()

/// `herald templates check` on a folder made of the input: one template, `t`, and a partial, next to the
/// shipped partials and layout.
func template(_ bytes: [UInt8]) {
    let pieces = bytes.split(separator: 0, maxSplits: templateFiles.count - 1, omittingEmptySubsequences: false)
    for (index, file) in templateFiles.enumerated() {
        let url = templateFolder.appendingPathComponent(file)
        if index < pieces.count {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            fuzzCheck(FileManager.default.createFile(atPath: url.path, contents: Data(pieces[index])), "cannot write \(url.path)")
        } else {
            try? FileManager.default.removeItem(at: url)
        }
    }
    for problem in templateCheck.problems(now: fuzzNow) {
        fuzzCheck(!problem.file.isEmpty, "a problem with no file: \(problem)")
        if let line = problem.line { fuzzCheck(line >= 1, "a problem on line \(line): \(problem)") }
    }
}

// MARK: - A campaign's words

/// A frame with the slots, loaded once.
let wordsFrame: TemplateCatalog = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("herald-fuzz-frame-\(getpid())")
    let files = [
        "promo/template.yaml": "kind: promotion\n",
        "promo/subject.mustache": "{{campaign.name}}\n",
        "promo/text.mustache": "ADVERTISEMENT\n{{#campaign.has_words}}\n{{{content}}}\n{{/campaign.has_words}}\n-- {{unsubscribe_url}}\n",
        "promo/html.mustache": "<div>{{{preheader}}}</div><b>ADVERTISEMENT</b>{{#campaign.has_words}}{{{content}}}{{/campaign.has_words}}<a href=\"{{unsubscribe_url}}\">x</a>",
    ]
    for (path, content) in files {
        let url = folder.appendingPathComponent(path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: url.path, contents: Data(content.utf8))
    }
    return try! TemplateCatalog(directory: folder.path, kinds: ["promotion"])
}()

/// A value no input is likely to hold, whose markup must come out escaped in the HTML part.
let hostileValue = "\u{2}<b>&\u{2}"

/// The first byte picks Markdown or HTML; then subject, preheader and body separated by NUL. Setting words in a
/// frame either works or names its problem in the words (subject, preheader or body, a line ≥ 1); what works
/// renders for a person whose values are markup, and that markup never reaches the HTML unescaped, nor a script
/// from Markdown (cmark's safe mode); the frame's advertisement and unsubscribe link stay in both parts.
func words(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let pieces = bytes.dropFirst().split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map { text($0) }
    guard pieces.count == 3 else { return }
    let format: MessageWords.Format = first & 1 == 0 ? .markdown : .html
    let words = MessageWords(subject: pieces[0], preheader: pieces[1], body: pieces[2], format: format)
    let framed: TemplateCatalog
    do { framed = try wordsFrame.framing(words, in: "promo") } catch {
        fuzzCheck([MessageWords.subjectFile, MessageWords.preheaderFile, MessageWords.bodyFile].contains(error.file), "a problem outside the words: \(error)")
        if let line = error.line { fuzzCheck(line >= 1, "a problem on line \(line): \(error)") }
        return
    }
    let data: [String: Any] = ["campaign": ["name": "Sample", "has_words": true], "first_name": hostileValue, "name": hostileValue,
                               "unsubscribe_url": "https://mail.example.com/u/x", "attributes": ["code": hostileValue]]
    guard let message = try? framed.render("promo", context: data) else { return }
    let input = text(bytes)
    if !input.contains("<b>") {
        fuzzCheck(!message.html.contains("<b>&\u{2}"), "a person's value reached the HTML unescaped: \(message.html.debugDescription)")
    }
    if format == .markdown {
        fuzzCheck(!message.html.lowercased().contains("<script"), "Markdown put a script into the HTML part: \(message.html.debugDescription)")
    }
    for part in [message.text, message.html] {
        fuzzCheck(part.contains("ADVERTISEMENT") && part.contains("https://mail.example.com/u/x"), "the words took the frame's parts away")
    }
    _ = HTMLText.convert(pieces[2])
}

// MARK: - Received bounces

let bounceClassifier = BounceClassifier(bounceDomain: "bounce.example.com")

/// Any bytes as a received mail: reading it stays within its limits, a class and its evidence agree (only a
/// DSN is ever hard; a heuristic is soft), a token is base64url within its bound, and a mailbox's bare-LF copy of
/// a mail classifies as its CR LF original.
func bounce(_ bytes: [UInt8]) {
    let result = bounceClassifier.classify(bytes, envelopeRecipient: nil)
    checkBounceInvariants(result)
    let message = ReceivedMessage(parsing: bytes)
    fuzzCheck(entityCount(message) <= ReceivedMessage.maximumParts + 1, "more entities than the limit: \(entityCount(message))")
    fuzzCheck(depth(message) <= ReceivedMessage.maximumDepth, "nested deeper than the limit: \(depth(message))")

    var bareLF: [UInt8] = []
    for (index, byte) in bytes.enumerated() where !(byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A) {
        bareLF.append(byte)
    }
    let stored = bounceClassifier.classify(bareLF, envelopeRecipient: nil)
    fuzzCheck(stored.class == result.class && stored.token == result.token,
              "LF and CR LF differ: \(stored.class) \(stored.token ?? "-") vs \(result.class) \(result.token ?? "-")")
}

func checkBounceInvariants(_ result: BounceClassification) {
    if result.class == .hard { fuzzCheck(result.evidence == .deliveryStatus, "hard from \(result.evidence)") }
    for recipient in result.recipients where recipient.class == .hard {
        fuzzCheck(result.evidence == .deliveryStatus, "a hard recipient from \(result.evidence)")
    }
    if result.evidence == .textHeuristic {
        fuzzCheck(result.class == .soft && result.recipients.allSatisfy { $0.class == .soft }, "a heuristic gave \(result.class)")
    }
    if [.complaint, .feedback].contains(result.class) { fuzzCheck(result.feedback != nil, "\(result.class) without a report") }
    if result.class == .mailtoUnsubscribe { fuzzCheck(result.token != nil, "an unsubscribe without a token") }
    if let token = result.token {
        fuzzCheck((1...ReturnPathTokens.maximumLength).contains(token.utf8.count), "a token of \(token.utf8.count) bytes")
        fuzzCheck(token.utf8.allSatisfy(ReturnPathTokens.isTokenByte), "a token outside base64url: \(token.debugDescription)")
    }
    for text in [result.diagnostic] + result.recipients.map(\.diagnosticCode) {
        fuzzCheck((text?.count ?? 0) <= BounceClassifier.maximumDiagnosticLength, "a diagnostic of \(text?.count ?? 0) characters")
    }
}

/// Entities in the whole tree, enclosed messages included.
func entityCount(_ message: ReceivedMessage) -> Int {
    1 + message.parts.map(entityCount).reduce(0, +) + (message.enclosedMessage.map(entityCount) ?? 0)
}

func depth(_ message: ReceivedMessage) -> Int {
    ([message.enclosedMessage].compactMap { $0 } + message.parts).map { 1 + depth($0) }.max() ?? 0
}
