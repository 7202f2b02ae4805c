import Charts
import Foundation
import IKEProtocol
import IKEHarness

/// The report page: compare and speed, each with its chart inline, its table
/// and its command; no external resource (styles inline, SVG inline).
struct HTMLReport {
    let compare: ReportStep
    let speed: ReportStep
    let date: Date

    /// The parts of `ikebench compare --json` the page shows.
    struct CompareJSON: Decodable {
        struct Latency: Decodable { let p50: Double; let p90: Double; let p99: Double; let mean: Double }
        struct Phase1: Decodable { let host: Latency; let modeled: Latency? }
        struct Run: Decodable {
            let platform: String; let rsaBits: Int; let group: Int; let prf: String; let cipher: String
            let negotiations: Int; let phase1: Phase1
        }
        struct Ratio: Decodable { let host: Double; let modeled: Double? }
        let baseline: Run
        let withoutNCP: Run
        let ratio: Ratio
    }

    static func escape(_ s: String) -> String { SVGCanvas.escape(s) }

    /// An SVG document as an element of the page (without its XML declaration).
    static func inline(_ svg: String) -> String {
        guard svg.hasPrefix("<?xml"), let end = svg.range(of: "?>") else { return svg }
        return String(svg[end.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func table(_ head: [String], _ rows: [[String]], numericFrom: Int) -> String {
        func cells(_ row: [String], _ tag: String) -> String {
            row.enumerated().map { i, c in "<\(tag)\(i >= numericFrom ? " class=\"num\"" : "")>\(escape(c))</\(tag)>" }.joined()
        }
        return "<table><thead><tr>\(cells(head, "th"))</tr></thead><tbody>\n"
            + rows.map { "<tr>\(cells($0, "td"))</tr>" }.joined(separator: "\n") + "\n</tbody></table>"
    }

    func compareTable() throws -> String {
        let c = try JSONDecoder().decode(CompareJSON.self, from: compare.json)
        let t = ValueFormat.seconds.format
        var rows: [[String]] = [
            ["host p50", t(c.baseline.phase1.host.p50), t(c.withoutNCP.phase1.host.p50), String(format: "%.1f×", c.ratio.host)],
            ["host p99", t(c.baseline.phase1.host.p99), t(c.withoutNCP.phase1.host.p99), ""],
        ]
        if let a = c.baseline.phase1.modeled, let b = c.withoutNCP.phase1.modeled {
            rows.append(["modeled T2000 p50", t(a.p50), t(b.p50), c.ratio.modeled.map { String(format: "%.1f×", $0) } ?? ""])
            rows.append(["modeled T2000 p99", t(a.p99), t(b.p99), ""])
        }
        rows.append(["published 2007 T2000", t(Published2007.withNCPSeconds), t(Published2007.withoutNCPSeconds),
                     String(format: "%.1f×", Published2007.withoutNCPSeconds / Published2007.withNCPSeconds)])
        let b = c.baseline
        return "<p>Platform \(Self.escape(b.platform)), RSA-\(b.rsaBits), group \(b.group), \(Self.escape(b.cipher))/\(Self.escape(b.prf)), "
            + "\(b.negotiations) negotiations a side.</p>\n"
            + Self.table(["Phase I", "policy as it is", "ncp/0 disabled", "ratio"], rows, numericFrom: 1)
    }

    func speedTable() throws -> String {
        let s = try JSONDecoder().decode(SpeedReport.self, from: speed.json)
        let rows = s.results.map { r in
            [r.provider, r.mechanism, r.operation, String(r.bits), ValueFormat.perSecond.format(r.opsPerSecond),
             r.modeledLatencySeconds.map(ValueFormat.seconds.format) ?? "–",
             r.referenceOpsPerSecond.map(ValueFormat.perSecond.format) ?? "–", r.ratio.map { String(format: "%.2f", $0) } ?? "–"]
        }
        let dispatch = s.dispatchOverheadNanoseconds.map { String(format: "<p>Registry dispatch (select + policy + counters): %.0f ns per operation.</p>\n", $0) } ?? ""
        return Self.table(["provider", "mechanism", "operation", "bits", "ops/s", "modeled T1 latency", "openssl speed", "ratio"],
                          rows, numericFrom: 3) + "\n" + dispatch
    }

    func section(_ title: String, _ step: ReportStep, intro: String, table: String) -> String {
        """
        <section>
        <h2>\(Self.escape(title))</h2>
        <p>\(Self.escape(intro))</p>
        <figure>\(Self.inline(step.svg))</figure>
        \(table)
        <p class="cmd">Made by: <code>\(Self.escape(step.command))</code></p>
        </section>
        """
    }

    func page() throws -> String {
        var system = utsname()
        uname(&system)
        let machine = withUnsafeBytes(of: system.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let node = withUnsafeBytes(of: system.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let stamp = ISO8601DateFormatter().string(from: date)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>CryptoFramework: IKE Phase I and provider speed</title>
            <style>
            body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1b1b1f;background:#fafafa}
            h1{font-size:1.5em} h2{font-size:1.2em;margin-top:2em}
            figure{margin:1em 0} figure svg{max-width:100%;height:auto;border:1px solid #ddd}
            table{border-collapse:collapse;font-size:.9em;margin:1em 0} th,td{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:left}
            .num{text-align:right;font-variant-numeric:tabular-nums}
            code,pre{font-family:'DejaVu Sans Mono',monospace;font-size:.85em;background:#eef0f3;padding:.1em .3em}
            pre{padding:.6em;overflow-x:auto}
            @media (prefers-color-scheme: dark){body{color:#e6e6ea;background:#101114} th,td{border-color:#34363d}
            code,pre{background:#1f2127} figure svg{border-color:#34363d}}
            </style>
            </head>
            <body>
            <h1>CryptoFramework: IKE Phase I and provider speed</h1>
            <p>Made \(Self.escape(stamp)) on \(Self.escape(node)) \(Self.escape(machine)) by <code>ikebench report</code>. \
            Short runs: the figures show the shape, not final numbers (docs/performance.md).</p>
            \(section("IKE Phase I with and without ncp/0", compare,
                      intro: "The 2007 experiment: the same Main Mode responder with the policy as it is, then with every ncp/0 mechanism disabled (in memory), next to the published Sun Fire T2000 figures.",
                      table: try compareTable()))
            \(section("Operations per second per provider", speed,
                      intro: "Each bar is timed through the framework pinned to one provider; with --vs-openssl the `openssl speed` figure of the same run is drawn beside.",
                      table: try speedTable()))
            <section>
            <h2>Commands</h2>
            <pre>\(Self.escape(compare.command))
            \(Self.escape(speed.command))</pre>
            <p>Their JSON and SVG files are in this directory (compare.json, compare.svg, speed.json, speed.svg).</p>
            </section>
            </body>
            </html>

            """
    }
}
