import ArgumentParser
import Herald
import Store

extension RecipientsCommand {
    struct Invite: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a person the double opt-in mail; they are registered only once they follow its link.",
            discussion: """
                The only way back for an erased address, or for someone who unsubscribed from everything: nothing is \
                stored about the person until they confirm. The public form's limits on confirmation mails do not apply \
                to an invitation, nor count it; an unconfirmed invitation is deleted 7 days after it was made. The mail \
                goes out with the next worker run, in the share of sending that confirmation mails keep (register.send_share).
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
                let answer = try app.doubleOptIn.invite(Registration(email: email, name: name, products: products,
                                                                     consents: try purposes(), source: "invite"))
                Terminal.say(answer.mailQueued ? "confirmation mail queued; it goes out with the next worker run"
                                               : "no mail queued: the address cannot receive mail")
            }
        }

        private func purposes() throws(HeraldError) -> [Purpose] {
            var purposes: [Purpose] = []
            for consent in consents { purposes.append(try Purpose.parse(consent)) }
            return purposes
        }
    }
}
