import NIOCore

/// The canonical API's wire forms, shared by the server side and `RemoteBackend`.
package enum CanonicalWire {
    /// A command, with the values it is to use when the caller was handed them.
    package struct Execute: Codable {
        package var command: Command
        package var minted: Minted?

        package init(command: Command, minted: Minted? = nil) {
            self.command = command
            self.minted = minted
        }
    }

    /// A result comes with the values the command used, so the caller holds the same ones.
    package struct Answer: Codable {
        package var result: CommandResult?
        package var error: CanonicalError?
        package var minted: Minted?

        package init(result: CommandResult? = nil, error: CanonicalError? = nil, minted: Minted? = nil) {
            self.result = result
            self.error = error
            self.minted = minted
        }
    }

    /// `value` as JSON text (`{}` should it not encode, which no wire form does).
    package static func body(_ value: some Encodable) -> ByteBuffer {
        var buffer = ByteBuffer()
        do {
            try JSONValueEncoder().write(value, into: &buffer)
        } catch {
            buffer.clear()
            buffer.writeStaticString("{}")
        }
        return buffer
    }
}
