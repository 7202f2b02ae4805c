import ArgumentParser

@main
struct IKEBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ikebench",
        abstract: "Times IKE Phase I and public-key work through CryptoFramework's providers.",
        discussion: """
            `ikebench run` (the default) times IKEv1 Main Mode with RSA signatures on the \
            responder, in host time and, on t2000, in modeled T1 time; `ikebench compare` runs \
            it with ncp/0 as the policy has it and with ncp/0 disabled, next to the 2007 figures; \
            `ikebench calibrate` solves the sparcfp FP penalty for a measured Phase I time.
            `ikebench capacity` loads a responder with 1 to 256 concurrent initiators in virtual time \
            over the modeled per-operation costs and queues (strands, FPU, MAUs) and prints IKE SAs \
            per second and setup time per load, with and without ncp/0.
            `ikebench speed` measures, like `openssl speed`, how many operations per second \
            each provider serves through the framework, per mechanism, key size and operation, \
            and with --vs-openssl runs `openssl speed` in the same run and prints the ratio.
            `run`, `compare`, `calibrate` and `speed` take --svg FILE to write their results as a chart; \
            `ikebench report --html DIR` runs a short compare and speed and writes one HTML page of both.
            """,
        subcommands: [RunCommand.self, ServeCommand.self, LoadCommand.self, CompareCommand.self, CalibrateCommand.self, CapacityCommand.self, SpeedCommand.self, ReportCommand.self, RetellCommand.self],
        defaultSubcommand: RunCommand.self)
}
