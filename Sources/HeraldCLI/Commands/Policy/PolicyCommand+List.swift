import ArgumentParser
import Foundation
import Herald
import Mail

extension PolicyCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every published policy version, oldest first; the last is the one in force.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the versions as JSON.") var json = false

        func run() throws {
            try Terminal.run { () throws(HeraldError) in
                let versions = try global.openApp().policy.history()
                if json {
                    Terminal.say(Terminal.json(versions))
                    return
                }
                if versions.isEmpty { Terminal.say("no policy version is published") }
                for version in versions {
                    let purpose = version.addsPurpose.map { ", adds \($0)" } ?? ""
                    Terminal.say("\(version.version)  published \(CivilDate(version.publishedAt))  effective \(CivilDate(version.effectiveAt))"
                        + "\(version.material ? "  material" : "")\(purpose)")
                }
            }
        }
    }
}
