import CryptoFramework

/// What a closed-loop load of `clients` initiators gets from a responder:
/// established IKE SAs per second (clients ÷ mean setup time, Little's law)
/// and setup-time percentiles.
public struct CapacityMeasurement: Sendable, Hashable {
    public let saPerSecond: Double
    public let p50Seconds: Double
    public let p99Seconds: Double
    /// Negotiations the figures are made of (after the warm-up).
    public let negotiations: Int

    public init(saPerSecond: Double, p50Seconds: Double, p99Seconds: Double, negotiations: Int) {
        self.saPerSecond = saPerSecond
        self.p50Seconds = p50Seconds
        self.p99Seconds = p99Seconds
        self.negotiations = negotiations
    }
}

/// A discrete-event simulation, in virtual time, of `clients` initiators
/// each starting a new negotiation the moment its last one is established,
/// against a responder whose negotiations are ``NegotiationProgram``s on the
/// ``SharedResources`` of its platform (docs/DESIGN.md "Capacity"):
///
/// - **Strands** are a resource: a client's compute step needs one, on the
///   core it last ran on if that core has a free strand (affinity), else on
///   the core with the most free strands (the dispatcher spreads load over
///   cores; client i starts on core i mod cores); when every strand is busy
///   clients wait in one FIFO queue.
///   A client that has used a quantum of strand time while others wait goes
///   to the back of that queue (time slicing).
/// - **FPUs**: within a compute step, FP work and strand-only work
///   interleave in proportion, slice by slice; the FP part of a slice waits
///   in the FIFO queue of the FPU serving its core, the strand still held
///   (a strand stalls on its FPU: the T1's one FPU shared by 32 strands, the
///   T2's one per core).
/// - **Crypto and stream units**: a job waits in the FIFO queue of the unit
///   serving the core its thread last ran on (each MAU serves the strands of
///   its core, illumos ncp_md.c's MAU-to-CPU map), its strand released.
///
/// Deterministic: the same inputs and `seed` give the same figures (the seed
/// picks which profiled negotiation each new one repeats; ties between events
/// go to the one scheduled first).
public struct CapacitySimulation: Sendable {
    public var resources: SharedResources
    public var programs: [NegotiationProgram]
    public var clients: Int
    public var seed: UInt64
    /// Strand time after which a client yields its strand to a waiting one.
    /// 20 ms: the shortest quantum of Solaris' time-sharing class (ts_dptbl(5),
    /// priority 59; the longest is 200 ms at priority 0). Also how finely FP and
    /// strand-only work interleave within a step.
    public var quantumSeconds: Double
    /// Negotiations completed before measuring starts (the start-up transient).
    public var warmupNegotiations: Int
    /// Negotiations measured.
    public var measuredNegotiations: Int

    public static let defaultQuantumSeconds = 0.020

    public init(resources: SharedResources, programs: [NegotiationProgram], clients: Int, seed: UInt64 = 1,
                quantumSeconds: Double = CapacitySimulation.defaultQuantumSeconds,
                warmupNegotiations: Int? = nil, measuredNegotiations: Int? = nil) {
        self.resources = resources
        self.programs = programs
        self.clients = max(1, clients)
        self.seed = seed
        self.quantumSeconds = quantumSeconds
        self.warmupNegotiations = warmupNegotiations ?? 2 * max(1, clients)
        self.measuredNegotiations = measuredNegotiations ?? max(400, 8 * max(1, clients))
    }

