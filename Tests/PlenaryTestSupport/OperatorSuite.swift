import Testing

/// A suite that drives the real `plenary` binary in-process, as the local operator, against a database of its own,
/// and holds it to the contract's streams and exit codes: 0 done (the reply on stdout, nothing on stderr), 1 refused
/// (nothing on stdout, the reply line on stderr).
public protocol OperatorSuite {
    /// The suite's database, a libpq conninfo.
    var database: String { get }
}

extension OperatorSuite {
    /// A fresh database holding the body every command suite is about: CTOC/COP, in Vienna.
    public static func conferenceDatabase() throws -> String {
        let database = try TestCluster.makeDatabase()
        let added = try PlenaryProcess.run(
            ["body", "add", "code=CTOC/COP", "name=Conference of the Parties", "timezone=Europe/Vienna"],
            databaseURL: database)
        #expect(added.status == 0, "\(added.stderr)")
        return database
    }

    /// Runs `plenary words…` and expects exit `status`, with the streams the contract gives it.
    @discardableResult
    public func plenary(
        _ words: String..., status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ProcessResult {
        try run(words, status: status, sourceLocation: sourceLocation)
    }

    /// Runs `plenary words…` and expects exit 0, returning stdout.
    @discardableResult
    public func ok(_ words: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try run(words, status: 0, sourceLocation: sourceLocation).stdout
    }

    /// Runs `plenary words…` and expects a refusal (exit 1), returning the reply line from stderr.
    @discardableResult
    public func refused(_ words: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try run(words, status: 1, sourceLocation: sourceLocation).stderr
    }

    private func run(_ words: [String], status: Int32, sourceLocation: SourceLocation) throws -> ProcessResult {
        let result = try PlenaryProcess.run(words, databaseURL: database)
        #expect(
            result.status == status, "\(words.joined(separator: " ")): \(result.stdout)\(result.stderr)",
            sourceLocation: sourceLocation)
        if status == 0 { #expect(result.stderr.isEmpty, "\(result.stderr)", sourceLocation: sourceLocation) }
        if status == 1 { #expect(result.stdout.isEmpty, "\(result.stdout)", sourceLocation: sourceLocation) }
        return result
    }
}
