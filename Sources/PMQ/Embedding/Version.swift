/// The one version of PMQ: `pmq --version`, the shell's banner, the language server's
/// `serverInfo` and the C ABI's `pmq_version()` all read it from here.
public enum PMQVersion {
    public static let current = "2.0.0"
}
