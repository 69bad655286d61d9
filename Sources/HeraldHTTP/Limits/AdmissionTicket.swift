import Synchronization

/// One request's way into the blocking pool: the server's `BlockingAdmission`, and whether it turned this
/// request away. Routes turn any failure of their work into their own page or JSON error; a refusal for load is
/// neither, so it is marked here and `BusyAnswer` makes the one answer for it, whatever the route made.
final class AdmissionTicket: Sendable {
    /// The ticket of the request being answered; nil outside one (then `blocking` admits everything).
    @TaskLocal static var current: AdmissionTicket?

    let admission: BlockingAdmission
    private let refusal = Atomic<Bool>(false)

    init(admission: BlockingAdmission) {
        self.admission = admission
    }

    var wasRefused: Bool { refusal.load(ordering: .relaxed) }

    func markRefused() {
        refusal.store(true, ordering: .relaxed)
    }
}
