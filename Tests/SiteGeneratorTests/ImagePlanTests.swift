import Testing

@testable import SiteGenerator

/// The image plan: the widths chosen, the outputs and the social image, the `sizes` strings, the
/// cache keys, and the checks that refuse a file.
@Suite(.timeLimit(.minutes(1))) struct ImagePlanTests {
    @Test func widthsAreNeverWiderThanTheOriginal() {
        #expect(ImagePlan.widths(forOriginal: 4_000) == [320, 640, 960, 1280, 1600])
        #expect(ImagePlan.widths(forOriginal: 1_600) == [320, 640, 960, 1280, 1600])
        #expect(ImagePlan.widths(forOriginal: 1_000) == [320, 640, 960, 1000], "the original's own width, not upscaled")
        #expect(ImagePlan.widths(forOriginal: 320) == [320])
        #expect(ImagePlan.widths(forOriginal: 200) == [200])
        #expect(ImagePlan.widths(forOriginal: 0) == [])
        for width in [1, 319, 321, 959, 1599, 1601, 30_000] {
            let widths = ImagePlan.widths(forOriginal: width)
            #expect(widths == widths.sorted() && Set(widths).count == widths.count && widths.last! <= max(width, 1), "\(width)")
            #expect(widths.last == min(width, 1_600), "the sharpest copy the original allows, \(width)")
        }
    }

    @Test func outputsKeepTheAspectRatioAndTransparency() {
        let photo = ImagePlan.outputs(width: 4_000, height: 3_000, hasAlpha: false, avif: false)
        #expect(photo.count == 10)
        #expect(Set(photo.map(\.format)) == [.webp, .jpeg])
        #expect(photo.first { $0.width == 640 && $0.format == .jpeg }?.height == 480)
        let logo = ImagePlan.outputs(width: 1_000, height: 333, hasAlpha: true, avif: true)
        #expect(Set(logo.map(\.format)) == [.avif, .webp, .png], "PNG kept for transparency; AVIF only when opted in")
        #expect(logo.first { $0.width == 320 }?.height == 107)
        #expect(ImagePlan.socialImage(of: photo) == ImagePlan.Output(width: 1_280, height: 960, format: .jpeg), "the smallest of at least 1200 px")
        #expect(ImagePlan.socialImage(of: logo) == ImagePlan.Output(width: 1_000, height: 333, format: .png), "never AVIF; the widest there is")
    }

    @Test func sizesFollowTheThemesBreakpoints() {
        #expect(ImagePlan.Place.productMain.sizes == "(min-width: 56rem) min(35.5rem, 52vw), calc(100vw - 2rem)")
        #expect(ImagePlan.Place.card.sizes == "(min-width: 64rem) min(17rem, 24vw), (min-width: 40rem) 31vw, 48vw")
        // The gallery fits a portrait photo into its square: drawn at 2/3 of the slot's width.
        #expect(
            ImagePlan.Place.productMain.sizes(width: 2_000, height: 3_000)
                == "(min-width: 56rem) calc(min(35.5rem, 52vw) * 0.67), calc((100vw - 2rem) * 0.67)")
        #expect(ImagePlan.Place.productMain.sizes(width: 3_000, height: 2_000) == ImagePlan.Place.productMain.sizes, "a landscape photo fills the width")
        // A card fills its square: a landscape photo is drawn 1.5 times as wide as the slot.
        #expect(
            ImagePlan.Place.card.sizes(width: 3_000, height: 2_000)
                == "(min-width: 64rem) calc(min(17rem, 24vw) * 1.50), (min-width: 40rem) calc(31vw * 1.50), calc(48vw * 1.50)")
        #expect(ImagePlan.Place.card.sizes(width: 2_000, height: 3_000) == ImagePlan.Place.card.sizes)
        #expect(ImagePlan.Place.prose.sizes(width: 2_000, height: 3_000) == ImagePlan.Place.prose.sizes, "text shows it at the column's width")
        // A 390 px phone at 2x: the main image's slot is 358 CSS px, 716 device px, so 960 w is chosen.
        let slot = (390 - 32) * 2
        #expect(ImagePlan.widths(forOriginal: 3_000).first { $0 >= slot } == 960)
    }

    @Test func aFileIsRefusedWhenItsBytesOrItsPixelsAreWrong() {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]
        let webp = Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)
        let svg = Array("\u{FEFF}<?xml version=\"1.0\"?>\n<!-- logo -->\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8)
        #expect(ImagePlan.Format(sniffing: jpeg) == .jpeg)
        #expect(ImagePlan.Format(sniffing: png) == .png)
        #expect(ImagePlan.Format(sniffing: webp) == .webp)
        #expect(ImagePlan.Format(sniffing: svg) == .svg)
        #expect(ImagePlan.Format(sniffing: Array("GIF89a..".utf8)) == .gif)
        #expect(ImagePlan.Format(sniffing: [UInt8]()) == nil, "a zero-byte file")
        #expect(ImagePlan.Format(sniffing: Array("not an image".utf8)) == nil)
        #expect(ImagePlan.Format(sniffing: jpeg.prefix(2)) == nil, "truncated before its signature")

        #expect(ImagePlan.problem(fileExtension: "JPG", sniffed: .jpeg, width: 4_000, height: 3_000) == nil)
        #expect(ImagePlan.problem(fileExtension: "jpg", sniffed: .png, width: 10, height: 10) == "is named .jpg but holds a PNG image")
        #expect(ImagePlan.problem(fileExtension: "png", sniffed: nil, width: nil, height: nil)?.hasPrefix("is not a JPEG") == true)
        #expect(
            ImagePlan.problem(fileExtension: "png", sniffed: .png, width: 30_000, height: 30_000)
                == "has 30000 × 30000 pixels, more than the limit of 50 megapixels")
        #expect(ImagePlan.problem(fileExtension: "png", sniffed: .png, width: Int.max, height: 3)?.contains("more than the limit") == true)
        #expect(ImagePlan.problem(fileExtension: "png", sniffed: .png, width: 0, height: 5) == "has no pixels (0 × 5)")
        #expect(ImagePlan.problem(fileExtension: "png", sniffed: .png, width: 7_000, height: 7_000) == nil, "49 megapixels")
    }

    @Test func theCacheKeyChangesWithTheBytesAndEverySetting() {
        let outputs = ImagePlan.outputs(width: 2_000, height: 1_000, hasAlpha: false, avif: false)
        let key = ImagePlan.cacheKey(contentHash: 42, outputs: outputs, quality: 80, encoder: "vips-8.14")
        #expect(key == ImagePlan.cacheKey(contentHash: 42, outputs: outputs, quality: 80, encoder: "vips-8.14"))
        let others = [
            ImagePlan.cacheKey(contentHash: 43, outputs: outputs, quality: 80, encoder: "vips-8.14"),
            ImagePlan.cacheKey(
                contentHash: 42, outputs: ImagePlan.outputs(width: 2_000, height: 1_000, hasAlpha: false, avif: true), quality: 80, encoder: "vips-8.14"),
            ImagePlan.cacheKey(contentHash: 42, outputs: outputs, quality: 75, encoder: "vips-8.14"),
            ImagePlan.cacheKey(contentHash: 42, outputs: outputs, quality: 80, encoder: "vips-8.15"),
        ]
        #expect(Set(others + [key]).count == 5)
    }

    @Test func copiesAreNamedByTheSourceWidthAndFormat() {
        #expect(ImagePlan.copyPath(of: "hass-1kg.jpg", width: 640, format: .webp) == "images/_v/hass-1kg-640.webp")
        #expect(ImagePlan.copyPath(of: "farm/tote.v2.PNG", width: 320, format: .png) == "images/_v/farm/tote.v2-320.png")
        #expect(ImagePlan.copyPath(of: "a.jpeg", width: 1_600, format: .jpeg) == "images/_v/a-1600.jpg")
    }
}

