using Microsoft.Extensions.FileProviders;

namespace Grantha.Api;

/// <summary>
/// The admin dashboard (web/, built into artifacts/web) served at / beside the API, same origin: its static files,
/// index.html for client routes, and when it is not built a small page saying how to build it (the API works either way).
/// </summary>
public static class Dashboard
{
    /// <summary>
    /// The dashboard's own pages load only what they ship (Vite builds need no inline script) and talk only to this
    /// origin; the stored source pages are not served under this policy but by the review API's sandboxed route.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Paths that belong to the server: an unknown one is a 404 (problem details), never the dashboard.</summary>
    static readonly string[] ServerPrefixes = ["/v1", "/health", "/metrics", "/openapi", "/scalar"];

    /// <summary>The built folder: configuration's <c>Dashboard:Root</c>, else artifacts/web beside artifacts/app.</summary>
    public static string DefaultRoot(IConfiguration config) =>
        config["Dashboard:Root"] is { Length: > 0 } configured ? Path.GetFullPath(configured)
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "web"));

    public static bool IsBuilt(string root) => File.Exists(Path.Combine(root, "index.html"));

    /// <summary>Static files of the built dashboard (before the API's middleware: they need no key).</summary>
    public static void UseDashboardFiles(this WebApplication app, string root)
    {
        if (!IsBuilt(root)) return;
        // PhysicalFileProvider answers nothing outside its root (.., encoded or not) and no dot-files.
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            OnPrepareResponse = c =>
            {
                var headers = c.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                // Vite names assets by their content: cached for good. Anything else (index.html) is checked each time.
                headers.CacheControl = c.Context.Request.Path.StartsWithSegments("/assets") ? "public, max-age=31536000, immutable" : "no-cache";
            },
        });
    }

    /// <summary>/ and every client route: index.html, or the how-to-build page; server paths stay 404 problem details.</summary>
    public static void MapDashboard(this WebApplication app, string root)
    {
        var index = Path.Combine(root, "index.html");
        IResult Page(HttpContext http)
        {
            if (ServerPrefixes.Any(p => http.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
                return Results.Problem(title: "Not found", detail: "No such route: docs/api.http lists them.", statusCode: 404);
            http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.CacheControl = "no-cache";
            return File.Exists(index) ? Results.File(index, "text/html; charset=utf-8") : Results.Content(NotBuiltPage, "text/html; charset=utf-8");
        }
        app.MapGet("/", Page).ExcludeFromDescription();
        // {*path:nonfile}: a missing file (/assets/x.js) stays a 404 instead of becoming the page.
        // GET and HEAD only, so a wrong method on an API route stays a 405.
        app.MapFallback(Page).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"])).ExcludeFromDescription();
    }

    const string NotBuiltPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Sangita Grantha — dashboard not built</title></head>
        <body>
        <h1>The dashboard is not built</h1>
        <p>The API is running. To build the dashboard, install Node.js 20 (with npm) and run <code>./grantha serve</code> again:
        <code>./grantha</code> builds the web app into <code>artifacts/web</code> when Node is there.</p>
        <p>Meanwhile: the API reference at <a href="/scalar/v1">/scalar/v1</a>, every call by hand in <code>docs/api.http</code>.</p>
        </body></html>
        """;
}
