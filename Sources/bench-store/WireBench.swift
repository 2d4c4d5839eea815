import Foundation
import IMSModel
import NIOCore

/// `bench-store wire PATH N`: the remote hop's wire forms for one GET-by-id, its command and its
/// answer, each encoded and decoded N times by the canonical coder (`JSONValueEncoder`/`Decoder`)
/// and by the alternatives Foundation offers (JSONEncoder/Decoder, binary property lists); prints
/// µs per round (both messages encoded and decoded) and the bytes of each.
enum WireBench {
    static func run(_ result: CommandResult, rounds: Int) throws {
        // What a front sends for Foreman's GET /api/compute_resources/1/images/1.
        let execute = CanonicalWire.Execute(command: .getImage(ImageSelector(ref: "1", within: [.eq(.computeResourceId, 1)])))
        let answer = CanonicalWire.Answer(result: result, minted: Minted())
        try measure("canonical_json", CanonicalJSON(), rounds: rounds, execute, answer)
        try measure("foundation_json", FoundationJSON(), rounds: rounds, execute, answer)
        try measure("foundation_binary_plist", BinaryPlist(), rounds: rounds, execute, answer)
    }

    static func measure(_ label: String, _ coder: some WireCoder, rounds: Int,
                        _ execute: CanonicalWire.Execute, _ answer: CanonicalWire.Answer) throws {
        let sizes = (coder.size(try coder.encode(execute)), coder.size(try coder.encode(answer)))
        // A coder that loses or changes a field is no candidate.
        let back = try coder.decode(CanonicalWire.Answer.self, from: coder.encode(answer))
        guard case .image(let sent)? = answer.result, case .image(let got)? = back.result, got == sent else {
            print("\(label) does not round-trip the answer")
            return
        }
        let started = ContinuousClock.now
        for _ in 0..<rounds {
            _ = try coder.decode(CanonicalWire.Execute.self, from: coder.encode(execute))
            _ = try coder.decode(CanonicalWire.Answer.self, from: coder.encode(answer))
        }
        let microseconds = (ContinuousClock.now - started) / .microseconds(1)
        print(String(format: "%@ %.2f us/round %d+%d bytes", label, microseconds / Double(rounds), sizes.0, sizes.1))
    }
}

/// A coder in the form it hands bytes on: each side as cheap as it can be.
protocol WireCoder {
    associatedtype Bytes
    func encode<T: Encodable>(_ value: T) throws -> Bytes
    func decode<T: Decodable>(_ type: T.Type, from bytes: Bytes) throws -> T
    func size(_ bytes: Bytes) -> Int
}

struct CanonicalJSON: WireCoder {
    func encode<T: Encodable>(_ value: T) throws -> ByteBuffer { CanonicalWire.body(value) }
    func decode<T: Decodable>(_ type: T.Type, from bytes: ByteBuffer) throws -> T {
        try JSONValueDecoder().decode(type, from: bytes.readableBytesView)
    }
    func size(_ bytes: ByteBuffer) -> Int { bytes.readableBytes }
}

struct FoundationJSON: WireCoder {
    func encode<T: Encodable>(_ value: T) throws -> Data { try JSONEncoder().encode(value) }
    func decode<T: Decodable>(_ type: T.Type, from bytes: Data) throws -> T { try JSONDecoder().decode(type, from: bytes) }
    func size(_ bytes: Data) -> Int { bytes.count }
}

struct BinaryPlist: WireCoder {
    func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = PropertyListEncoder()
        encoder.outputFormat = .binary
        return try encoder.encode(value)
    }
    func decode<T: Decodable>(_ type: T.Type, from bytes: Data) throws -> T { try PropertyListDecoder().decode(type, from: bytes) }
    func size(_ bytes: Data) -> Int { bytes.count }
}
