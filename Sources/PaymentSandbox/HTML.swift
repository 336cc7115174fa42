import HTTPTypes
import Hummingbird
import NIOCore

/// Small HTML pages for the sandbox's hosted screens. Every interpolated value is escaped.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole page with the sandbox's banner.
    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>\(escape(title))</title>
        <style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem}
        .banner{background:#fff3cd;border:1px solid #e0c36a;padding:.5rem 1rem;border-radius:4px}
        button{font:inherit;padding:.5rem 1.2rem;margin:.25rem .5rem .25rem 0}dt{font-weight:bold}.mono{font-family:monospace}</style>
        </head><body>
        <p class="banner">Payment sandbox: no money moves. This page stands in for the payment gateway.</p>
        \(body)
        </body></html>
        """
    }

    /// A form with hidden fields and one submit button.
    static func form(action: String, fields: [String: String] = [:], buttonID: String, label: String, autoSubmit: Bool = false) -> String {
        let inputs = fields.sorted { $0.key < $1.key }.map { #"<input type="hidden" name="\#(escape($0.key))" value="\#(escape($0.value))">"# }
        let marker = autoSubmit ? " data-autosubmit" : ""
        return
            #"<form method="post" action="\#(escape(action))"\#(marker)>\#(inputs.joined())<button type="submit" id="\#(buttonID)">\#(escape(label))</button></form>"#
    }

    static func response(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// Submits a `form[data-autosubmit]` on load (served as a file: pages carry no inline script).
    static let autoSubmitScript = "document.querySelectorAll('form[data-autosubmit]').forEach(function(f){f.submit();});\n"
}
