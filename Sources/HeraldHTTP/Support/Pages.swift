import Foundation
import Herald
import Hummingbird
import Rendering
import Store

/// Renders the web face's pages (`Templates/pages`) into answers, with what every page shows: the company's
/// name and postal address, from the configuration.
struct Pages: Sendable {
    let catalog: PageCatalog
    let company: String
    let postalAddress: String
    /// Pages rendered once with placeholders for their per-request values, then only filled in: the one-click
    /// answer is rendered for every unsubscribe, and Mustache was a quarter of its cost.
    private let rendered = RenderedPages()

    init(app: HeraldApp) throws(HeraldError) {
        do { catalog = try PageCatalog(templates: app.configuration.templates) } catch {
            throw HeraldError(.configuration, error.description)
        }
        company = app.companyName
        postalAddress = app.configuration.sender.postalAddress
    }

    func page(_ name: String, title: String, status: HTTPResponse.Status = .ok, _ values: [String: Any] = [:]) -> Response {
        let context = self.context(values, title: title)
        let html = catalog.render(name, context: context) ?? "<!DOCTYPE html><title>\(status.code)</title><p>\(status.reasonPhrase)</p>"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// `name` with `values`, where the strings in `filled` differ per request: the page is rendered once per
    /// `values` with placeholders in their place, and each answer only puts the (HTML-escaped) strings in.
    func page(_ name: String, title: String, _ values: [String: Any], filled: [String: String], cacheKey: String) -> Response {
        let keys = filled.keys.sorted()
        let template = rendered.template(for: name + "\u{0}" + cacheKey, slots: keys.count) {
            var context = self.context(values, title: title)
            for (index, key) in keys.enumerated() { context[key] = RenderedPages.placeholder(index) }
            return catalog.render(name, context: context) ?? ""
        }
        let values = keys.map { HTMLEscaping.escape(filled[$0] ?? "") }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: template.filled(with: values)))
    }

    /// What every page shows beside its own values.
    private func context(_ values: [String: Any], title: String) -> [String: Any] {
        var context = values
        context["title"] = title
        context["company"] = company
        context["postal_address"] = postalAddress
        return context
    }

    /// A failure as a plain page: what went wrong for the person, never a stack or a database message.
    func failure(_ error: any Error) -> Response {
        guard let error = error as? HeraldError else {
            return page("message", title: "Something went wrong", status: .internalServerError,
                        ["message": "Something went wrong on our side. Nothing was changed; please try again later."])
        }
        switch error.kind {
        case .dataError, .usage:
            return page("message", title: "This link is not valid", status: .badRequest,
                        ["message": "This link is not valid. Nothing was changed. Please use the link in the most recent mail from us."])
        case .notFound:
            return page("message", title: "This link is no longer valid", status: .notFound,
                        ["message": "This link has expired, or nothing is stored for it any more. Nothing was changed."])
        default:
            return page("message", title: "Something went wrong", status: .internalServerError,
                        ["message": "Something went wrong on our side. Nothing was changed; please try again later."])
        }
    }

    /// `events and promotions` → `Events and promotions`.
    static func sentence(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }
}

extension Pages {
    /// Runs a service call on the blocking pool and makes its answer; any failure becomes its plain page.
    func answer(_ work: @escaping @Sendable () throws -> Response) async -> Response {
        do { return try await blocking(work) } catch { return failure(error) }
    }

    /// A form answered by a refusal page instead.
    struct Refusal: Error {
        var response: Response
    }

    /// A token page's form, read and checked: it must carry the CSRF value the page was issued for that token
    /// (`FormGuard`), or it is refused with 403 and changes nothing.
    func guardedForm(_ request: Request, token: String, app: HeraldApp) async -> Result<FormBody, Refusal> {
        let form: FormBody
        do { form = try await FormBody.read(request) } catch { return .failure(Refusal(response: formProblem(error))) }
        guard let csrf = form.first("csrf"), app.formGuard.accepts(csrf, for: token, now: app.clock()) else {
            return .failure(Refusal(response: page("message", title: "Please try again", status: .forbidden, [
                "message": "This form has expired or did not come from our page. Nothing was changed; please open the link again.",
            ])))
        }
        return .success(form)
    }

    /// A body that could not be read as a form.
    func formProblem(_ error: any Error) -> Response {
        if let error = error as? any HTTPResponseError, error.status == .contentTooLarge {
            return page("message", title: "Nothing was changed", status: .contentTooLarge, ["message": "The request was too large. Nothing was changed."])
        }
        if case FormBody.Problem.unsupportedType? = error as? FormBody.Problem {
            return page("message", title: "Nothing was changed", status: .unsupportedMediaType,
                        ["message": "The request was not a form (application/x-www-form-urlencoded or multipart/form-data). Nothing was changed."])
        }
        return page("message", title: "Nothing was changed", status: .badRequest, ["message": "The form could not be read. Nothing was changed."])
    }
}

extension Response {
    /// The same answer for HEAD: status and headers, no body.
    func withoutBody() -> Response {
        var headers = self.headers
        headers[.contentLength] = nil
        return Response(status: status, headers: headers, body: .init())
    }
}

/// The rendered-once pages of `Pages.page(_:title:_:filled:cacheKey:)`; a handful of entries (one per page and
/// purpose), filled on first use.
final class RenderedPages: @unchecked Sendable {
    /// A page cut at its placeholders: filling it writes the pieces and the values straight into the answer's
    /// buffer (Foundation's `replacingOccurrences` over the whole page was a sixth of a one-click request).
    struct Template {
        /// The page's bytes between placeholders; one more than `slots`.
        var pieces: [[UInt8]]
        /// Which value goes after each piece but the last.
        var slots: [Int]

        init(page: String, slots count: Int) {
            var pieces: [[UInt8]] = []
            var slots: [Int] = []
            var rest = Substring(page)
            while let (index, range) = (0..<count).compactMap({ index in rest.range(of: RenderedPages.placeholder(index)).map { (index, $0) } })
                .min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
                pieces.append(Array(rest[..<range.lowerBound].utf8))
                slots.append(index)
                rest = rest[range.upperBound...]
            }
            pieces.append(Array(rest.utf8))
            self.pieces = pieces
            self.slots = slots
        }

        /// `values` (already escaped) in their places.
        func filled(with values: [String]) -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(pieces.reduce(0) { $0 + $1.count } + slots.reduce(0) { $0 + values[$1].utf8.count })
            for (piece, slot) in zip(pieces, slots) {
                buffer.writeBytes(piece)
                buffer.writeString(values[slot])
            }
            buffer.writeBytes(pieces[pieces.count - 1])
            return buffer
        }
    }

    private let lock = NSLock()
    private var templates: [String: Template] = [:]

    /// Letters and digits only, so Mustache's escaping leaves it as it is, and no page text contains it.
    static func placeholder(_ index: Int) -> String { "HeraldPlaceholder\(index)x7Qz" }

    func template(for key: String, slots: Int, render: () -> String) -> Template {
        lock.lock()
        defer { lock.unlock() }
        if let known = templates[key] { return known }
        let made = Template(page: render(), slots: slots)
        templates[key] = made
        return made
    }
}
