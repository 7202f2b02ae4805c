// Placeholder so SwiftPM accepts the CryptoFrameworkTests target declared in
// Package.swift until the core's own tests land; remove it then.
