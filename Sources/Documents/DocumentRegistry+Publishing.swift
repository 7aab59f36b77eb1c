import PlenaryCore

extension DocumentRegistry {
    /// The documents that revise, correct, add to or amend any of `symbols` (with or without reissue marks), in
    /// symbol order: what a published document page links as its revisions, corrigenda and addenda. One statement
    /// for a whole page of parents, over the parent index.
    public func derived(from symbols: [DocumentSymbol]) async throws(DomainError) -> [Document] {
        guard !symbols.isEmpty else { return [] }
        let keys = symbols.map { DocumentRules.unmarked($0).description }
        return try await database.read { connection in
            try Self.documents(
                connection,
                where: "d.parent_id = ANY(ARRAY(SELECT id FROM documents WHERE symbol = ANY($1::text[])))", [keys]
            ).map(\.document)
        }
    }
}
