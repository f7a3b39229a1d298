using System.Net.Http.Json;
using System.Text;
using Grantha.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Grantha.Tests.Api;

/// <summary>
/// Every route the app maps (read from its endpoint data sources, so a new route is covered without editing
/// this test), sent malformed bodies with a key that has the route's role: no answer is a 5xx (#10 item 5).
/// </summary>
public class MalformedRequestTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    const string Boundary = "grantha-test-boundary";

    static string Multipart(string boundary, string body) => $"--{boundary}\r\n{body}";

    static readonly string ManyFields = string.Join("&", Enumerable.Range(0, 1_100).Select(i => $"f{i}=1"));

    static readonly string ManyParts = string.Concat(Enumerable.Range(0, 1_100).Select(i =>
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\n1\r\n")) + $"--{Boundary}--\r\n";

    static readonly string FilePart =
        $"--{Boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"m.csv\"\r\nContent-Type: text/csv\r\n\r\n{BulkImportApiTests.Csv}\r\n";

    /// <summary>(what, Content-Type or null for none, body).</summary>
    static readonly (string What, string? ContentType, byte[] Body)[] Bodies =
    [
        ("no Content-Type", null, "{\"paths\":[\"m.csv\"]}"u8.ToArray()),
        ("multipart without a boundary", "multipart/form-data", Encoding.UTF8.GetBytes(FilePart + $"--{Boundary}--\r\n")),
        ("multipart with a 100-character boundary", "multipart/form-data; boundary=" + new string('b', 100),
            Encoding.UTF8.GetBytes(Multipart(new string('b', 100), "Content-Disposition: form-data; name=\"files\"; filename=\"m.csv\"\r\n\r\nx\r\n--" + new string('b', 100) + "--\r\n"))),
        ("truncated multipart", $"multipart/form-data; boundary={Boundary}", Encoding.UTF8.GetBytes(FilePart[..(FilePart.Length - 40)])),
        ("multipart that is not multipart", $"multipart/form-data; boundary={Boundary}", "just some text"u8.ToArray()),
        ("multipart with 1,100 fields", $"multipart/form-data; boundary={Boundary}", Encoding.UTF8.GetBytes(ManyParts)),
        ("a form with 1,100 fields", "application/x-www-form-urlencoded", Encoding.UTF8.GetBytes(ManyFields)),
        ("a form field over the length limit", "application/x-www-form-urlencoded", Encoding.UTF8.GetBytes("name=" + new string('n', 5_000_000))),
        ("JSON in an unknown charset", "application/json; charset=bogus", "{}"u8.ToArray()),
        ("JSON that is cut off", "application/json", "{\"paths\": [\"m.csv\""u8.ToArray()),
        ("JSON nested 5,000 deep", "application/json", Encoding.UTF8.GetBytes(new string('[', 5_000))),
        ("JSON that is not UTF-8", "application/json", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D]),
        ("JSON null", "application/json", "null"u8.ToArray()),
        ("JSON of the wrong types", "application/json",
            "{\"paths\": 5, \"name\": [], \"reason\": {}, \"kind\": 1, \"hostMap\": [1], \"autoApprove\": \"yes\", \"edits\": 7, \"taskIds\": \"x\"}"u8.ToArray()),
        ("JSON with null paths", "application/json", "{\"paths\": [null, \"\", \"\\u0000\"]}"u8.ToArray()),
        ("JSON declared as UTF-16 but sent as UTF-8", "application/json; charset=utf-16", "{\"paths\":[\"m.csv\"]}"u8.ToArray()),
        ("plain text", "text/plain", "hello"u8.ToArray()),
        ("a Content-Type that does not parse", ";;;=/", "{}"u8.ToArray()),
    ];

    /// <summary>A value for a route parameter: an id that exists (batch 1, import 1), a kind and an entity that exist.</summary>
    static string Value(RoutePatternParameterPart p) =>
        p.ParameterPolicies.Any(x => x.Content is "long" or "int") ? "1"
        : p.Name switch { "kind" => "raga", "documentName" => "v1", _ => "kalyani" };

    static string PathOf(RoutePattern pattern) => "/" + string.Join("/", pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart l => l.Content,
        RoutePatternSeparatorPart s => s.Content,
        RoutePatternParameterPart p => Value(p),
        _ => "",
    }))));

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Malformed_bodies_to_every_route_get_no_5xx_and_a_missing_or_weak_key_is_refused_first(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        // Batch 1 exists, so routes with a batch id reach their handlers.
        (await f.Client(Role.Operator).PostAsync(BulkImportApiTests.Batches, ApiFixture.Upload("m.csv", BulkImportApiTests.Csv), Ct)).EnsureSuccessStatusCode();
        File.WriteAllText(Path.Combine(f.ImportDir, "m.csv"), BulkImportApiTests.Csv);

        var routes = ((IEndpointRouteBuilder)f.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: PathOf(e.RoutePattern),
                Role: e.Metadata.GetOrderedMetadata<RequiredRole>() is { Count: > 0 } roles ? roles.Max(r => r.Role) : (Role?)null)))
            .OrderBy(r => r.Method == "DELETE") // the delete of batch 1 last, so the other routes find it
            .ToList();
        routes.Count.ShouldBeGreaterThan(40);
        routes.ShouldContain(r => r.Method == "POST" && r.Path == BulkImportApiTests.Batches);

        var failures = new List<string>();
        var sent = 0;
        foreach (var (method, path, role) in routes)
        {
            // Roles before the body: with no key 401, with the role below the route's 403, whatever the body.
            if (role is { } needed)
            {
                var (what, type, body) = Bodies[^1];
                foreach (var (caller, want) in new[] { ((Role?)null, 401), (needed > Role.Viewer ? needed - 1 : (Role?)null, needed > Role.Viewer ? 403 : 401) })
                {
                    var refused = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
                    if (type is not null) refused.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                    var got = (int)(await f.Client(caller).SendAsync(refused, HttpCompletionOption.ResponseHeadersRead, Ct)).StatusCode;
                    if (got != want) failures.Add($"{method} {path} with {(caller is null ? "no key" : caller + " key")} and {what}: {got}, not {want}");
                }
            }
            var client = f.Client(role);
            foreach (var (what, type, body) in Bodies)
            {
                var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
                if (type is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
                // Headers only: a stream (the event stream) answers and goes on; disposing the answer ends it.
                using var answer = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
                sent++;
                if ((int)answer.StatusCode >= 500)
                    failures.Add($"{method} {path} with {what}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync(Ct)}");
            }
        }
        sent.ShouldBe(routes.Count * Bodies.Length);
        failures.ShouldBeEmpty();
    }
}
