/// The configuration used when no `--config` is given. It suits the bundled sample data
/// (scripts/generate-sample): Acme's corporate site and blog, Acme and two competitors.
public enum DefaultConfig {
    public static let toml = """
    timezone = "UTC"

    [properties]
    "acme.example" = "site"
    "blog.acme.example" = "blog"

    [[brands]]
    name = "Acme"
    self = true
    aliases = ["Acme", "Acme Corp", "@acme", "#acme"]
    domains = ["acme.example"]
    accounts = ["acmehq"]

    [[brands]]
    name = "Globex"
    aliases = ["Globex", "@globex", "#globex"]
    domains = ["globex.example"]

    [[brands]]
    name = "Initech"
    aliases = ["Initech", "@initech"]
    domains = ["initech.example"]

    [perception]
    current = ["products", "hardware"]
    aspired = ["services", "solutions", "consulting"]

    [[goals]]
    name = "contact"
    pages = ["https://acme.example/contact"]

    [[goals]]
    name = "pricing"
    pages = ["https://acme.example/pricing*"]

    [[topics]]
    name = "cloud"
    pages = ["https://blog.acme.example/posts/cloud-migration", "https://blog.acme.example/posts/sovereign-cloud"]
    keywords = ["cloud"]

    [[topics]]
    name = "security"
    pages = ["https://blog.acme.example/posts/zero-trust", "https://blog.acme.example/posts/api-security"]
    keywords = ["zero trust", "security"]

    [[topics]]
    name = "supply chain"
    pages = ["https://blog.acme.example/posts/supply-chain"]
    keywords = ["supply chain", "logistics"]

    [vips]
    min_comments = 2
    """

    public static func load() -> FootprintConfig {
        do {
            var config = try ConfigLoader.parse(toml)
            config.isEmbeddedDefault = true
            return config
        } catch {
            // The embedded text is covered by a test; reaching here is a build mistake.
            preconditionFailure("embedded default configuration is invalid: \(error)")
        }
    }
}
