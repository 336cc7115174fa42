/// A plain page such as about, FAQ or shipping.
public struct Page: Sendable, Hashable {
    /// The file name without extension; the page is `/pages/<slug>/`.
    public var slug: String
    /// The content file, relative to the content directory.
    public var sourcePath: String
    /// The page title.
    public var title: String
    /// A sentence for the meta description.
    public var summary: String?
    /// Footer order: lower first.
    public var weight: Int
    /// Drafts are not published.
    public var draft: Bool
    /// The Markdown body.
    public var body: String
    /// The line of the source file where the body starts.
    public var bodyLine: Int

    /// Creates a page.
    public init(slug: String, sourcePath: String, title: String, summary: String? = nil, weight: Int = 0, draft: Bool = false, body: String, bodyLine: Int = 1)
    {
        self.slug = slug
        self.sourcePath = sourcePath
        self.title = title
        self.summary = summary
        self.weight = weight
        self.draft = draft
        self.body = body
        self.bodyLine = bodyLine
    }

    /// The site path of the page.
    public var path: String { "/pages/\(URLPath.encodeSegment(slug))/" }

    /// The fields a page file may have.
    public static let knownFields: Set<String> = ["title", "summary", "weight", "draft"]
}
