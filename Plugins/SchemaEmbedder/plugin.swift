import Foundation
import PackagePlugin

/// Embeds Schema/*.sql into the Storage module at build time; rebuilt whenever a schema file changes.
@main
struct SchemaEmbedder: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let schema = context.package.directoryURL.appending(path: "Schema")
        let files = try FileManager.default.contentsOfDirectory(atPath: schema.path())
            .filter { $0.hasSuffix(".sql") }
            .sorted()
            .map { schema.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSchema.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) schema migrations",
                executable: try context.tool(named: "embed-schema").url,
                arguments: [output.path()] + files.map { $0.path() },
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
