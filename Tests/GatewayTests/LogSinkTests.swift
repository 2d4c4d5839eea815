import Foundation
@testable import GatewayHTTP
@testable import IMSModel
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
        // Every line is accounted for: written, or counted in a "dropped" notice.
        var received = Data()
        var written = 0, dropped: Int64 = 0
        while written + Int(dropped) < 2_001 {
            received.append(pipe.fileHandleForReading.availableData)
            let complete = received.lastIndex(of: 0x0A).map { received[...$0] } ?? Data()
            let lines = String(decoding: complete, as: UTF8.self).split(separator: "\n")
            written = lines.count { $0 == line.dropLast() || $0 == "last" }
            dropped = lines.compactMap { text -> Int64? in
                if case .int(let n)? = JSONValue.parse(Array(text.utf8))?["dropped"] { n } else { nil }
            }.reduce(0, +)
            #expect(lines.allSatisfy { $0 == line.dropLast() || $0 == "last" || $0.contains("dropped") })
        }
        #expect(dropped > 0, "a stalled reader must cost dropped lines, not unbounded memory")
        #expect(written + Int(dropped) == 2_001)
    }
}
