import Foundation
import Mustache
import Testing

@testable import SiteGenerator

/// The compiled Mustache renderer: each feature of the subset against the output Mustache
/// prescribes, and every case also against swift-mustache itself, which rendered the theme before
/// (the two must produce the same bytes, whitespace included).
@Suite(.timeLimit(.minutes(2))) struct CompiledTemplateTests {
    /// Renders `template` (named "main", with `partials`) through both renderers; returns the compiled output.
    static func render(
        _ template: String, _ context: TemplateValue, partials: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        var sources = partials
        sources["main"] = template
        let compiled = try CompiledTemplates(sources: sources)
        var library = MustacheLibrary()
        for (name, text) in sources { try library.register(text, named: name) }
        let reference = library.render(context.anyValue, withTemplate: "main") ?? ""
        let output = String(decoding: compiled.render("main", context) ?? [], as: UTF8.self)
        #expect(output == reference, "compiled output differs from swift-mustache for \(template.debugDescription)", sourceLocation: sourceLocation)
        return output
    }

    @Test func interpolationEscapesHTMLUnlessTripleOrAmpersand() throws {
        let context: TemplateValue = .object(["a": .string(#"<b> & "q" 'x'"#), "n": 42, "t": true, "f": false])
        #expect(
            try Self.render("{{a}}|{{{a}}}|{{&a}}|{{ a }}|{{n}}|{{t}}|{{f}}|{{missing}}.", context)
                == #"&lt;b&gt; &amp; &quot;q&quot; &#39;x&#39;|<b> & "q" 'x'|<b> & "q" 'x'|&lt;b&gt; &amp; &quot;q&quot; &#39;x&#39;|42|true|false|."#)
    }

    @Test func escapingWorksOnCharactersLikeSwiftMustache() throws {
        // A combining mark makes "<" part of a longer character, which swift-mustache leaves alone.
        let context: TemplateValue = .object(["a": .string("<\u{301}b> é<i> 中文&amp; \u{600}<")])
        let output = try Self.render("{{a}}", context)
        #expect(output == "<\u{301}b&gt; é&lt;i&gt; 中文&amp;amp; \u{600}<")
    }

    @Test func dottedNamesWalkTheStackButAnchoredNamesDoNot() throws {
        let context: TemplateValue = .object([
            "site": .object(["name": "Farm", "contact": .object(["email": "a@b.c"])]),
            "name": "outer",
            "inner": .object(["x": "1"]),
        ])
        #expect(
            try Self.render("{{site.contact.email}} {{site.missing.email}} {{#inner}}{{name}}/{{.name}}/{{x}}/{{.x}}{{/inner}}", context)
                == "a@b.c  outer//1/1")
        #expect(try Self.render("{{#inner}}{{site.name}}{{/inner}} {{#site}}{{inner.x}}{{/site}}", context) == "Farm 1")
        // A first part found higher up the stack never falls back further down for the rest.
        let shadowed: TemplateValue = .object(["site": .object(["name": "Farm"]), "inner": .object(["site": .object(["other": "o"])])])
        #expect(try Self.render("{{#inner}}[{{site.name}}]{{/inner}}", shadowed) == "[]")
    }

    @Test func sectionsOverListsObjectsBooleansAndStrings() throws {
        let context: TemplateValue = .object([
            "items": .objects([["n": "a"], ["n": "b"], ["n": "c"]]),
            "empty": .list([]), "yes": true, "no": false, "zero": 0, "blank": "", "word": "hi",
            "obj": .object(["n": "o"]),
        ])
        #expect(try Self.render("{{#items}}[{{n}}]{{/items}}{{#empty}}E{{/empty}}{{#yes}}Y{{/yes}}{{#no}}N{{/no}}", context) == "[a][b][c]Y")
        #expect(
            try Self.render(
                "{{#zero}}0 is set{{/zero}} {{#blank}}'{{.}}' is set{{/blank}} {{#word}}{{.}}!{{/word}} {{#obj}}{{n}}{{/obj}} {{#nothing}}X{{/nothing}}",
                context)
                == "0 is set '' is set hi! o ")
        #expect(
            try Self.render("{{^items}}I{{/items}}{{^empty}}E{{/empty}}{{^yes}}Y{{/yes}}{{^no}}N{{/no}}{{^nothing}}M{{/nothing}}{{^word}}W{{/word}}", context)
                == "ENM")
    }

    @Test func sequencePositionTransforms() throws {
        let context: TemplateValue = .object(["items": .list(["a", "b", "c"]), "one": .list(["x"])])
        #expect(
            try Self.render(
                "{{#items}}{{#first()}}<{{/first()}}{{.}}{{index()}}{{#even()}}e{{/even()}}{{#odd()}}o{{/odd()}}{{^last()}},{{/last()}}{{#last()}}>{{/last()}}{{/items}}",
                context)
                == "<a0e,b1o,c2e>")
        #expect(try Self.render("{{#one}}{{#first()}}F{{/first()}}{{#last()}}L{{/last()}}{{/one}}", context) == "FL")
        // Outside a list, and inside an object pushed by a section, there is no position.
        #expect(try Self.render("{{#first()}}never{{/first()}}{{^first()}}none{{/first()}}", context) == "none")
    }

    @Test func standaloneTagsTakeTheirWholeLine() throws {
        let context: TemplateValue = .object(["list": .list(["a", "b"]), "on": true])
        let template = "top\n  {{#list}}\n  - {{.}}\n  {{/list}}\n{{! a comment }}\n\t{{^on}}\nhidden\n{{/on}}\nend {{#on}}inline{{/on}} \n"
        #expect(try Self.render(template, context) == "top\n  - a\n  - b\nend inline \n")
        #expect(try Self.render("a\r\n{{#on}}\r\nb\r\n{{/on}}\r\nc", context) == "a\r\nb\r\nc")
        #expect(try Self.render("  {{#on}}x{{/on}}  \n", context) == "  x  \n")
    }

    @Test func partialsAreIndentedWhenStandalone() throws {
        let partials = ["item": "<li>{{name}}</li>\n<li>again</li>\n", "inline": "[{{name}}]", "value": "<b>{{.}}</b>\n"]
        let context: TemplateValue = .object(["name": "n", "list": .list(["1", "2"])])
        #expect(
            try Self.render("<ul>\n  {{> item}}\n</ul>\nx {{>inline}} y\n{{> missing}}", context, partials: partials)
                == "<ul>\n  <li>n</li>\n  <li>again</li>\n</ul>\nx [n] y\n")
        #expect(
            try Self.render("{{#list}}\n    {{> value}}\n{{/list}}\n", context, partials: partials)
                == "    <b>1</b>\n    <b>2</b>\n")
    }

    @Test func inheritanceOverridesBlocksOutermostFirst() throws {
        let partials = [
            "base": "<title>{{$title}}Default{{/title}}</title>\n<main>\n{{$main}}{{/main}}\n</main>\n",
            "middle": "{{<base}}{{$title}}Middle{{/title}}{{$main}}middle body{{/main}}{{/base}}",
        ]
        let context: TemplateValue = .object(["x": "X"])
        #expect(
            try Self.render("{{<base}}\n{{$main}}\n<p>{{x}}</p>\n{{/main}}\n{{/base}}\n", context, partials: partials)
                == "<title>Default</title>\n<main>\n<p>X</p>\n\n</main>\n")
        #expect(
            try Self.render("{{<middle}}{{$title}}Outer{{/title}}{{/middle}}", context, partials: partials)
                == "<title>Outer</title>\n<main>\nmiddle body\n</main>\n")
    }

    @Test func setDelimitersChangeTheTagMarkers() throws {
        let context: TemplateValue = .object(["a": "<1>"])
        #expect(try Self.render("{{=<% %>=}}\n<% a %> {{a}} <%={{ }}=%>{{a}}", context) == "&lt;1&gt; {{a}} &lt;1&gt;")
    }

    @Test func featuresOutsideTheSubsetAreRefused() {
        for template in ["{{uppercased(name)}}", "{{>*dynamic}}", "{{%CONTENT_TYPE:TEXT}}", "{{#a}}unclosed", "{{#a}}x{{/b}}", "{{.(first)}}"] {
            #expect(throws: TemplateCompiler.Unsupported.self, "\(template)") { try TemplateCompiler.compile(template) }
        }
    }

    @Test func theDefaultThemeCompiles() throws {
        let directory = repositoryRoot.appendingPathComponent("themes/default").path
        let theme = try Theme.load(directories: [directory], locale: "en")
        #expect(theme.compiled != nil, "the default theme must stay inside the compiled subset")
    }

    /// Random templates made of the subset's pieces, with random contexts: the compiled renderer
    /// must produce exactly what swift-mustache produces (or both must refuse the template).
    @Test func randomTemplatesRenderLikeSwiftMustache() throws {
        var random = SplitMix(seed: 20_260_101)
        let names = ["a", "b", "list", "obj", "flag", "a.b", ".a", "obj.a", "missing"]
        let pieces: [(inout SplitMix) -> String] = [
            { _ in "text" }, { _ in " " }, { _ in "  " }, { _ in "\t" }, { _ in "\n" }, { _ in "\r\n" }, { _ in "<&>" },
            { r in "{{\(names[r.next(names.count)])}}" }, { r in "{{{\(names[r.next(names.count)])}}}" },
            { r in "{{#\(names[r.next(names.count)])}}" }, { r in "{{^\(names[r.next(names.count)])}}" }, { _ in "{{/}}" },
            { _ in "{{.}}" }, { _ in "{{! note }}" }, { _ in "{{> part}}" }, { _ in "{{#first()}}" }, { _ in "{{#last()}}" }, { _ in "{{index()}}" },
        ]
        var compared = 0
        for _ in 0..<3000 {
            var template = ""
            var open: [String] = []
            for _ in 0..<(4 + random.next(24)) {
                var piece = pieces[random.next(pieces.count)](&random)
                if piece == "{{/}}" {
                    guard let name = open.popLast() else { continue }
                    piece = "{{/\(name)}}"
                } else if piece.hasPrefix("{{#") || piece.hasPrefix("{{^") {
                    open.append(String(piece.dropFirst(3).dropLast(2)))
                }
                template += piece
            }
            while let name = open.popLast() { template += (random.next(2) == 0 ? "\n" : "") + "{{/\(name)}}" }
            let partial = random.next(2) == 0 ? "p{{a}}\n  q\n" : "[{{#list}}{{.}}{{/list}}]"
            let context = Self.randomContext(&random, depth: 0)
            var library = MustacheLibrary()
            do {
                try library.register(template, named: "main")
                try library.register(partial, named: "part")
            } catch {
                continue
            }
            let compiled = try CompiledTemplates(sources: ["main": template, "part": partial])
            let expected = library.render(context.anyValue, withTemplate: "main") ?? ""
            let actual = String(decoding: compiled.render("main", context) ?? [], as: UTF8.self)
            #expect(actual == expected, "template \(template.debugDescription)")
            compared += 1
        }
        #expect(compared > 2000)
    }

    private static func randomContext(_ random: inout SplitMix, depth: Int) -> TemplateValue {
        var members: [String: TemplateValue] = [:]
        let strings = ["x", "", "<i>&'\"", "line\nbreak", "中文"]
        for key in ["a", "b", "list", "obj", "flag"] where random.next(3) > 0 {
            switch random.next(depth < 2 ? 6 : 4) {
            case 0: members[key] = .string(strings[random.next(strings.count)])
            case 1: members[key] = .int(Int64(random.next(3)))
            case 2: members[key] = .bool(random.next(2) == 0)
            case 3: members[key] = .list((0..<random.next(3)).map { _ in .string(strings[random.next(strings.count)]) })
            case 4: members[key] = randomContext(&random, depth: depth + 1)
            default: members[key] = .list((0..<random.next(3)).map { _ in randomContext(&random, depth: depth + 1) })
            }
        }
        return .object(members)
    }
}

/// A small deterministic random generator for the differential tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
