import Foundation

/// The admin API's named tokens (hashes only).
///
/// Invariants, whatever the backend: one token per name and per hash; removing a token makes its hash unknown
/// at once.
public protocol ApiTokenStore: Sendable {
    /// Adds the token; nil when one with that name exists.
    func addApiToken(_ token: ApiToken) throws(StorageError) -> ApiToken?
    /// False when there was none by that name.
    func removeApiToken(name: String) throws(StorageError) -> Bool
    /// By name.
    func apiTokens() throws(StorageError) -> [ApiToken]
    func apiToken(tokenHash: Data) throws(StorageError) -> ApiToken?
    /// Notes that the token was used at `now`.
    func markApiTokenUsed(id: Int64, at now: Date) throws(StorageError)
}
