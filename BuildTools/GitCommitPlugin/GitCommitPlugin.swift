import Foundation
import PackagePlugin

/// Before each build of `gan`, writes GitCommit.swift, `let gitCommit: String? = "..."`: the
/// commit of the package's own checkout (`git rev-parse --short=12 HEAD`), with "-modified" when
/// tracked files differ from it; nil where there is no git, no checkout, or the package lies
/// inside another repository's checkout (a release archive unpacked anywhere). The file is
/// rewritten only when its text changes, so an unchanged commit recompiles nothing.
@main
struct GitCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "GitCommit")
        let script = #"""
            root="$1"; out="$2/GitCommit.swift"; mkdir -p "$2"
            text='let gitCommit: String? = nil'
            top=$(git -C "$root" rev-parse --show-toplevel 2>/dev/null)
            if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$(cd "$root" && pwd -P)" ]; then
                commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null)
                if [ -n "$commit" ]; then
                    git -C "$root" diff --quiet HEAD -- 2>/dev/null || commit="$commit-modified"
                    text="let gitCommit: String? = \"$commit\""
                fi
            fi
            [ "$(cat "$out" 2>/dev/null)" = "$text" ] || printf '%s\n' "$text" > "$out"
            """#
        return [.prebuildCommand(displayName: "Recording the git commit of \(target.name)",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                                 outputFilesDirectory: output)]
    }
}
