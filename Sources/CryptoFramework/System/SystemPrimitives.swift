// The package's clock and lock live below the framework, so that the process
// layer (ProcessSupport) shares them without depending on the framework; every
// `import CryptoFramework` still sees `MonotonicClock` and `Locked`.
@_exported import SystemPrimitives