/// WebP files without the metadata chunks libvips 8.14 writes even when told to strip them.
@Suite(.timeLimit(.minutes(1))) struct WebPChunksTests {
    static func chunk(_ fourCC: String, _ data: [UInt8]) -> [UInt8] {
        let size = UInt32(data.count)
        return Array(fourCC.utf8) + (0..<4).map { UInt8(truncatingIfNeeded: size >> (8 * $0)) } + data + (data.count % 2 == 1 ? [0] : [])
    }

    static func riff(_ chunks: [[UInt8]]) -> [UInt8] {
        let body = Array("WEBP".utf8) + chunks.joined()
        let size = UInt32(body.count)
        return Array("RIFF".utf8) + (0..<4).map { UInt8(truncatingIfNeeded: size >> (8 * $0)) } + body
    }

    @Test func metadataChunksAndTheirFlagsAreTakenOut() {
        // VP8X with the EXIF (0x08), XMP (0x04), ICC (0x20) and alpha (0x10) flags; then the
        // chunks, one of odd length (padded).
        let header = Self.chunk("VP8X", [0x3C, 0, 0, 0, 9, 0, 0, 9, 0, 0])
        let image = Self.chunk("VP8L", [1, 2, 3, 4, 5])
        let alpha = Self.chunk("ALPH", [7, 7])
        let file = Self.riff([header, Self.chunk("ICCP", [1, 2, 3]), alpha, image, Self.chunk("EXIF", Array("Exif\0\0GPS".utf8)), Self.chunk("XMP ", [9])])
        let stripped = WebPChunks.strippingMetadata(file)
        var expectedHeader = header
        expectedHeader[8] = 0x10
        #expect(stripped == Self.riff([expectedHeader, alpha, image]), "only the alpha flag is left, and the RIFF size is right")
        #expect(WebPChunks.strippingMetadata(stripped!) == stripped, "nothing more to take out")
    }

    @Test func whatIsNotAWholeWebPFileIsRefused() {
        let file = Self.riff([Self.chunk("VP8 ", [1, 2, 3, 4])])
        #expect(WebPChunks.strippingMetadata(Array(file.prefix(file.count - 3))) == nil, "a chunk longer than the file")
        #expect(WebPChunks.strippingMetadata(Array("RIFF\0\0\0\0WAVE".utf8)) == nil)
        #expect(WebPChunks.strippingMetadata([]) == nil)
    }
}
