import ArgumentParser
import Foundation
import Herald
import Store

/// `herald segment`: named, reusable audiences.
struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "Save named audiences and see their sizes.",
        discussion: "Terms: \(Segment.termsHelp).",
        subcommands: [Save.self, List.self, Remove.self])

    /// Sizes under the report's floor are shown as fewer than it: a small exact count can pick people out.
    static let floor = 10

    static func size(_ count: Int) -> String { count < floor ? "fewer than \(floor)" : String(count) }

    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save EXPR under NAME (replacing one of that name).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "lower-case letters, digits, - and _.") var name: String
        @Argument(help: "Terms such as product:kronos,attribute:country=DE.") var expression: String

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let saved = try global.openApp().campaigns.saveSegment(name: name, expression: expression)
                Terminal.say("segment \(saved.segment.name) = \(saved.segment.expression): " + SegmentCommand.sizes(saved))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every saved segment with its sizes now.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Machine-readable output.") var json = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let segments = try global.openApp().campaigns.savedSegments()
                if json { return Terminal.say(Terminal.json(segments.map(Listed.init))) }
                if segments.isEmpty { return Terminal.say("no saved segments; herald segment save NAME EXPR saves one") }
                for saved in segments { Terminal.say("\(saved.segment.name)  \(saved.segment.expression)  " + SegmentCommand.sizes(saved)) }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a saved segment (campaigns that used it keep their audience).")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                try global.openApp().campaigns.removeSegment(name: name)
                Terminal.say("segment \(name) removed")
            }
        }
    }

    static func sizes(_ saved: SegmentSize) -> String {
        "product-news \(size(saved.sizes[.productNews] ?? 0)), promotion \(size(saved.sizes[.promotion] ?? 0))"
    }

    /// As `--json` lists it: a size under the floor is null, with `fewer_than`.
    struct Listed: Encodable {
        struct Size: Encodable {
            var count: Int?
            var fewerThan: Int?

            init(_ count: Int) {
                self.count = count < SegmentCommand.floor ? nil : count
                self.fewerThan = count < SegmentCommand.floor ? SegmentCommand.floor : nil
            }

            private enum CodingKeys: String, CodingKey { case count, fewerThan = "fewer_than" }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(count, forKey: .count)
                try container.encodeIfPresent(fewerThan, forKey: .fewerThan)
            }
        }

        var name: String
        var expression: String
        var savedAt: Date
        var sizes: [String: Size]

        init(_ saved: SegmentSize) {
            name = saved.segment.name
            expression = saved.segment.expression
            savedAt = saved.segment.savedAt
            sizes = Dictionary(uniqueKeysWithValues: saved.sizes.map { ($0.key.rawValue, Size($0.value)) })
        }
    }
}
