import Foundation

/// The small working shop `storefront new` writes: settings, two products (one Markdown, one JSON)
/// with a picture each, an about page, the shop status, a `.gitignore` and a README that explains
/// every setting.
public enum StarterShop {
    /// A starter file that could not be written.
    public struct WriteError: Error, CustomStringConvertible {
        /// What went wrong, starting with the path.
        public var description: String
    }

    /// The files, by path relative to the new shop's folder.
    public static let files: [(path: String, text: String)] = [
        ("content/store.json", storeJSON),
        ("content/products/canvas-tote.md", markdownProduct),
        ("content/products/enamel-mug.json", jsonProduct),
        ("content/images/canvas-tote.svg", toteSVG),
        ("content/images/enamel-mug.svg", mugSVG),
        ("content/pages/about.md", aboutPage),
        ("site-status.json", #"{"status": "open", "message": "", "announcement": ""}"# + "\n"),
        (".gitignore", "# Built output, build caches and the local orders database of `storefront serve`.\n/public/\n/.storefront-cache/\n/.data/\n"),
        ("README.md", readme),
    ]

    /// Writes the starter shop into `directory` (created when missing). Never replaces a file:
    /// one that exists already stops the writing with a `WriteError`.
    public static func write(into directory: String) throws {
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .withoutOverwriting)
            } catch {
                throw WriteError(description: "\(url.path): cannot be written (\(error.localizedDescription))")
            }
        }
    }

    static let storeJSON = """
        {
          "name": "My Shop",
          "description": "Small-batch goods, packed by hand and shipped within two days.",
          "baseURL": "https://shop.example.com",
          "locale": "en",
          "currency": "USD",
          "apiURL": "/api",
          "paymentMethods": ["cash_on_delivery", "stripe"],
          "shipping": {"flatFee": "5", "freeShippingThreshold": "50"},
          "contact": {"email": "hello@shop.example.com", "phone": "+1 555 0100", "address": "1 Market Street, Springfield"},
          "pageSize": 24
        }

        """

    static let markdownProduct = """
        ---
        title: "Canvas Tote Bag"
        sku: TOTE-CANVAS
        price: 24
        compareAtPrice: 29.50
        stock: 40
        categories: [Bags]
        tags: [cotton, everyday]
        summary: "A heavy cotton tote that carries a week of groceries."
        images: [/images/canvas-tote.svg]
        brand: "My Shop"
        mpn: TOTE-CANVAS
        weight: 10
        ---

        Sewn from 12 oz natural cotton canvas with reinforced handles.

        - 38 × 42 cm, 12 cm gusset
        - inside pocket for keys and a phone

        Pairs well with the [enamel mug](/products/enamel-mug/).

        """

    static let jsonProduct = """
        {
          "title": "Enamel Camp Mug",
          "sku": "MUG-ENAMEL",
          "price": "12.99",
          "stock": 25,
          "categories": ["Kitchen"],
          "tags": ["everyday"],
          "summary": "A light steel mug with a glossy enamel coat.",
          "images": ["/images/enamel-mug.svg"],
          "brand": "My Shop",
          "mpn": "MUG-ENAMEL",
          "weight": 20,
          "description": "Holds 350 ml of coffee, tea or soup, and goes on the campfire too.\\n\\nRead more [about the shop](/pages/about/)."
        }

        """

    /// The products' pictures: drawings to replace with photos (the build makes the sizes).
    static let toteSVG = """
        <svg xmlns="http://www.w3.org/2000/svg" width="800" height="800" viewBox="0 0 80 80">
          <rect width="80" height="80" fill="#f3efe6"/>
          <path d="M28 30 C28 14 52 14 52 30" fill="none" stroke="#8a6d3b" stroke-width="3"/>
          <rect x="18" y="28" width="44" height="40" rx="3" fill="#d9c9a3"/>
        </svg>

        """

    static let mugSVG = """
        <svg xmlns="http://www.w3.org/2000/svg" width="800" height="800" viewBox="0 0 80 80">
          <rect width="80" height="80" fill="#e8eef3"/>
          <path d="M56 34 h6 a7 7 0 0 1 0 14 h-6" fill="none" stroke="#2f5d7c" stroke-width="4"/>
          <rect x="20" y="26" width="36" height="36" rx="4" fill="#2f5d7c"/>
          <ellipse cx="38" cy="26" rx="18" ry="3" fill="#dfe8ef"/>
        </svg>

        """

    static let aboutPage = """
        ---
        title: "About us"
        summary: "Who we are and how we ship."
        ---

        We are a two-person shop. Every order is packed by hand and leaves within two working days.

        Write to hello@shop.example.com with any question.

        """
}
