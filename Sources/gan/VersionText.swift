import GANTensor
import GANZoo

/// What `gan --version` prints: the version, the commit it was built from, and the BLAS in use.
/// `gitCommit` comes from GitCommit.swift, which BuildTools/GitCommitPlugin writes at build time.
enum VersionText {
    static var text: String {
        """
        gan-zoo \(GANZooVersion.string)
        commit: \(gitCommit ?? "unknown (not built from a git checkout)")
        BLAS: \(BLASThreads.library)
        """
    }
}
