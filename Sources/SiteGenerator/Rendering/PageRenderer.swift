import Foundation
import StoreModel

/// Turns planned pages into HTML through the theme's templates.
///
/// Template contexts are typed `TemplateValue` trees: the compiled templates walk them without a
/// dynamic cast, and swift-mustache gets the same tree as dictionaries. The parts shared by every
/// page are built once.
struct PageRenderer: Sendable {
    let plan: SitePlan
    let theme: Theme
    let basePath: String
    /// What the image step published: sizes, formats and the `og:image` copy of each image.
    let images: PublishedImages
    private let shared: SharedContext
    /// `{name, url}` of every category and tag, by name, made once.
    private let taxonLinks: [String: TemplateValue]
    /// The theme's "from {price}" around the price, split once (`priceText`).
    let priceFrom: (before: String, after: String)

    /// The values every page starts from; built once, only read afterwards.
    private struct SharedContext: Sendable {
        let site: TemplateValue
        let strings: TemplateValue
        let uiStringsJSON: TemplateValue
    }

    /// `announcement` is the site status's banner when the build ran: written into every page, so
    /// that a page with a banner does not shift when the status arrives (the script then shows the
    /// live one).
    init(plan: SitePlan, theme: Theme, buildYear: Int, images: PublishedImages = PublishedImages(), announcement: String = "") {
        self.plan = plan
        self.theme = theme
        self.images = images
        let store = plan.store
        let basePath = store.basePath
        self.basePath = basePath
        var contact: [String: TemplateValue] = [:]
        if let email = store.contact.email { contact["email"] = .string(email) }
        if let phone = store.contact.phone { contact["phone"] = .string(phone) }
        if let address = store.contact.address { contact["address"] = .string(address) }
        var site: [String: TemplateValue] = [
            "name": .string(store.name),
            "description": .string(store.description),
            "locale": .string(store.locale),
            "baseURL": .string(store.baseURL),
            "basePath": .string(basePath),
            "apiURL": .string(store.apiURL),
            "currency": .string(store.currency.code),
            "currencyExponent": .number(store.currency.exponent),
            "money": Self.moneyFormat(store.currency),
            "catalogVersion": .string(plan.catalogVersion),
            "css": .string(theme.assetPath("site.css", basePath: basePath) ?? ""),
            "js": .string(theme.assetPath("site.js", basePath: basePath) ?? ""),
            "adminCSS": .string(theme.assetPath("admin.css", basePath: basePath) ?? ""),
            "adminJS": .string(theme.assetPath("admin.js", basePath: basePath) ?? ""),
            "contact": .object(contact),
            "nav": .objects(plan.categories.map { ["name": .string($0.name), "url": .string(basePath + $0.sitePath)] }),
            "footerPages": .objects(plan.pages.map { ["title": .string($0.title), "url": .string(basePath + $0.path)] }),
            "paymentMethods": .objects(
                store.paymentMethods.map { method in
                    ["id": .string(method.rawValue), "label": .string(theme.strings["paymentMethod_\(method.rawValue)"] ?? method.rawValue)]
                }),
            "shipping": .object([
                "flatFee": .string(store.shipping.flatFee.formatted),
                "flatFeeMinor": .int(store.shipping.flatFee.minorUnits),
                "freeThreshold": .string(store.shipping.freeShippingThreshold?.formatted ?? ""),
                "freeThresholdMinor": .int(store.shipping.freeShippingThreshold?.minorUnits ?? -1),
                "hasFreeThreshold": .bool(store.shipping.freeShippingThreshold != nil),
            ]),
            "year": .number(buildYear),
            "announcement": .string(announcement), "hasAnnouncement": .bool(!announcement.isEmpty),
            "homeURL": .string(basePath + "/"),
            "cartURL": .string(basePath + SitePlan.cartPath),
            "checkoutURL": .string(basePath + SitePlan.checkoutPath),
            "orderURL": .string(basePath + SitePlan.orderPath),
        ]
        // The search box and its script, when the theme has both (`SearchIndex`).
        if theme.hasSearch, let script = theme.assetPath("search.js", basePath: basePath) {
            site["search"] = .object(["url": .string(basePath + SitePlan.searchPath), "script": .string(script)])
        }
        let uiJSON = JSONValue.object(theme.strings.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).text
        var links: [String: TemplateValue] = [:]
        for (taxa, prefix) in [(plan.categories, "/categories/"), (plan.tags, "/tags/")] {
            for taxon in taxa { links[prefix + taxon.name] = Self.link(taxon.name, prefix, basePath: basePath) }
        }
        self.taxonLinks = links
        priceFrom = Self.priceFrom(theme.strings)
        self.shared = SharedContext(site: .object(site), strings: .object(theme.strings.mapValues(TemplateValue.string)), uiStringsJSON: .string(uiJSON))
    }

