import ArgumentParser
import Dispatch
import Foundation
import Herald

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Start due campaigns and send their messages; runs until SIGTERM or SIGINT.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Return once nothing is due or retrying soon.") var untilIdle = false
    @Flag(help: "Print the totals as JSON when done.") var json = false

    func run() throws {
        AllocatorTuning.forSending()
        try Terminal.run { () throws(HeraldError) in
            let configuration = try global.loadConfiguration()
            try SecretsCheck.check(configuration, for: .worker)
            let app = try HeraldApp(configuration: configuration)
            DatabaseFileCheck.warn(configuration, label: "herald.worker")
            let worker = try app.worker()
            let signals = StopSignals { worker.requestStop() }
            defer { withExtendedLifetime(signals) {} }
            let totals = try worker.run(untilIdle: untilIdle, progress: { progress in
                Terminal.progress(Terminal.progressLine(progress))
            })
            Terminal.endProgress()
            if json { return Terminal.say(Terminal.json(totals)) }
            Terminal.say("campaigns started \(totals.campaignsStarted), messages queued \(totals.queued)")
            Terminal.say("sent \(totals.sent), deferred \(totals.deferred), bounced \(totals.bounced), skipped \(totals.skipped), failed \(totals.failed)"
                         + " in \(String(format: "%.1f", totals.elapsedSeconds)) s")
        }
    }
}

/// SIGTERM and SIGINT ask the worker to finish the batch in flight and stop; a second signal is not needed.
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ onStop: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "herald.signals")
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: onStop)
            source.resume()
            return source
        }
    }
}
