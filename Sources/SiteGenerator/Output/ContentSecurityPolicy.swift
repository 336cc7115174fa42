import Foundation
import StoreModel

/// The Content-Security-Policy the theme's pages satisfy: no inline script or style.
public enum ContentSecurityPolicy {
    /// The ECPay checkout hosts the checkout form may post to.
    static let gatewayFormTargets = ["https://payment.ecpay.com.tw", "https://payment-stage.ecpay.com.tw"]

    /// The policy for the storefront's pages given the order API's URL.
    public static func forPages(apiURL: String) -> String {
        var connect = ["'self'"]
        var forms = ["'self'"] + gatewayFormTargets
        if let origin = origin(of: apiURL) {
            connect.append(origin)
            forms.append(origin)
        }
        return [
            "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' https: data:",
            "connect-src \(connect.joined(separator: " "))", "form-action \(forms.joined(separator: " "))",
            "frame-ancestors 'none'", "base-uri 'self'", "object-src 'none'",
        ].joined(separator: "; ")
    }

    static func origin(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" }
        return String(url[..<schemeEnd.upperBound]) + host
    }
}
