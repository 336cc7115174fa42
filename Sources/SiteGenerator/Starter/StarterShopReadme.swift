extension StarterShop {
    /// The new shop's README.md: how to run it and what every `store.json` field means (JSON has
    /// no comments).
    static let readme = """
        # My Shop

        A shop made by `storefront new`. Everything is plain files: edit them and the site follows.

        ## Run it

        ```sh
        storefront serve      # the shop at http://127.0.0.1:8080, its order API and a payment sandbox
        storefront check      # validate the content, write nothing
        storefront build      # the static site in public/, ready for any CDN
        ```

        `storefront serve` rebuilds and reloads open pages when a file changes, prints the admin page's
        address and token, and keeps test orders in `.data/`. No theme folder is needed: the default
        theme is built into `storefront`. To change a template or the CSS, copy that one file from the
        default theme into `themes/my-theme/` (same relative path) and pass `--theme themes/my-theme`.

        ## Files

        ```
        content/store.json           the shop's settings (below)
        content/products/*.md        one product each: YAML front matter, then a Markdown description
        content/products/*.json      the same fields as JSON, "description" holding the Markdown
        content/pages/*.md           plain pages (about, FAQ, shipping, ...), linked in the footer
        content/images/              published at /images/ (refer to them as /images/name.jpg); each
                                     photo is resized to 320-1600 px, as WebP and JPEG, without its
                                     metadata (no GPS position from a phone)
        site-status.json             "open" or "closed", the closed message and an announcement banner
        ```

        ## `content/store.json`

        | field | meaning |
        |---|---|
        | `name` (required) | the shop's name, in the header, titles and e-mails |
        | `description` | one sentence for search engines and link previews |
        | `baseURL` (required) | the absolute URL the shop will be served from (`storefront serve` replaces it with its own address) |
        | `locale` | `en`, `zh-TW`, ...: the page language and the theme's UI strings |
        | `currency` (required) | ISO 4217 code (`USD`, `EUR`, `TWD`); prices are written in its major units (`12.99`) and shown as `US$12.99` everywhere |
        | `apiURL` | where the pages send orders; `/api` when the order API shares the shop's origin |
        | `paymentMethods` | any of `cash_on_delivery`, `stripe`, `credit_card` and `atm` (ECPay, TWD only); `storefront serve` fakes the gateways with its sandbox |
        | `shipping` | `flatFee` charged per order, free from `freeShippingThreshold` on (decimal strings) |
        | `contact` | `email`, `phone` and `address`, shown in the footer |
        | `pageSize` | products per listing page |

        Product fields: `title`, `sku` and `price` are required; `compareAtPrice` (a higher former
        price), `stock` (leave it out for untracked stock), `categories`, `tags`, `images`, `summary`,
        `brand`, `gtin`, `mpn`, `date` (the day it was added, `2026-11-20`, for the "newest" sort),
        `condition`, `saleEnds`, `returns` (`false` for what returns do not cover), `weight` (sort order)
        and `draft` are optional. An unknown field is an error, so
        a typo never goes unnoticed.

        """
}