    /// `site.money`: `MoneyFormatter`'s parameters for the shop's currency, which the pages hand to
    /// the theme's scripts so that the cart and checkout write prices exactly as the pages do.
    static func moneyFormat(_ currency: Currency) -> TemplateValue {
        let format = MoneyFormatter.format(for: currency)
        return .object([
            "prefix": .string(format.prefix), "suffix": .string(format.suffix), "decimals": .number(format.decimals),
            "groupSeparator": .string(format.groupSeparator), "groupSize": .number(format.groupSize),
            "decimalSeparator": .string(format.decimalSeparator), "minusSign": .string(format.minusSign),
        ])
    }

    // MARK: Page kinds

    /// A product page.
    func product(_ index: Int, rendered: Markdown.Rendered) -> [UInt8] {
        // For a product with options: the variant shown before the shopper chooses.
        let product = plan.products[index]
        let group = plan.groups[index]
        let sitePath = plan.productPaths[index]
        let url = basePath + sitePath
        let absolute = plan.store.absoluteURL(url)
        let gallery = shown(group.pageImages)
        let images: [TemplateValue] = gallery.enumerated().map { picture($1, alt: product.title, place: .productMain, priority: $0 == 0) }
        var crumbs: [(name: String, url: String)] = [(plan.store.name, basePath + "/")]
        if let first = product.categories.first {
            let slug = URLPath.slug(first)
            crumbs.append((first, basePath + "/categories/\(URLPath.encodeSegment(slug))/"))
        }
        crumbs.append((product.title, url))
        let description = product.summary ?? HTMLText.plainText(fromHTML: rendered.html, limit: 160)
        var view: [String: TemplateValue] = [
            "title": .string(product.title), "sku": .string(product.sku), "slug": .string(product.slug), "url": .string(url),
            "price": .string(product.price.formatted), "priceMinor": .int(product.price.minorUnits),
            "onSale": .bool(product.isOnSale), "inStock": .bool(product.isInStock), "soldOut": .bool(!product.isInStock),
            "images": .list(images), "descriptionHTML": .string(ProseImages.rewrite(rendered.html, basePath: basePath, images: self.images)),
            "categories": .list(product.categories.map { taxonLink($0, "/categories/") }),
            "tags": .list(product.tags.map { taxonLink($0, "/tags/") }),
        ]
        if product.isOnSale, let compare = product.compareAtPrice { view["compareAtPrice"] = .string(compare.formatted) }
        if let stock = product.stock { view["stock"] = .number(stock) }
        if let image = images.first { view["image"] = image }
        if let summary = product.summary { view["summary"] = .string(summary) }
        if let brand = product.brand { view["brand"] = .string(brand) }
        if let gtin = product.gtin { view["gtin"] = .string(gtin) }
        if group.hasVariants { view.merge(variantView(group, pageURL: url)) { $1 } }
        var og: [String: TemplateValue] = [
            "type": "product", "title": .string(product.title), "description": .string(description), "url": .string(absolute),
            "price": .string(product.price.decimalString), "currency": .string(plan.store.currency.code),
            "availability": .string(product.isInStock ? "instock" : "oos"),
        ]
        if let first = gallery.first { og["image"] = .string(socialImageURL(first)) }
        let jsonLD = [
            group.hasVariants
                ? StructuredData.productGroup(
                    group, url: absolute, description: description, images: gallery.map(socialImageURL),
                    variantURL: { CatalogFiles.url(of: $0, page: absolute) }, imageURL: socialImageURL, store: plan.store, ids: merchantIDs)
                : StructuredData.product(
                    product, url: absolute, description: description, images: gallery.map(socialImageURL), store: plan.store,
                    ids: merchantIDs),
            StructuredData.breadcrumbs(crumbs.map { ($0.name, plan.store.absoluteURL($0.url)) }),
        ]
        var context = base(
            kind: "product", title: "\(product.title) · \(plan.store.name)", description: description, sitePath: sitePath, og: og, jsonLD: jsonLD)
        context["product"] = .object(view)
        context["breadcrumbs"] = .list(
            crumbs.enumerated().map { offset, crumb in
                .object(["name": .string(crumb.name), "url": .string(crumb.url), "last": .bool(offset == crumbs.count - 1)])
            })
        return render("product", context)
    }

