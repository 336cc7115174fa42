// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Storefront",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "storefront", targets: ["storefront"]),
        .executable(name: "order-api", targets: ["order-api"]),
        .library(name: "StoreModel", targets: ["StoreModel"]),
        .library(name: "SiteGenerator", targets: ["SiteGenerator"]),
        .library(name: "OrderService", targets: ["OrderService"]),
        .library(name: "ShopServer", targets: ["ShopServer"]),
        .library(name: "PaymentProtocols", targets: ["PaymentProtocols"]),
        .library(name: "PaymentSandbox", targets: ["PaymentSandbox"]),
        .library(name: "Notifications", targets: ["Notifications"]),
        .executable(name: "payment-sandbox", targets: ["payment-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
    ],
    targets: [
        // Shared values: money, products, catalog loading, pricing, order states, site status.
        .target(
            name: "StoreModel",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // libcmark (Debian: libcmark-dev) for Markdown.
        .systemLibrary(
            name: "CCmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        // zlib (Debian: zlib1g-dev) for the search index's compressed term shards.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libvips (Debian: libvips-dev) for the image step: widths, WebP, JPEG, PNG, AVIF, EXIF
        // orientation, metadata stripped, SVG drawn for og:image. shim.h wraps its varargs calls.
        .systemLibrary(
            name: "CVips",
            pkgConfig: "vips",
            providers: [.apt(["libvips-dev"])]
        ),
        // Content to static site.
        .target(
            name: "SiteGenerator",
            dependencies: [
                "StoreModel", "CCmark", "CZlib", "CVips",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Gateway protocol code shared by the order API and the sandbox: ECPay CheckMacValue,
        // Stripe webhook signatures, form encoding (Foundation + swift-crypto only).
        .target(
            name: "PaymentProtocols",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // Telling people: an SMTP client and MIME messages, e-mail templates from the theme,
        // Standard Webhooks signatures, webhook delivery and retry timing. No storage, no HTTP server.
        .target(
            name: "Notifications",
            dependencies: [
                "StoreModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // The order API: Hummingbird application, storage, payments.
        .target(
            name: "OrderService",
            dependencies: [
                "StoreModel", "PaymentProtocols", "Notifications",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Resources/openapi.yaml")]
        ),
        // `storefront serve`: the built site, the order API and the payment sandbox on one origin.
        .target(
            name: "ShopServer",
            dependencies: [
                "SiteGenerator", "OrderService", "StoreModel", "PaymentSandbox", "Notifications",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A local stand-in for ECPay and Stripe, mountable in another Hummingbird app. Never linked
        // into `order-api`.
        .target(
            name: "PaymentSandbox",
            dependencies: [
                "PaymentProtocols",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "payment-sandbox",
            dependencies: [
                "PaymentSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "storefront",
            dependencies: [
                "SiteGenerator", "StoreModel", "ShopServer", "Notifications", "OrderService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "order-api",
            dependencies: [
                "OrderService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "StoreModelTests", dependencies: ["StoreModel"]),
        .testTarget(name: "SiteGeneratorTests", dependencies: ["SiteGenerator", "StoreModel"]),
        .testTarget(
            name: "OrderServiceTests",
            dependencies: [
                "OrderService", "StoreModel", "PaymentProtocols", "PaymentSandbox",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "StoreModel", "PaymentSandbox",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                // A real loopback receiver for the webhook sender's tests.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "PaymentSandboxTests",
            dependencies: [
                "PaymentProtocols", "PaymentSandbox",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
