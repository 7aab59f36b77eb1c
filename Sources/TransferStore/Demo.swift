import Foundation

/// The public record of the Conference of the Parties to the United Nations Convention against Transnational
/// Organized Crime, sessions 1 to 4: the body, its sessions, the working groups whose symbols the sources show, the
/// one meeting on record, five documents, the 23 decisions with their lineage, and the four instruments (the
/// Convention and its three Protocols) with their adopting resolutions, signature periods and the dates of entry
/// into force the seed page records. It is an export document, compiled
/// into the binary (Resources/ctoc-cop-demo.json, embedded by SwiftPM), and `plenary demo` loads it through the
/// import path, so a new installation shows real data without any file beside it.
///
/// Only what the sources say: decisions are dated on their session's closing day unless the record dates them
/// (decision 1/2, 7 July 2004); a document's English version is issued on the document's date where one is known,
/// and the other language versions are left expected. No signatures or deposits: none is in the sources, and a
/// State's deposit date is not entered unless it is known to the day; the instruments' dates of entry into force
/// are therefore marked as recorded, not derived.
public enum Demo {
    /// The export document's bytes.
    public static var data: Data { Data(PackageResources.ctoc_cop_demo_json) }

    /// What the audit row of the import names as its source.
    public static let source = "demo:ctoc-cop-sessions-1-4"
}
