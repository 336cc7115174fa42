import Foundation
import Mustache
import StoreModel

/// Turns planned pages into HTML through the theme's templates.
///
/// Template contexts are dictionaries (`[String: Any]`), which swift-mustache reads without
/// reflection. The parts shared by every page are built once.
struct PageRenderer: Sendable {
    let plan: SitePlan
    let theme: Theme
    let basePath: String
    private let shared: SharedContext

    /// The immutable dictionary every page starts from; built once, only read afterwards.
    private struct SharedContext: @unchecked Sendable {
        let site: [String: Any]
        let strings: [String: Any]
        let uiStringsJSON: String
    }

    init(plan: SitePlan, theme: Theme, buildYear: Int) {
        self.plan = plan
        self.theme = theme
        let store = plan.store
        let basePath = store.basePath
        self.basePath = basePath
        var contact: [String: Any] = [:]
        if let email = store.contact.email { contact["email"] = email }
        if let phone = store.contact.phone { contact["phone"] = phone }
        if let address = store.contact.address { contact["address"] = address }
        let site: [String: Any] = [
            "name": store.name,
            "description": store.description,
            "locale": store.locale,
            "baseURL": store.baseURL,
            "basePath": basePath,
            "apiURL": store.apiURL,
            "currency": store.currency.code,
            "currencyExponent": store.currency.exponent,
            "catalogVersion": plan.catalogVersion,
            "css": theme.assetPath("site.css", basePath: basePath) ?? "",
            "js": theme.assetPath("site.js", basePath: basePath) ?? "",
            "adminCSS": theme.assetPath("admin.css", basePath: basePath) ?? "",
            "adminJS": theme.assetPath("admin.js", basePath: basePath) ?? "",
            "contact": contact,
            "nav": plan.categories.map { ["name": $0.name, "url": basePath + $0.sitePath] as [String: Any] },
            "footerPages": plan.pages.map { ["title": $0.title, "url": basePath + $0.path] as [String: Any] },
            "paymentMethods": store.paymentMethods.map { method -> [String: Any] in
                ["id": method.rawValue, "label": theme.strings["paymentMethod_\(method.rawValue)"] ?? method.rawValue]
            },
            "shipping": [
                "flatFee": store.shipping.flatFee.formatted,
                "flatFeeMinor": store.shipping.flatFee.minorUnits,
                "freeThreshold": store.shipping.freeShippingThreshold?.formatted ?? "",
                "freeThresholdMinor": store.shipping.freeShippingThreshold?.minorUnits ?? -1,
                "hasFreeThreshold": store.shipping.freeShippingThreshold != nil,
            ] as [String: Any],
            "year": buildYear,
            "homeURL": basePath + "/",
            "cartURL": basePath + SitePlan.cartPath,
            "checkoutURL": basePath + SitePlan.checkoutPath,
            "orderURL": basePath + SitePlan.orderPath,
        ]
        let uiJSON = JSONValue.object(theme.strings.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).text
        self.shared = SharedContext(site: site, strings: theme.strings, uiStringsJSON: uiJSON)
    }

    // MARK: Page kinds

    /// A product page and the links its description contains.
    func product(_ index: Int, rendered: Markdown.Rendered) -> String {
        let product = plan.products[index]
        let url = basePath + product.path
        let absolute = plan.store.absoluteURL(url)
        let images = product.images.map { ["src": imageURL($0), "alt": product.title] as [String: Any] }
        var crumbs: [[String: Any]] = [["name": plan.store.name, "url": basePath + "/", "last": false]]
        if let first = product.categories.first {
            let slug = URLPath.slug(first)
            crumbs.append(["name": first, "url": basePath + "/categories/\(URLPath.encodeSegment(slug))/", "last": false])
        }
        crumbs.append(["name": product.title, "url": url, "last": true])
        let description = product.summary ?? HTMLText.plainText(fromHTML: rendered.html, limit: 160)
        var view: [String: Any] = [
            "title": product.title, "sku": product.sku, "slug": product.slug, "url": url,
            "price": product.price.formatted, "priceMinor": product.price.minorUnits,
            "onSale": product.isOnSale, "inStock": product.isInStock, "soldOut": !product.isInStock,
            "images": images, "descriptionHTML": rendered.html,
            "categories": product.categories.map { taxonLink($0, "/categories/") },
            "tags": product.tags.map { taxonLink($0, "/tags/") },
        ]
        if product.isOnSale, let compare = product.compareAtPrice { view["compareAtPrice"] = compare.formatted }
        if let stock = product.stock { view["stock"] = stock }
        if let image = images.first { view["image"] = image }
        if let summary = product.summary { view["summary"] = summary }
        if let brand = product.brand { view["brand"] = brand }
        if let gtin = product.gtin { view["gtin"] = gtin }
        let availability = product.isInStock ? "https://schema.org/InStock" : "https://schema.org/OutOfStock"
        var og: [String: Any] = [
            "type": "product", "title": product.title, "description": description, "url": absolute,
            "price": product.price.decimalString, "currency": plan.store.currency.code,
            "availability": product.isInStock ? "instock" : "oos",
        ]
        if let first = product.images.first { og["image"] = absoluteImageURL(first) }
        let jsonLD = [
            StructuredData.product(product, url: absolute, description: description, images: product.images.map(absoluteImageURL), availability: availability),
            StructuredData.breadcrumbs(crumbs.map { ($0["name"] as! String, plan.store.absoluteURL($0["url"] as! String)) }),
        ]
        var context = base(kind: "product", title: "\(product.title) · \(plan.store.name)", description: description, sitePath: product.path, og: og, jsonLD: jsonLD)
        context["product"] = view
        context["breadcrumbs"] = crumbs
        return render("product", context)
    }

