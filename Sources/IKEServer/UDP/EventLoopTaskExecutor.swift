import NIOCore

/// A task executor (SE-0417) that runs its jobs on a SwiftNIO event loop.
/// ``UDPResponderServer`` hands each datagram's turn to ``ResponderService``
/// with the loop that read it as the turn's executor preference: the turn —
/// public-key work included, and its exchange's actor, a default actor, which
/// runs on the preferred executor — starts without waking a thread of the
/// task pool, and its reply is written from the loop itself instead of being
/// handed back through the loop's wake-up descriptor. The server has one loop
/// (and socket) per core by default, so the turns still spread over every
/// core. An operation that suspends (a timed provider's hold, `Task.sleep`;
/// ncp/0's queue) holds no loop thread meanwhile.
///
/// Every executor switch of a turn (onto its exchange's actor and off it, a
/// task resumed) is a job enqueued here, most of them from the loop's own
/// thread. Those are kept in a queue of the loop's own, which one loop task
/// drains: no closure is allocated per job, and the jobs run in the order
/// they came. Jobs from other threads (a timed hold's wake-up) are handed to
/// the loop one loop task each, as SwiftNIO takes them.
///
/// A loop that has been shut down drops what it is given, and a task waiting
/// on it would never end: the loop must outlive the server's tasks. The
/// `.singleton` group's loops (``UDPResponderServer/start`` takes it by
/// default) never shut down; a caller's own group may be shut down once
/// ``UDPResponderServer/stop()`` has returned, as it waits for the turns begun.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop
    /// The jobs enqueued on the loop's thread and not yet run.
    private let local: NIOLoopBoundBox<LocalJobs>

    init(_ loop: any EventLoop) {
        self.loop = loop
        self.local = NIOLoopBoundBox(LocalJobs(), eventLoop: loop)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        guard loop.inEventLoop else {
            loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
            return
        }
        local.value.waiting.append(job)
        guard !local.value.drainQueued else { return }
        local.value.drainQueued = true
        // From the loop's own thread this only queues the drain: no wake-up.
        loop.execute { self.drain() }
    }

    /// Runs the jobs waiting now, in order. Jobs they enqueue wait for the
    /// next drain, queued behind whatever the loop has queued meanwhile (a
    /// reply batch's flush, the next read): one job cannot hold the loop.
    private func drain() {
        var jobs = local.value.waiting
        local.value.waiting = local.value.spare
        local.value.spare = []
        local.value.drainQueued = false
        let executor = asUnownedTaskExecutor()
        for job in jobs { job.runSynchronously(on: executor) }
        // Both arrays keep their storage: the queue allocates nothing once warm.
        jobs.removeAll(keepingCapacity: true)
        local.value.spare = jobs
    }
}

/// An ``EventLoopTaskExecutor``'s queue of jobs from its loop's own thread.
struct LocalJobs {
    var waiting: [UnownedJob] = []
    /// The array the last drain ran, empty, kept for its storage.
    var spare: [UnownedJob] = []
    /// Whether a drain is queued on the loop.
    var drainQueued = false
}
