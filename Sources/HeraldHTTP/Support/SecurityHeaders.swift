import Hummingbird

/// Headers every answer carries. Tokens travel in paths, so no page may leak its URL (Referrer-Policy), be
/// cached (Cache-Control) or framed; the pages need nothing but their own stylesheet and forms.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            // Hummingbird's own refusals (413 past the body limit, 404 for no route…) as plain text, with the headers too.
            response = Response(status: error.status, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "\(error.status.code) \(error.status.reasonPhrase)\n")))
        }
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        // A route that set its own policy keeps it (the console's sandboxed template preview); every other
        // answer gets the strict one.
        if response.headers[.contentSecurityPolicy] == nil { response.headers[.contentSecurityPolicy] = Self.policy }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        if response.headers[.init("X-Frame-Options")!] == nil { response.headers[.init("X-Frame-Options")!] = "DENY" }
        return response
    }
}