    /// One page of a listing.
    func listing(_ page: SitePlan.ListingPage) -> [UInt8] {
        let cards = page.members.map(card)
        var pagination: [String: TemplateValue]? = nil
        if page.totalPages > 1 {
            var info: [String: TemplateValue] = [
                "current": .number(page.number), "total": .number(page.totalPages),
                "pages": .list(
                    (1...page.totalPages).filter { abs($0 - page.number) <= 3 || $0 == 1 || $0 == page.totalPages }.map {
                        .object(["number": .number($0), "url": .string(basePath + page.path(ofPage: $0)), "current": .bool($0 == page.number)])
                    }),
            ]
            if page.number > 1 { info["prevURL"] = .string(basePath + page.path(ofPage: page.number - 1)) }
            if page.number < page.totalPages { info["nextURL"] = .string(basePath + page.path(ofPage: page.number + 1)) }
            pagination = info
        }
        var listing: [String: TemplateValue] = [
            "heading": .string(page.heading), "kind": .string(page.kind.rawValue), "products": .list(cards), "empty": .bool(cards.isEmpty),
        ]
        if let pagination { listing["pagination"] = .object(pagination) }
        let pageSuffix = page.number > 1 ? " (\(page.number)/\(page.totalPages))" : ""
        let title: String
        let description: String
        var jsonLD: [JSONValue] = []
        switch page.kind {
        case .home:
            title = plan.store.name + pageSuffix
            description = plan.store.description.isEmpty ? plan.store.name : plan.store.description
            if page.number == 1 {
                jsonLD.append(StructuredData.website(name: plan.store.name, url: plan.store.absoluteURL(basePath + "/")))
                jsonLD.append(StructuredData.store(plan.store, ids: merchantIDs, logo: plan.store.logo.map(socialImageURL)))
            }
        case .category, .tag:
            title = "\(page.heading)\(pageSuffix) · \(plan.store.name)"
            description = "\(page.heading) · \(plan.store.name)"
            jsonLD.append(
                StructuredData.breadcrumbs([
                    (plan.store.name, plan.store.absoluteURL(basePath + "/")),
                    (page.heading, plan.store.absoluteURL(basePath + page.rootPath)),
                ]))
        }
        let og: [String: TemplateValue] = [
            "type": "website", "title": .string(title), "description": .string(description), "url": .string(plan.store.absoluteURL(basePath + page.sitePath)),
        ]
        var context = base(kind: "list", title: title, description: description, sitePath: page.sitePath, og: og, jsonLD: jsonLD)
        context["listing"] = .object(listing)
        return render("list", context)
    }

    /// The text around a "from" price (`priceFrom`, `from {price}` by default).
    static func priceFrom(_ strings: [String: String]) -> (before: String, after: String) {
        let from = strings["priceFrom"] ?? "from {price}"
        guard let range = from.range(of: "{price}") else { return (from + " ", "") }
        return (String(from[..<range.lowerBound]), String(from[range.upperBound...]))
    }

