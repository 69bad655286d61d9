import Hummingbird

/// Gives each request its `AdmissionTicket` and, when the blocking pool turned the request away, answers
/// 503 with `Retry-After` instead of whatever the route made of the refusal.
struct BusyAnswer<Context: RequestContext>: RouterMiddleware {
    let admission: BlockingAdmission
    /// Seconds a refused client is asked to wait: the queue drains in about that.
    static var retryAfter: Int { 2 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let ticket = AdmissionTicket(admission: admission)
        let response: Response
        do {
            response = try await AdmissionTicket.$current.withValue(ticket) { try await next(request, context) }
        } catch where ticket.wasRefused {
            return Self.busy(request)
        }
        return ticket.wasRefused ? Self.busy(request) : response
    }

    static func busy(_ request: Request) -> Response {
        let message = "The server is busy. Nothing was changed; please try again in a moment."
        var response = request.uri.path.hasPrefix("/api/")
            ? APIJSON.error(.serviceUnavailable, "the server is busy; try again in a moment")
            : Response(status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                       body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }
}
