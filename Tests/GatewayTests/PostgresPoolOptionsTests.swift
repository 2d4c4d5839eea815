@testable import GatewayHTTP
@testable import IMSStorePostgres
import Testing
import Yams

/// The pool's options as a `postgres` entry names them: keep-alive off unless asked (its timers
/// cost a quarter of a GET's CPU), a minimum never above the maximum.
struct PostgresPoolOptionsTests {
    @Test func theEntryReadsMinimumAndKeepAlive() throws {
        let config = try YAMLDecoder().decode(GatewayConfig.self, from: """
            backends: {pg: {kind: postgres, url: 'postgres://ims@127.0.0.1:5432/ims', max_connections: 8, min_connections: 2, keep_alive_seconds: 15}}
            use: pg
            """)
        let entry = try #require(config.backends["pg"])
        #expect(entry.minConnections == 2 && entry.keepAliveSeconds == 15)
        #expect(entry.keysRead.isSuperset(of: ["min_connections", "keep_alive_seconds"]))
    }

    @Test func keepAliveIsOffUnlessAskedAndTheMinimumStaysWithinTheMaximum() throws {
        let address = try PGAddress(url: "postgres://ims@127.0.0.1:5432/ims")
        let plain = address.clientConfiguration(maxConnections: 8)
        #expect(plain.options.keepAliveBehavior == nil)
        #expect(plain.options.minimumConnections == 0 && plain.options.maximumConnections == 8)
        let asked = address.clientConfiguration(maxConnections: 8, minConnections: 20, keepAlive: .seconds(15))
        #expect(asked.options.keepAliveBehavior?.frequency == .seconds(15))
        #expect(asked.options.minimumConnections == 8)
    }
}