    /// A plain page.
    func page(_ index: Int, rendered: Markdown.Rendered) -> [UInt8] {
        let page = plan.pages[index]
        let description = page.summary ?? HTMLText.plainText(fromHTML: rendered.html, limit: 160)
        let og: [String: TemplateValue] = [
            "type": "website", "title": .string(page.title), "description": .string(description), "url": .string(plan.store.absoluteURL(basePath + page.path)),
        ]
        var context = base(kind: "page", title: "\(page.title) · \(plan.store.name)", description: description, sitePath: page.path, og: og, jsonLD: [])
        context["content"] = .object([
            "title": .string(page.title), "html": .string(ProseImages.rewrite(rendered.html, basePath: basePath, images: images)),
        ])
        return render("page", context)
    }

    /// The cart, checkout, order-status and 404 pages.
    func fixed(template: String, kind: String, titleKey: String, sitePath: String) -> [UInt8] {
        let title = "\(theme.strings[titleKey] ?? titleKey) · \(plan.store.name)"
        let og: [String: TemplateValue] = [
            "type": "website", "title": .string(title), "description": .string(plan.store.description),
            "url": .string(plan.store.absoluteURL(basePath + sitePath)),
        ]
        let context = base(kind: kind, title: title, description: plan.store.description, sitePath: sitePath, og: og, jsonLD: [], noindex: true)
        return render(template, context)
    }

    /// Whether the theme has the template `name`.
    func hasTemplate(_ name: String) -> Bool {
        theme.library.getTemplate(named: name) != nil
    }

    // MARK: Helpers

    private func base(
        kind: String, title: String, description: String, sitePath: String, og: [String: TemplateValue], jsonLD: [JSONValue], noindex: Bool = false
    ) -> [String: TemplateValue] {
        [
            "site": shared.site,
            "t": shared.strings,
            "uiStringsJSON": shared.uiStringsJSON,
            "page": .object([
                "kind": .string(kind), "title": .string(title), "description": .string(description),
                "canonical": .string(plan.store.absoluteURL(basePath + sitePath)), "noindex": .bool(noindex), "og": .object(og),
                "jsonLD": .list(jsonLD.map { .object(["json": .string($0.text)]) }),
            ]),
        ]
    }

    private func render(_ template: String, _ context: [String: TemplateValue]) -> [UInt8] {
        theme.render(template, .object(context))
    }

    private func card(_ index: Int) -> TemplateValue {
        let group = plan.groups[index]
        guard !group.hasVariants else { return variantCard(index, group) }
        let product = plan.products[index]
        var card: [String: TemplateValue] = [
            "title": .string(product.title), "url": .string(basePath + plan.productPaths[index]), "price": .string(product.price.formatted),
            "priceMinor": .int(product.price.minorUnits), "onSale": .bool(product.isOnSale), "soldOut": .bool(!product.isInStock), "sku": .string(product.sku),
        ]
        if product.isOnSale, let compare = product.compareAtPrice { card["compareAtPrice"] = .string(compare.formatted) }
        if let image = images.cardImage(of: group) { card["image"] = picture(image, alt: "", place: .card) }
        if let summary = product.summary { card["summary"] = .string(summary) }
        return .object(card)
    }

    private func taxonLink(_ name: String, _ prefix: String) -> TemplateValue {
        taxonLinks[prefix + name] ?? Self.link(name, prefix, basePath: basePath)
    }

    private static func link(_ name: String, _ prefix: String, basePath: String) -> TemplateValue {
        .object(["name": .string(name), "url": .string(basePath + prefix + URLPath.encodeSegment(URLPath.slug(name)) + "/")])
    }

    func imageURL(_ image: String) -> String {
        image.hasPrefix("/") ? basePath + image : image
    }

    /// The `@id`s of the home page's shop-wide structured data.
    var merchantIDs: StructuredData.MerchantIDs { StructuredData.MerchantIDs(home: plan.store.absoluteURL(basePath + "/")) }

    func absoluteImageURL(_ image: String) -> String {
        image.hasPrefix("/") ? plan.store.absoluteURL(basePath + image) : image
    }
}