    public func run() -> CapacityMeasurement {
        precondition(!programs.isEmpty, "a capacity simulation needs at least one negotiation program")
        var engine = SimulationEngine(self)
        return engine.run()
    }
}

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private struct SimulationEngine {
    enum Event {
        case strandWorkDone(client: Int)
        case fpuDone(client: Int, unit: Int)
        case unitDone(client: Int, unit: Int)
        case delayDone(client: Int)
    }
    struct Scheduled {
        let time: Double
        let sequence: Int
        let event: Event
        func before(_ o: Scheduled) -> Bool { time < o.time || (time == o.time && sequence < o.sequence) }
    }
    struct Client {
        var program = 0
        var step = 0
        var strandLeft = 0.0
        var fpLeft = 0.0
        var sliceFP = 0.0
        var core: Int? = nil
        var lastCore = 0
        var started = 0.0
    }
    /// A FIFO queue of one unit (an FPU, a MAU, a stream unit).
    struct UnitQueue {
        var busy = false
        var waiting: [(client: Int, seconds: Double)] = []
        var head = 0
        mutating func pop() -> (client: Int, seconds: Double)? {
            guard head < waiting.count else { return nil }
            defer {
                head += 1
                if head > 1024 && head * 2 > waiting.count { waiting.removeFirst(head); head = 0 }
            }
            return waiting[head]
        }
    }

    let s: CapacitySimulation
    var now = 0.0
    var heap: [Scheduled] = []
    var sequence = 0
    var rng: SplitMix64
    var clients: [Client]
    var freeStrands: [Int]
    var strandWaiters: [Int] = []
    var strandHead = 0
    /// Units by kind: the index of a kind's first queue in `queues`.
    var firstQueue: [SharedResources.Kind: Int] = [:]
    var queues: [UnitQueue] = []
    var completed = 0
    var setupTimes: [Double] = []
    var finished = false

    init(_ s: CapacitySimulation) {
        self.s = s
        rng = SplitMix64(state: s.seed)
        clients = (0..<s.clients).map { i in var c = Client(); c.lastCore = i % s.resources.cores; return c }
        freeStrands = Array(repeating: s.resources.strandsPerCore, count: s.resources.cores)
        for units in s.resources.units {
            firstQueue[units.kind] = queues.count
            queues += Array(repeating: UnitQueue(), count: units.count)
        }
        setupTimes.reserveCapacity(s.measuredNegotiations)
    }

    mutating func run() -> CapacityMeasurement {
        for c in clients.indices { startNegotiation(c) }
        while !finished, let next = popEvent() {
            now = next.time
            handle(next.event)
        }
        let sorted = setupTimes.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }
        // Little's law for a closed loop with no think time: every client is
        // always in a negotiation, so N = rate × mean setup time. Unlike
        // completions ÷ window it does not depend on where the window cuts the
        // bursts in which clients sharing one queue complete.
        let mean = setupTimes.isEmpty ? 0 : setupTimes.reduce(0, +) / Double(setupTimes.count)
        return CapacityMeasurement(
            saPerSecond: mean > 0 ? Double(s.clients) / mean : 0,
            p50Seconds: percentile(50), p99Seconds: percentile(99), negotiations: setupTimes.count)
    }

    // MARK: Event heap

    mutating func schedule(_ event: Event, after seconds: Double) {
        let item = Scheduled(time: now + max(0, seconds), sequence: sequence, event: event)
        sequence += 1
        heap.append(item)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].before(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popEvent() -> Scheduled? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count, heap[l].before(heap[m]) { m = l }
                if r < heap.count, heap[r].before(heap[m]) { m = r }
                guard m != i else { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return first
    }

    mutating func handle(_ event: Event) {
        switch event {
        case .strandWorkDone(let c):
            let fp = clients[c].sliceFP
            if fp > 0, let core = clients[c].core, let u = queueIndex(.floatingPoint, core: core) {
                enqueue(queue: u, client: c, seconds: fp) { .fpuDone(client: $0, unit: u) }
            } else {
                sliceDone(c)
            }
        case .fpuDone(let c, let u):
            advance(queue: u) { .fpuDone(client: $0, unit: u) }
            sliceDone(c)
        case .unitDone(let c, let u):
            advance(queue: u) { .unitDone(client: $0, unit: u) }
            clients[c].step += 1
            beginStep(c)
        case .delayDone(let c):
            clients[c].step += 1
            beginStep(c)
        }
    }

    // MARK: Negotiations and steps

    mutating func startNegotiation(_ c: Int) {
        clients[c].program = Int(rng.next() % UInt64(s.programs.count))
        clients[c].step = 0
        clients[c].started = now
        beginStep(c)
    }

    mutating func finishNegotiation(_ c: Int) {
        completed += 1
        if completed > s.warmupNegotiations {
            setupTimes.append(now - clients[c].started)
            if setupTimes.count >= s.measuredNegotiations { finished = true }
        }
    }

    mutating func beginStep(_ c: Int) {
        let steps = s.programs[clients[c].program].steps
        guard clients[c].step < steps.count else {
            if clients[c].core != nil { releaseStrand(c) }
            finishNegotiation(c)
            if !finished { startNegotiation(c) }
            return
        }
        switch steps[clients[c].step] {
        case .compute(let strand, let fp):
            clients[c].strandLeft = strand
            clients[c].fpLeft = fp
            if clients[c].core != nil { runSlice(c) } else { requestStrand(c) }
        case .unit(let kind, let seconds):
            if clients[c].core != nil { releaseStrand(c) }
            guard let u = queueIndex(kind, core: clients[c].lastCore) else {
                // No such unit here: the work runs on the strand.
                clients[c].strandLeft = seconds
                clients[c].fpLeft = 0
                requestStrand(c)
                return
            }
            enqueue(queue: u, client: c, seconds: seconds) { .unitDone(client: $0, unit: u) }
        case .delay(let seconds):
            if clients[c].core != nil { releaseStrand(c) }
            schedule(.delayDone(client: c), after: seconds)
        }
    }

    // MARK: Strands

    mutating func requestStrand(_ c: Int) {
        // Affinity first (the dispatcher reruns a thread where it last ran while that CPU is free), else the emptiest core.
        let last = clients[c].lastCore
        if freeStrands[last] > 0 {
            freeStrands[last] -= 1
            take(strand: last, client: c)
            return
        }
        var best = -1
        for core in freeStrands.indices where freeStrands[core] > 0 && (best < 0 || freeStrands[core] > freeStrands[best]) {
            best = core
        }
        guard best >= 0 else {
            strandWaiters.append(c)
            return
        }
        freeStrands[best] -= 1
        take(strand: best, client: c)
    }

    mutating func take(strand core: Int, client c: Int) {
        clients[c].core = core
        clients[c].lastCore = core
        runSlice(c)
    }

    mutating func releaseStrand(_ c: Int) {
        guard let core = clients[c].core else { return }
        clients[c].core = nil
        if strandHead < strandWaiters.count {
            let next = strandWaiters[strandHead]
            strandHead += 1
            if strandHead > 1024 && strandHead * 2 > strandWaiters.count {
                strandWaiters.removeFirst(strandHead)
                strandHead = 0
            }
            take(strand: core, client: next)
        } else {
            freeStrands[core] += 1
        }
    }

    /// One slice of the current compute step: its strand-only part, then its FP part.
    mutating func runSlice(_ c: Int) {
        let total = clients[c].strandLeft + clients[c].fpLeft
        guard total > 0 else {
            stepDone(c)
            return
        }
        let slice = total <= s.quantumSeconds * 1.000001 ? total : s.quantumSeconds
        let strandPart = slice == total ? clients[c].strandLeft : slice * clients[c].strandLeft / total
        let fpPart = slice == total ? clients[c].fpLeft : slice - strandPart
        clients[c].strandLeft -= strandPart
        clients[c].fpLeft -= fpPart
        if slice == total {
            clients[c].strandLeft = 0
            clients[c].fpLeft = 0
        }
        clients[c].sliceFP = fpPart
        schedule(.strandWorkDone(client: c), after: strandPart)
    }

    mutating func sliceDone(_ c: Int) {
        if clients[c].strandLeft + clients[c].fpLeft <= 0 {
            stepDone(c)
        } else if strandHead < strandWaiters.count {
            releaseStrand(c)  // its quantum is up and others wait: to the back of the queue
            requestStrand(c)
        } else {
            runSlice(c)
        }
    }

    mutating func stepDone(_ c: Int) {
        clients[c].step += 1
        beginStep(c)
    }

    // MARK: Unit queues

    func queueIndex(_ kind: SharedResources.Kind, core: Int) -> Int? {
        guard let first = firstQueue[kind], let unit = s.resources.unit(kind, servingCore: core) else { return nil }
        return first + unit
    }

    mutating func enqueue(queue u: Int, client c: Int, seconds: Double, done: (Int) -> Event) {
        if queues[u].busy {
            queues[u].waiting.append((c, seconds))
        } else {
            queues[u].busy = true
            schedule(done(c), after: seconds)
        }
    }

    /// The unit finished a job: start the next waiting one, or go idle.
    mutating func advance(queue u: Int, done: (Int) -> Event) {
        if let next = queues[u].pop() {
            schedule(done(next.client), after: next.seconds)
        } else {
            queues[u].busy = false
        }
    }
}
