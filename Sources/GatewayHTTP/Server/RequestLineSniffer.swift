import NIOCore

/// Remembers the start of the request line being received, ahead of the HTTP parser. When the
/// parser gives up on a request (a 100 KB URL, bytes that are not ASCII in a path), it has no
/// request to hand on, and the path's first segments are all that tell which dialect's client
/// sent it, so which error shape it understands (`ParseErrorAnswer`).
///
/// It looks only at heads: `ParseErrorAnswer` pauses it when a head has been parsed and resumes
/// it when the request ends, so body bytes (uploads) are never scanned.
final class RequestLineSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Enough for the longest mount and a resource name; the rest of a long line is not kept.
    static let keep = 512

    private var line: [UInt8] = []
    private var lineEnded = false
    var paused = false

    /// The request line as far as it was received (or kept).
    var requestLine: String { String(decoding: line, as: UTF8.self) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !paused, !lineEnded {
            let bytes = unwrapInboundIn(data).readableBytesView
            let end = bytes.firstIndex(of: UInt8(ascii: "\n"))
            lineEnded = end != nil
            let room = Self.keep - line.count
            if room > 0 { line += bytes[bytes.startIndex..<(end ?? bytes.endIndex)].prefix(room) }
        }
        context.fireChannelRead(data)
    }

    /// The next bytes start a new request.
    func nextRequest() {
        line.removeAll(keepingCapacity: true)
        lineEnded = false
        paused = false
    }
}
