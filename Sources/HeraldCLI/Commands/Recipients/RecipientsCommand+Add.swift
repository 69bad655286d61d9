import ArgumentParser
import Herald
import Store

extension RecipientsCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register one person, or add to their registration.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person's email address.") var email: String
        @Option(help: "Their name, as mail greets them.") var name: String?
        @Option(help: ArgumentHelp("Birth date; under 13 is refused and nothing is stored.", valueName: "YYYY-MM-DD")) var birthdate: String?
        @Option(name: .customLong("product"), help: "A product they registered (repeatable).") var products: [String] = []
        @Option(name: .customLong("consent"), help: "A purpose they consent to: product-news or promotions (repeatable).") var consents: [String] = []
        @Option(help: "Where the registration came from.") var source: String = "admin"
        @Option(name: .customLong("first-name"), help: "Their first name, when `--name` does not give it plainly.") var firstName: String?
        @Option(name: .customLong("attribute"), help: ArgumentHelp("A personal field of recipients.attributes (repeatable).", valueName: "NAME=VALUE"))
        var attributes: [String] = []

        func validate() throws {
            do { _ = try purposes() } catch { throw ValidationError(error.message) }
            for attribute in attributes where !attribute.contains("=") {
                throw ValidationError("--attribute '\(attribute)': expected NAME=VALUE, such as country=DE")
            }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let purposes = try purposes()
                let app = try global.openApp()
                var fields: [String: String] = [:]
                for attribute in attributes {
                    let parts = attribute.split(separator: "=", maxSplits: 1).map(String.init)
                    guard app.configuration.attributes.contains(parts[0]), parts[0] != "first_name" else {
                        throw HeraldError(.usage, "--attribute \(parts[0]): not a personal field Herald keeps (recipients.attributes: \(app.configuration.attributes.joined(separator: ", ")))")
                    }
                    fields[parts[0]] = parts.count > 1 ? parts[1] : ""
                }
                let result = try app.consent.register(Registration(
                    email: email, name: name, birthdate: birthdate, products: products, consents: purposes, source: source,
                    firstName: firstName, attributes: fields))
                let granted = purposes.map(\.rawValue).joined(separator: ", ")
                Terminal.say("\(result.created ? "registered" : "updated") recipient \(result.recipient.id!)"
                             + (granted.isEmpty ? " (no consents)" : " (consents: \(granted))"))
            }
        }

        private func purposes() throws(HeraldError) -> [Purpose] {
            var purposes: [Purpose] = []
            for consent in consents { purposes.append(try Purpose.parse(consent)) }
            return purposes
        }
    }
}
