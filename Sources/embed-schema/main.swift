// Build-time tool: turns Schema/NNNN_name.sql into a Swift source file, so the plenary binary carries its migrations
// wherever it is installed (no resource bundle to ship beside it).
//
// Usage: embed-schema OUTPUT.swift SCHEMA_FILE...
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: embed-schema OUTPUT.swift SCHEMA_FILE...\n".utf8))
    exit(2)
}
let inputs = arguments.dropFirst().filter { $0.hasSuffix(".sql") }.sorted {
    ($0 as NSString).lastPathComponent < ($1 as NSString).lastPathComponent
}

var source = """
    // Generated at build time by the SchemaEmbedder plugin from Schema/*.sql. Do not edit.

    extension Migration {
        /// Every migration in Schema/, in order, as the build found them.
        public static let embedded: [Migration] = [

    """
for path in inputs {
    let name = (path as NSString).lastPathComponent
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        FileHandle.standardError.write(Data("embed-schema: cannot read \(path) as UTF-8\n".utf8))
        exit(1)
    }
    // A raw string delimiter longer than any run of # in the SQL keeps the text verbatim.
    var hashes = "#"
    while text.contains("\"" + hashes) { hashes += "#" }
    source += "        Migration(fileName: \(name.debugDescription), sql: \(hashes)\"\"\"\n"
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        source += line.isEmpty ? "\n" : "        \(line)\n"
    }
    if !text.hasSuffix("\n") { source += "\n" }
    source += "        \"\"\"\(hashes)),\n"
}
source += "    ]\n}\n"
do {
    try source.write(toFile: output, atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("embed-schema: cannot write \(output): \(error)\n".utf8))
    exit(1)
}
