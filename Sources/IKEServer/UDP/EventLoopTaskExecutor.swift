import NIOCore

/// A task executor (SE-0417) that runs its jobs on a SwiftNIO event loop.
/// ``ResponderService`` runs the turns that do no public-key work (IKEv1
/// message 1, informationals of either version) on the loop that received the
/// datagram: the turn then starts without waking a thread of the task pool,
/// and its reply is written from the loop itself instead of being handed back
/// to it through the loop's wake-up descriptor. The turns with public-key work
/// stay on the task pool, so they still spread over every core.
///
/// A loop that has been shut down drops what it is given, and a task waiting
/// on it would never end: the loop must outlive the server's tasks, as the
/// `.singleton` group's loops do (``UDPResponderServer/start`` takes it by
/// default; a caller's own group must not be shut down before the server stops).
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // From the loop's own thread this only queues the job: no wake-up.
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