    /// One page of a listing.
    func listing(_ page: SitePlan.ListingPage) -> String {
        let cards = page.members.map { card(plan.products[$0]) }
        var pagination: [String: Any]? = nil
        if page.totalPages > 1 {
            var info: [String: Any] = [
                "current": page.number, "total": page.totalPages,
                "pages": (1...page.totalPages).filter { abs($0 - page.number) <= 3 || $0 == 1 || $0 == page.totalPages }.map {
                    ["number": $0, "url": basePath + page.path(ofPage: $0), "current": $0 == page.number] as [String: Any]
                },
            ]
            if page.number > 1 { info["prevURL"] = basePath + page.path(ofPage: page.number - 1) }
            if page.number < page.totalPages { info["nextURL"] = basePath + page.path(ofPage: page.number + 1) }
            pagination = info
        }
        var listing: [String: Any] = [
            "heading": page.heading, "kind": page.kind.rawValue, "products": cards, "empty": cards.isEmpty,
        ]
        if let pagination { listing["pagination"] = pagination }
        let pageSuffix = page.number > 1 ? " (\(page.number)/\(page.totalPages))" : ""
        let title: String
        let description: String
        var jsonLD: [JSONValue] = []
        switch page.kind {
        case .home:
            title = plan.store.name + pageSuffix
            description = plan.store.description.isEmpty ? plan.store.name : plan.store.description
            if page.number == 1 { jsonLD.append(StructuredData.website(name: plan.store.name, url: plan.store.absoluteURL(basePath + "/"))) }
        case .category, .tag:
            title = "\(page.heading)\(pageSuffix) · \(plan.store.name)"
            description = "\(page.heading) · \(plan.store.name)"
            jsonLD.append(StructuredData.breadcrumbs([
                (plan.store.name, plan.store.absoluteURL(basePath + "/")),
                (page.heading, plan.store.absoluteURL(basePath + page.rootPath)),
            ]))
        }
        let og: [String: Any] = ["type": "website", "title": title, "description": description, "url": plan.store.absoluteURL(basePath + page.sitePath)]
        var context = base(kind: "list", title: title, description: description, sitePath: page.sitePath, og: og, jsonLD: jsonLD)
        context["listing"] = listing
        return render("list", context)
    }

    /// A plain page.
    func page(_ index: Int, rendered: Markdown.Rendered) -> String {
        let page = plan.pages[index]
        let description = page.summary ?? HTMLText.plainText(fromHTML: rendered.html, limit: 160)
        let og: [String: Any] = ["type": "website", "title": page.title, "description": description, "url": plan.store.absoluteURL(basePath + page.path)]
        var context = base(kind: "page", title: "\(page.title) · \(plan.store.name)", description: description, sitePath: page.path, og: og, jsonLD: [])
        context["content"] = ["title": page.title, "html": rendered.html] as [String: Any]
        return render("page", context)
    }

    /// The cart, checkout, order-status and 404 pages.
    func fixed(template: String, kind: String, titleKey: String, sitePath: String) -> String {
        let title = "\(shared.strings[titleKey] as? String ?? titleKey) · \(plan.store.name)"
        let og: [String: Any] = ["type": "website", "title": title, "description": plan.store.description, "url": plan.store.absoluteURL(basePath + sitePath)]
        var context = base(kind: kind, title: title, description: plan.store.description, sitePath: sitePath, og: og, jsonLD: [], noindex: true)
        return render(template, context)
    }

    /// Whether the theme has the template `name`.
    func hasTemplate(_ name: String) -> Bool {
        theme.library.getTemplate(named: name) != nil
    }

    // MARK: Helpers

    private func base(kind: String, title: String, description: String, sitePath: String, og: [String: Any], jsonLD: [JSONValue], noindex: Bool = false) -> [String: Any] {
        [
            "site": shared.site,
            "t": shared.strings,
            "uiStringsJSON": shared.uiStringsJSON,
            "page": [
                "kind": kind, "title": title, "description": description,
                "canonical": plan.store.absoluteURL(basePath + sitePath), "noindex": noindex, "og": og,
                "jsonLD": jsonLD.map { ["json": $0.text] },
            ] as [String: Any],
        ]
    }

    private func render(_ template: String, _ context: [String: Any]) -> String {
        theme.library.render(context, withTemplate: template) ?? ""
    }

    private func card(_ product: Product) -> [String: Any] {
        var card: [String: Any] = [
            "title": product.title, "url": basePath + product.path, "price": product.price.formatted,
            "priceMinor": product.price.minorUnits, "onSale": product.isOnSale, "soldOut": !product.isInStock, "sku": product.sku,
        ]
        if product.isOnSale, let compare = product.compareAtPrice { card["compareAtPrice"] = compare.formatted }
        if let image = product.images.first { card["image"] = ["src": imageURL(image), "alt": product.title] }
        if let summary = product.summary { card["summary"] = summary }
        return card
    }

    private func taxonLink(_ name: String, _ prefix: String) -> [String: Any] {
        ["name": name, "url": basePath + prefix + URLPath.encodeSegment(URLPath.slug(name)) + "/"]
    }

    private func imageURL(_ image: String) -> String {
        image.hasPrefix("/") ? basePath + image : image
    }

    private func absoluteImageURL(_ image: String) -> String {
        image.hasPrefix("/") ? plan.store.absoluteURL(basePath + image) : image
    }
}
