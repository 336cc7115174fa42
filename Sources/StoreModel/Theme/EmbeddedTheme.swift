import Foundation

/// The default theme compiled into every binary (`DefaultThemeFiles.swift`, written by
/// `scripts/embed-default-theme.py` from `themes/default`).
///
/// Every build starts from these files; a `themes/default` folder on disk and then the shop's own
/// theme folder override them file by file. So `storefront` works in a folder that holds only
/// `content/`, while theme work inside the repository stays live.
public enum EmbeddedTheme {
    /// How a file is written in the generated source.
    enum Source: Sendable {
        /// UTF-8 text, kept readable.
        case text(String)
        /// Any other bytes.
        case base64(String)
    }

    /// Every embedded file's bytes, by path relative to the theme folder (`templates/base.mustache`).
    public static let files: [String: Data] = sources.mapValues { source in
        switch source {
        case .text(let text): Data(text.utf8)
        case .base64(let encoded): Data(base64Encoded: encoded) ?? Data()
        }
    }
}
