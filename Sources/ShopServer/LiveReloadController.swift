import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /__storefront/events` (a server-sent-events stream of build results) and
/// `GET /__storefront/live.js` (the script that reloads the page or shows a build error).
struct LiveReloadController<Context: RequestContext> {
    let hub: LiveReloadHub

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("events", use: events)
        group.get("live.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: LiveReloadScript.source)))
        }
    }

    @Sendable func events(_ request: Request, context: Context) async throws -> Response {
        let hub = self.hub
        let stream = hub.subscribe()
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "retry: 1000\n: connected\n\n"))
                // End with the server: a page's open stream must not hold up a graceful shutdown.
                try await withGracefulShutdownHandler {
                    for await event in stream {
                        try await writer.write(ByteBuffer(string: event.frame))
                    }
                } onGracefulShutdown: {
                    hub.finishAll()
                }
                try await writer.finish(nil)
            })
    }
}

/// The live-reload script. It uses only DOM and CSSOM calls, so the pages' Content-Security-Policy
/// (no inline script or style) still holds. A page that is left closes its stream (a page kept in
/// the back/forward cache would otherwise hold one of the browser's six connections to the host),
/// and a page brought back from that cache opens it again.
enum LiveReloadScript {
    static let source = """
        (() => {
          let events = null, overlay = null;
          const show = (message) => {
            if (!overlay) {
              overlay = document.createElement('pre');
              overlay.id = 'storefront-build-error';
              overlay.setAttribute('role', 'alert');
              Object.assign(overlay.style, {position: 'fixed', inset: '0', margin: '0', padding: '2rem', zIndex: '2147483647',
                background: 'rgba(40,0,0,.92)', color: '#fff', font: '14px/1.5 monospace', whiteSpace: 'pre-wrap', overflow: 'auto'});
              document.body.appendChild(overlay);
            }
            overlay.textContent = 'Build failed: the last good build is still served.\\n\\n' + message;
          };
          const connect = () => {
            events = new EventSource('\(ShopServerConfiguration.internalPrefix)/events');
            events.addEventListener('build-error', (e) => show(JSON.parse(e.data).message || 'unknown error'));
            events.addEventListener('reload', () => location.reload());
          };
          addEventListener('pagehide', () => { events.close(); });
          addEventListener('pageshow', (e) => { if (e.persisted) connect(); });
          connect();
        })();

        """
}
