import Testing

@testable import SiteGenerator

/// Images in Markdown text: which paths a text may show (for its page's input hash), and the
/// `<picture>` an `<img>` that cmark wrote becomes.
@Suite(.timeLimit(.minutes(1))) struct ProseImagesTests {
    @Test func thePathsATextMayShowAreFoundOnItsBytes() {
        #expect(ProseImages.referencedPaths("No pictures, [a link](/pages/faq/).") == [])
        #expect(ProseImages.referencedPaths("![a](/images/a.jpg) and ![b](/images/farm/b.png \"title\")") == ["/images/a.jpg", "/images/farm/b.png"])
        #expect(ProseImages.referencedPaths("酪梨 ![圖](/images/酪梨.jpg)") == ["/images/酪梨.jpg"])
        #expect(!ProseImages.mentionsImages("/image/ /images") && ProseImages.mentionsImages("x/images/"))
        #expect(!ProseImages.mentionsImages(""))
    }

    @Test func aPublishedImageBecomesAPictureAndOthersStayAsWritten() {
        var images = PublishedImages()
        images.images["/images/a.jpg"] = PublishedImages.Image(
            width: 1_000, height: 500,
            copies: [
                .jpeg: [(320, "/images/_v/a-320.jpg"), (1_000, "/images/_v/a-1000.jpg")],
                .webp: [(320, "/images/_v/a-320.webp"), (1_000, "/images/_v/a-1000.webp")],
            ])
        let html = "<p><img src=\"/shop/images/a.jpg\" alt=\"A &amp; B\" title=\"T\" /> <img src=\"https://x.test/b.jpg\" alt=\"\" /></p>\n"
        let sizes = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"
        #expect(
            ProseImages.rewrite(html, basePath: "/shop", images: images)
                == "<p><picture><source type=\"image/webp\" srcset=\"/shop/images/_v/a-320.webp 320w, /shop/images/_v/a-1000.webp 1000w\" sizes=\"\(sizes)\">"
                + "<img src=\"/shop/images/_v/a-1000.jpg\" srcset=\"/shop/images/_v/a-320.jpg 320w, /shop/images/_v/a-1000.jpg 1000w\" sizes=\"\(sizes)\" "
                + "width=\"1000\" height=\"500\" alt=\"A &amp; B\" title=\"T\" loading=\"lazy\" decoding=\"async\"></picture> "
                + "<img src=\"https://x.test/b.jpg\" alt=\"\" /></p>\n")
        #expect(ProseImages.rewrite(html, basePath: "/shop", images: PublishedImages()) == html, "no images, nothing to do")
    }
}
