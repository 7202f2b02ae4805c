import Charts
import CryptoFramework
import Foundation
import IKEProtocol
import IKEHarness
import ProcessSupport
import Providers
import IKETestKit
import Testing
import TestSupport

/// `--svg` charts: well-formed, rendered by librsvg at their declared size,
/// and drawing the numbers the same run printed as JSON.
@Suite("ikebench charts")
struct ChartDataTests {
    static func svgPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ikebench-chart-\(getpid())-\(name).svg").path
    }

    /// Runs `arguments --json --svg FILE`; the JSON and the parsed chart (checked to render).
    static func runWithChart(_ name: String, _ arguments: [String]) throws -> ([String: Any], SVGInspection) {
        let path = svgPath(name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try IKEBenchBinary.run(arguments + ["--json", "--svg", path])
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        return (json, try checkRenders(svg))
    }

    static func checkRenders(_ svg: String) throws -> SVGInspection {
        let doc = try SVGInspection(svg)
        let root = try #require(doc.root)
        let size = try SVGInspection.renderedSize(svg)
        #expect(root.name == "svg")
        #expect(size.width == Int(root.attributes["width"] ?? "") && size.height == Int(root.attributes["height"] ?? ""))
        return doc
    }

    static func number(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }
    static func values(_ elements: [SVGInspection.Element]) -> [Double] { elements.compactMap { Double($0.attributes["data-value"] ?? "") } }

    /// Equal as numbers: Foundation's JSON writer and reader may move the last
    /// digit of a double (one ulp), so exact equality is asked of the SVG's own
    /// shortest form only up to 1e-12 relative.
    static func same(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * max(abs($0), abs($1)) }
    }

    @Test func compareBarsAreTheJSONMedians() throws {
        let (c, doc) = try Self.runWithChart("compare", ["compare", "--negotiations", "2"])
        func p50(_ side: String, _ kind: String) throws -> Double {
            let run = try #require(c[side] as? [String: Any]), phase1 = try #require(run["phase1"] as? [String: Any])
            return try #require(Self.number((phase1[kind] as? [String: Any])?["p50"]))
        }
        let expected = [try p50("baseline", "host"), try p50("withoutNCP", "host"),
                        try p50("baseline", "modeled"), try p50("withoutNCP", "modeled"),
                        Published2007.withNCPSeconds, Published2007.withoutNCPSeconds]
        #expect(Self.same(Self.values(doc.valued("rect")), expected))
        #expect(doc.valued("text").map(\.text) == expected.map(ValueFormat.seconds.format))
    }

    @Test func runDistributionIsTheJSONPercentiles() throws {
        let (r, doc) = try Self.runWithChart("run", ["run", "--platform", "t2000", "--negotiations", "12"])
        let distribution = try #require(r["distribution"] as? [String: Any])
        for (key, series) in [("host", "host"), ("modeled", "modeled T2000 (T1 1.2 GHz)")] {
            let points = try #require(distribution[key] as? [[String: Any]])
            #expect(points.count > 3)
            let group = doc.elements.firstIndex { $0.name == "g" && $0.attributes["data-series"] == series }
            #expect(group != nil, "series \(series) drawn")
            let json = points.compactMap { Self.number($0["seconds"]) }
            let percentiles = points.compactMap { Self.number($0["percentile"]) }
            let circles = Array(doc.elements[(group ?? 0)...].filter { $0.name == "circle" }.prefix(json.count))
            #expect(Self.same(Self.values(circles), json))
            #expect(Self.same(circles.compactMap { Double($0.attributes["data-x"] ?? "") }, percentiles))
        }
    }

    @Test func speedBarsAreTheJSONRates() throws {
        let (s, doc) = try Self.runWithChart(
            "speed", ["speed", "--seconds", "0.05", "--rsa-bits", "1024", "--group", "2", "--no-ec", "--provider", "openssl", "--provider", "gmp"])
        let rows = try #require(s["results"] as? [[String: Any]])
        #expect(rows.count == 8)
        #expect(Self.same(Self.values(doc.valued("rect")), rows.compactMap { Self.number($0["opsPerSecond"]) }))
        #expect(doc.valued("text").map(\.text) == rows.compactMap { Self.number($0["opsPerSecond"]) }.map(ValueFormat.perSecond.format))
    }

    @Test func calibrateBarsAreTheJSONRows() throws {
        let (t, doc) = try Self.runWithChart("calibrate", ["calibrate", "--rsa-bits", "1024", "--group", "2"])
        let rows = try #require(t["rows"] as? [[String: Any]])
        #expect(!rows.isEmpty)
        let expected = try rows.flatMap { r in
            try ["modeledWithNCPSeconds", "modeledWithoutNCPSeconds", "predictedWithoutNCPSeconds"].map { try #require(Self.number(r[$0])) }
        }
        #expect(Self.same(Self.values(doc.valued("rect")), expected))
        #expect(doc.valued("text").map(\.text) == expected.map(ValueFormat.seconds.format))
        let lines = Self.values(doc.all("line").filter { $0.attributes["class"] == "reference" })
        #expect(lines == [Published2007.withNCPSeconds, Published2007.withoutNCPSeconds])
        for r in rows where r["consistent"] as? Bool == true {
            #expect(doc.all("text").contains { $0.text.hasPrefix("RSA-\(r["rsaBits"]!), group \(r["group"]!), \(r["dhPrivateBits"]!)-bit") })
        }
    }

    /// A policy applied mid-run is recorded with its moment and drawn as an event on the timeline.
    @Test func policyChangeMidRunIsMarked() async throws {
        // t2000: ncp/0 serves the public-key work until it is disabled, then sparcfp does.
        let framework = try CryptoFramework(platform: .t2000, policy: .inMemory(Policy()))
        // The change is made from the run's own trace once its second negotiation
        // has finished, as `cryptoadm disable provider=ncp/0 all` would: it lands
        // mid-run after exactly two ncp/0 signatures however slowly or unevenly the
        // machine runs the test. (A thread that polled ncp/0's counters, with a
        // 60 s fallback, disabled ncp/0 before its first signature when the run's
        // task was starved that long, and after the run when the thread was.)
        let workload = PhaseOneWorkload(suite: IKETestSupport.suite(), rsaBits: 1024, negotiations: 6, trace: true)
        let finished = Locked(0)
        let report = try await PhaseOneRun.run(workload, framework: framework, identities: IKETestSupport.identities) { line in
            guard line.contains(" finished, took "), finished.withLock({ $0 += 1; return $0 }) == 2 else { return }
            var policy = framework.policy
            let mechanisms = framework.provider(named: "ncp/0")!.descriptor.mechanisms.map(\.mechanism)
            _ = policy.disable(provider: "ncp/0", mechanisms: mechanisms + [.random])
            framework.setPolicy(policy)
        }
        let change = try #require(report.policyChanges.first)
        #expect(report.policyChanges.count == 1)
        #expect(change.summary.hasPrefix("ncp/0: "))
        #expect(change.atSeconds >= 0 && change.atSeconds <= report.elapsedSeconds)
        let signers = Dictionary(report.operations.filter { $0.name == "rsa-sign" }.map { ($0.provider, $0.count) },
                                 uniquingKeysWith: +)
        #expect(signers == ["ncp/0": 2, "sparcfp": 4])
        #expect(report.timeline.map(\.negotiations).reduce(0, +) == report.negotiations)

        let doc = try Self.checkRenders(PhaseOneCharts.run(report, command: "test"))
        let event = doc.all("line").filter { $0.attributes["class"] == "event" }
        #expect(event.compactMap { Double($0.attributes["data-x"] ?? "") } == [change.atSeconds])
        #expect(doc.all("text").contains { $0.text.hasSuffix(change.summary) })
        let timeline = doc.elements.firstIndex { $0.name == "g" && $0.attributes["data-series"] == "host mean" }
        let circles = doc.elements[try #require(timeline)...].filter { $0.name == "circle" }.prefix(report.timeline.count)
        #expect(Self.values(Array(circles)) == report.timeline.map(\.hostSecondsMean))
    }
}

/// `ikebench report --html DIR`: one page holding both charts, their tables and commands, nothing fetched.
@Suite("ikebench report")
struct HTMLReportTests {
    @Test func pageIsSelfContained() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ikebench-report-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var report = IKEBenchBinary.command(["report", "--html", dir.path, "--negotiations", "2", "--speed-seconds", "0.05"],
                                            policy: dir.appendingPathComponent("no-such.conf"))
        report.standardOutput = .discard
        report.standardError = .inherit
        #expect(try ChildProcess.run(report, timeout: 600).termination == .exited(0))
        let page = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
        var svgs: [String] = []
        var rest = page[...]
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            svgs.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        #expect(svgs.count == 2)
        for svg in svgs { _ = try ChartDataTests.checkRenders(svg) }
        #expect(page.components(separatedBy: "<table>").count == 3)
        #expect(page.contains("ikebench compare --negotiations 2 --json --svg"))
        #expect(page.contains("ikebench speed --seconds 0.05"))
        // Nothing loaded from elsewhere: no src attributes, no links but the SVG namespace.
        #expect(!page.contains("src="))
        #expect(!page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
        for file in ["compare.json", "compare.svg", "speed.json", "speed.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file)")
        }
    }
}
