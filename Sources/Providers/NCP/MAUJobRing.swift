import ProviderGMP
import EmulatedHardware
/// A MAU's bounded job ring (ncp's 512-entry hypervisor queue): first in,
/// first out, fixed capacity; a full ring refuses the job.
struct MAUJobRing {
    private var slots: [MAUJob?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) {
        slots = Array(repeating: nil, count: max(1, capacity))
    }

    var capacity: Int { slots.count }
    var isEmpty: Bool { count == 0 }
    var isFull: Bool { count == slots.count }

    /// Appends `job`; false when the ring is full.
    mutating func push(_ job: MAUJob) -> Bool {
        guard !isFull else { return false }
        slots[(head + count) % slots.count] = job
        count += 1
        return true
    }

    /// Puts `job` back at the head, to run next; false when the ring is full.
    mutating func pushFront(_ job: MAUJob) -> Bool {
        guard !isFull else { return false }
        head = (head + slots.count - 1) % slots.count
        slots[head] = job
        count += 1
        return true
    }

    mutating func pop() -> MAUJob? {
        guard count > 0 else { return nil }
        let job = slots[head]
        slots[head] = nil
        head = (head + 1) % slots.count
        count -= 1
        return job
    }

    /// Every queued job, oldest first; the ring is left empty.
    mutating func drain() -> [MAUJob] {
        var jobs: [MAUJob] = []
        jobs.reserveCapacity(count)
        while let job = pop() { jobs.append(job) }
        return jobs
    }
}
