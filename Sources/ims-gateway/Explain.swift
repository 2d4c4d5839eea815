import ArgumentParser
import Dialects
import GatewayHTTP

/// What the gateway would do with one request, without a server (see `Explainer`).
struct Explain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which route a request matches, the canonical command it becomes and (--run) the answer.")

    @OptionGroup var options: ConfigOptions
    @Argument(help: "HTTP method, e.g. GET.") var method: String
    @Argument(help: "Path with query, e.g. '/api/compute_resources/1/images?search=name%20%3D%20x'.") var path: String
    @Option(help: "Request body (JSON or form fields).") var body: String?
    @Option(name: .customLong("header"), help: "A header as 'Name: value' (repeatable).") var headers: [String] = []
    @Flag(help: "Run the command against the configured backend and print the dialect's answer (changes the store).")
    var run = false

    func run() async throws {
        var pairs: [(String, String)] = []
        for header in headers {
            let pair = header.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { throw ValidationError("bad header '\(header)': use 'Name: value'") }
            pairs.append((String(pair[0]).trimmingCharacters(in: .whitespaces), String(pair[1]).trimmingCharacters(in: .whitespaces)))
        }
        let outcome = try await Explainer(config: try options.load(), dialects: Dialects.all)
            .explain(method: method, path: path, headers: pairs, body: body, run: run)
        print(outcome.text)
        if outcome.operation == nil { throw ExitCode(2) }
    }
}
