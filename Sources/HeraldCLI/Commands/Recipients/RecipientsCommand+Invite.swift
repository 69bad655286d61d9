import ArgumentParser
import Herald
import Store

extension RecipientsCommand {
    struct Invite: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a person the double opt-in mail; they are registered only once they follow its link.",
            discussion: """
                The only way back for an erased address, or for someone who unsubscribed from everything: nothing is \
                granted until the person confirms. At most one mail per address per hour; an unconfirmed invitation is \
                deleted after 7 days. The mail goes out with the next worker run, ahead of campaign traffic.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person's email address.") var email: String
        @Option(help: "Their name, as mail greets them.") var name: String?
        @Option(name: .customLong("consent"), help: "A purpose to ask them for: product-news or promotions (repeatable).") var consents: [String] = []
        @Option(name: .customLong("product"), help: "A product they registered (repeatable).") var products: [String] = []

        func validate() throws {
            do { _ = try purposes() } catch { throw ValidationError(error.message) }
            guard !consents.isEmpty else { throw ValidationError("name at least one --consent to ask for") }
        }

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let app = try global.openApp()
                let queued = try app.doubleOptIn.request(Registration(email: email, name: name, products: products,
                                                                      consents: try purposes(), source: "invite"))
                Terminal.say(queued ? "confirmation mail queued; it goes out with the next worker run"
                                    : "no mail queued: one went out less than an hour ago, or the address cannot receive mail")
            }
        }

        private func purposes() throws(HeraldError) -> [Purpose] {
            var purposes: [Purpose] = []
            for consent in consents { purposes.append(try Purpose.parse(consent)) }
            return purposes
        }
    }
}
