@testable import HeraldHTTP
import Herald
import Testing

/// The bound on blocking work: places for the pool's threads and the queue, and a refusal past them that the
/// request's ticket records (for `BusyAnswer`'s 503) without running the work.
struct BlockingAdmissionTests {
    @Test func placesAreTheThreadsAndTheQueue() {
        let admission = BlockingAdmission(queued: 2, threads: 1)
        #expect(admission.capacity == 3)
        #expect(admission.enter() && admission.enter() && admission.enter())
        #expect(!admission.enter(), "a fourth waits nowhere")
        admission.leave()
        #expect(admission.enter(), "a freed place is taken again")
    }

    @Test func pastTheBoundTheWorkIsNotRunAndTheTicketIsMarked() async throws {
        let ticket = AdmissionTicket(admission: BlockingAdmission(queued: 0, threads: 0))
        await #expect(throws: HeraldError.self) {
            try await AdmissionTicket.$current.withValue(ticket) {
                try await blocking { Issue.record("ran past the bound") }
            }
        }
        #expect(ticket.wasRefused)
    }

    @Test func withinTheBoundTheWorkRunsAndItsPlaceIsGivenBack() async throws {
        let admission = BlockingAdmission(queued: 0, threads: 1)
        let ticket = AdmissionTicket(admission: admission)
        let answer = try await AdmissionTicket.$current.withValue(ticket) { try await blocking { 42 } }
        #expect(answer == 42 && !ticket.wasRefused)
        #expect(admission.enter(), "the place was given back")
    }
}
