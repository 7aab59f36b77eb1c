import Foundation
import PlenaryTestSupport
import Testing

/// A client's pipelined `doc get`s are answered together, in one database statement, and what the client reads is
/// byte for byte what it reads sending them one at a time: every reply, refusals included, in request order.
@Suite("pipelined reads over TCP")
struct PipelinedReadTests {
    @Test func pipelinedGetsReadExactlyLikeOneAtATime() throws {
        let (server, token, _) = try ProtocolTests.start(["PLENARY_LOG_LEVEL": "debug"])
        defer { server.stop() }
        let setup = try ProtocolTests.authenticated(server, token: token)
        #expect(setup.command("body add code=CTOC/COP name=COP timezone=Europe/Vienna").last?.hasPrefix("201") == true)
        #expect(
            setup.command("session schedule body=CTOC/COP number=4 start=2008-10-08 end=2008-10-17 venue=Vienna")
                .last?.hasPrefix("201") == true)
        var symbols: [String] = []
        for serial in 1...12 {
            let symbol = "CTOC/COP/2008/\(serial)"
            #expect(
                setup.command("doc register symbol=\(symbol) title=\"Document \(serial)\" session=4").last?
                    .hasPrefix("201") == true)
            symbols.append(symbol)
        }
        #expect(setup.command("doc revise CTOC/COP/2008/3").last?.hasPrefix("201") == true)
        #expect(setup.command("doc reissue CTOC/COP/2008/5").last?.hasPrefix("200") == true)

        var lines: [String] = []
        for (index, symbol) in symbols.enumerated() {
            lines.append("doc get \(symbol)")
            switch index {
            case 2: lines.append("doc get CTOC/COP/2008/99")  // not registered: 550 in its place
            case 4: lines += ["doc get \(symbol)*", "doc get symbol=\(symbol)"]
            case 6: lines.append("doc get ///")  // not a symbol: 504 in its place
            case 8: lines.append("ping")  // another command between gets
            case 10: lines.append("DOC GET \(symbol)")
            default: break
            }
        }
        lines.append("doc get CTOC/COP/2008/3/Rev.1")

        let single = try ProtocolTests.authenticated(server, token: token)
        let oneAtATime = lines.map { single.command($0) }
        #expect(oneAtATime.contains { $0.first?.hasPrefix("550") == true })
        #expect(oneAtATime.contains { $0.first?.hasPrefix("504") == true })
        #expect(!server.logText.contains("batch done"), "requests sent one at a time are not batched")

        let pipelined = try ProtocolTests.authenticated(server, token: token)
        #expect(pipelined.send(bytes: Array((lines.joined(separator: "\n") + "\n").utf8)))
        let together = lines.map { _ in pipelined.readReply() }
        #expect(together == oneAtATime)
        #expect(server.waitForLog("batch done", timeout: 10), "the pipelined gets were answered in batches")
    }
}
