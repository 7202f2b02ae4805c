// `import Providers` brings every provider of this package and the platforms
// that assemble them; a program that needs one provider imports its target
// (ProviderOpenSSL, ProviderGMP, …) alone.
@_exported import EmulatedHardware
@_exported import Platforms
@_exported import ProviderGMP
@_exported import ProviderNCP
@_exported import ProviderNiagara2
@_exported import ProviderOpenSSL
@_exported import ProviderPKCS11
@_exported import ProviderSPARCFloat
@_exported import ProviderSodium
