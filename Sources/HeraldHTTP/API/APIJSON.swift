import Foundation
import Herald
import Hummingbird

/// The admin API's JSON, as `--json` prints it: snake_case keys, ISO 8601 times; errors as `{"error": "…"}`.
enum APIJSON {
    static let limit = 64 * 1024

    static func answer<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? HeraldJSON.encoder().encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        answer(["error": message], status: status)
    }

    /// A failure as its status: bad JSON 400, values that are wrong 422, unknown 404, a state that forbids it
    /// 409; anything else 500 without detail (the database's words are for the log, not the client).
    static func failure(_ error: any Error) -> Response {
        if let error = error as? HeraldError {
            switch error.kind {
            case .usage, .dataError: return self.error(.unprocessableContent, error.message)
            case .underMinimumAge: return self.error(.unprocessableContent, RegistrationRules.operatorRefusal)
            case .notFound: return self.error(.notFound, error.message)
            case .conflict: return self.error(.conflict, error.message)
            case .unavailable: return self.error(.serviceUnavailable, "the service is unavailable; try again later")
            case .software, .configuration: return self.error(.internalServerError, "internal error")
            }
        }
        if let error = error as? any HTTPResponseError { return self.error(error.status, error.status.reasonPhrase.lowercased()) }
        if error is DecodingError { return self.error(.badRequest, "the body is not the JSON this route takes") }
        return self.error(.internalServerError, "internal error")
    }

    /// The request's JSON body as `T` (snake_case keys), at most `limit` bytes.
    static func body<T: Decodable>(_ request: Request, as _: T.Type) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        let decoder = JSONDecoder()
        // A body that holds names of its own as keys (personal fields) spells its keys itself: the strategy
        // would turn `upgrade_code` into `upgradeCode` inside a dictionary too.
        if !(T.self is any SpellsItsOwnKeys.Type) { decoder.keyDecodingStrategy = .convertFromSnakeCase }
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }
}

/// Lets through only requests with one of the admin API's tokens, and tells the routes which one
/// (`AdminCaller.name`); the rest get 401 with a challenge, and nothing runs. With no token at all (none
/// configured, none made with `herald api-tokens`), every path answers 404: there is no admin API.
struct AdminAuthentication<Context: RequestContext>: RouterMiddleware {
    let credential: AdminCredential

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let authorization = request.headers[.authorization]
        let holder: String?
        do {
            holder = try await blocking { [credential] in
                if let name = try credential.holder(authorization: authorization) { return name }
                guard try credential.isOn() else { throw HTTPError(.notFound) }
                return nil
            }
        } catch {
            return APIJSON.failure(error)
        }
        guard let holder else {
            var response = APIJSON.error(.unauthorized, "missing or wrong bearer token")
            response.headers[.wwwAuthenticate] = "Bearer realm=\"herald\""
            return response
        }
        return try await AdminCaller.$name.withValue(holder) { try await next(request, context) }
    }
}

/// The name of the token the admin API request being handled was made with: who the audit log says acted.
enum AdminCaller {
    @TaskLocal static var name: String?

    /// `api:NAME`, the audit log's actor for the current request.
    static var actor: String { "api:" + (name ?? "unknown") }
}

/// A request body decoded with its CodingKeys as written (snake_case spelled out), not converted.
protocol SpellsItsOwnKeys {}
