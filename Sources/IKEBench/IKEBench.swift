import ArgumentParser

@main
struct IKEBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ikebench",
        abstract: "Times public-key work through CryptoFramework's providers.",
        discussion: """
            `ikebench speed` measures, like `openssl speed`, how many operations per second \
            each provider serves through the framework, per mechanism, key size and operation, \
            and with --vs-openssl runs `openssl speed` in the same run and prints the ratio.
            """,
        subcommands: [SpeedCommand.self],
        defaultSubcommand: SpeedCommand.self)
}
