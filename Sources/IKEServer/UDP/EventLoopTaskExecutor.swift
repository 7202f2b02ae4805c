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
/// A loop that has been shut down drops what it is given, and a task waiting
/// on it would never end: the loop must outlive the server's tasks. The
/// `.singleton` group's loops (``UDPResponderServer/start`` takes it by
/// default) never shut down; a caller's own group may be shut down once
/// ``UDPResponderServer/stop()`` has returned, as it waits for the turns begun.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // From the loop's own thread this only queues the job: no wake-up.
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
