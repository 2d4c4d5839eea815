import Foundation
@testable import GatewayCore
import Testing

/// Log lines are written by the sink's own thread: a caller never waits on a slow reader, lines
/// keep their order, and past the bound they are dropped and counted, not queued without end.
@Suite struct LogSinkTests {
    @Test func linesArriveInOrderAndAStalledReaderCostsDroppedLinesNotMemory() throws {
        let pipe = Pipe()
        let sink = LogSink(pipe.fileHandleForWriting, limit: 1_024)
        // 200 KB against a 64 KB pipe that nobody reads yet and a 1 KB buffer: the writer
        // thread blocks on the full pipe, and the callers go on, dropping what does not fit.
        let line = String(repeating: "x", count: 99) + "\n"
        for _ in 0..<2_000 { sink.write(line) }
        sink.write("last\n")
        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains("\"dropped\":") {
            received.append(pipe.fileHandleForReading.availableData)
        }
        let text = String(decoding: received, as: UTF8.self)
        let dropped = text.split(separator: "\n").compactMap { line -> Int64? in
            if case .int(let n)? = JSONValue.parse(Array(line.utf8))?["dropped"] { n } else { nil }
        }
        #expect(dropped.reduce(0, +) > 1_000, "\(dropped)")
        #expect(text.split(separator: "\n").allSatisfy { $0 == line.dropLast() || $0 == "last" || $0.contains("dropped") })
    }
}
