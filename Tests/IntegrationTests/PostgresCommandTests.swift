import Foundation
import TestDatabases
import Testing

/// `database: postgres://…` from the command line: `herald init` creates and migrates the schema and names the
/// server without its password; a wrong password or an unreachable server is one line and exit 69.
@Suite(.serialized)
struct PostgresCommandTests {
    @Test func initNamesTheServerAndNeverThePassword() throws {
        let cluster = PostgresCluster.shared
        let database = try cluster.freshDatabaseName()
        // The password in the URL itself, the way an operator might paste it.
        let url = cluster.url(database: database).replacingOccurrences(of: "herald@", with: "herald:\(cluster.password)@")
        let sandbox = try Sandbox(postgres: url, environment: [:])
        defer { sandbox.remove() }
        try sandbox.writeConfiguration()
        let first = try sandbox.herald(["init"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("database postgres://herald@127.0.0.1:\(cluster.port)/\(database) is ready (schema: 12-policy-text, 12 migrations)"), "\(first.stdout)")
        #expect(!(first.stdout + first.stderr).contains(cluster.password))
        #expect(try sandbox.herald(["init"]).status == 0, "safe to run again")

        let wrong = try Sandbox(postgres: cluster.url(database: database), environment: ["HERALD_DATABASE_PASSWORD": "not-the-password-42"])
        defer { wrong.remove() }
        try wrong.writeConfiguration()
        let refused = try wrong.herald(["init"])
        #expect(refused.status == 69, "\(refused.stderr)")
        #expect(refused.stderr.contains("herald@127.0.0.1:\(cluster.port)/\(database)") && refused.stderr.contains("password authentication failed"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("not-the-password-42") && refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    }
}
