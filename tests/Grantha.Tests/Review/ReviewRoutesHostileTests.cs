using System.Net;
using System.Text;
using Grantha.Api;
using Grantha.Tests.Api;

namespace Grantha.Tests.Review;

/// <summary>
/// Every route the review work added (review, catalog curation, export, krithis), sent what a careless or
/// hostile client sends: no key, a key too weak, a malformed body or query. Each answer is a 4xx, never a 5xx.
/// </summary>
public class ReviewRoutesHostileTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>(method, path, role it needs).</summary>
    static readonly (string Method, string Path, Role Role)[] Routes =
    [
        ("GET", "/v1/admin/review?batch=1", Role.Viewer),
        ("GET", "/v1/admin/review/1", Role.Viewer),
        ("GET", "/v1/admin/review/1/page", Role.Viewer),
        ("GET", "/v1/admin/review/bulk-approve/1", Role.Viewer),
        ("POST", "/v1/admin/review/1/approve", Role.Curator),
        ("POST", "/v1/admin/review/1/reject", Role.Curator),
        ("POST", "/v1/admin/review/1/defer", Role.Curator),
        ("POST", "/v1/admin/review/1/reopen", Role.Curator),
        ("POST", "/v1/admin/review/1/merge", Role.Curator),
        ("POST", "/v1/admin/review/1/choose", Role.Curator),
        ("POST", "/v1/admin/review/bulk-approve", Role.Curator),
        ("GET", "/v1/admin/catalog/raga", Role.Viewer),
        ("GET", "/v1/admin/catalog/raga/kalyani", Role.Viewer),
        ("GET", "/v1/admin/catalog/synonyms", Role.Viewer),
        ("GET", "/v1/admin/catalog/aliases", Role.Viewer),
        ("GET", "/v1/admin/catalog/history", Role.Viewer),
        ("POST", "/v1/admin/catalog/raga", Role.Curator),
        ("POST", "/v1/admin/catalog/raga/jeevanthika/merge", Role.Curator),
        ("POST", "/v1/admin/catalog/synonyms", Role.Curator),
        ("GET", "/v1/admin/export?batch=1&format=csv", Role.Viewer),
        ("GET", "/v1/admin/krithis", Role.Viewer),
        ("GET", "/v1/admin/krithis/1", Role.Viewer),
    ];

    static readonly string[] MalformedBodies = ["{\"reason\": [", "[]", "\"text\"", "{\"krithiId\": \"x\", \"batch\": -1, \"edits\": 5}", "null", new string('{', 5000)];

    static HttpRequestMessage Request(string method, string path, string? body, string? contentType = "application/json")
    {
        var m = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            // Set by hand: the client refuses to build a content type as broken as some clients send.
            m.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            m.Content.Headers.TryAddWithoutValidation("Content-Type", contentType ?? "application/json");
        }
        m.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        return m;
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task No_key_a_weak_key_and_malformed_requests_get_4xx_on_every_review_route(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var weaker = new Dictionary<Role, Role?> { [Role.Viewer] = null, [Role.Curator] = Role.Viewer };
        var seen = new List<string>();
        async Task Expect(HttpRequestMessage request, HttpClient client, string what, HttpStatusCode? exactly = null)
        {
            var answer = await client.SendAsync(request, Ct);
            var code = (int)answer.StatusCode;
            seen.Add($"{what} {request.Method} {request.RequestUri} -> {code}");
            if (exactly is { } e) answer.StatusCode.ShouldBe(e, what + " " + request.RequestUri);
            else code.ShouldBeInRange(400, 499, $"{what} {request.Method} {request.RequestUri}");
        }

        foreach (var (method, path, role) in Routes)
        {
            await Expect(Request(method, path, method == "POST" ? MalformedBodies[0] : null), f.Client(null), "no key", HttpStatusCode.Unauthorized);
            if (weaker[role] is { } weak)
                await Expect(Request(method, path, MalformedBodies[0]), f.Client(weak), "weak key", HttpStatusCode.Forbidden);
            if (method == "POST")
            {
                foreach (var body in MalformedBodies)
                    await Expect(Request(method, path, body), f.Client(role), "malformed body");
                await Expect(Request(method, path, "a=1", "application/x-www-form-urlencoded"), f.Client(role), "wrong content type");
                await Expect(Request(method, path, "{}", "application/json; charset=bogus"), f.Client(role), "bogus charset");
            }
        }
        // Malformed queries and ids on the reads.
        foreach (var path in new[]
                 {
                     "/v1/admin/review?batch=x", "/v1/admin/review?minQuality=2", "/v1/admin/review?raga=%00&text=" + new string('a', 300),
                     "/v1/admin/review?flag=nope", "/v1/admin/review?sort=sideways", "/v1/admin/review?after=%25%25", "/v1/admin/review?kshetraMax=NaNx",
                     "/v1/admin/review/99999999999", "/v1/admin/review/99999/page", "/v1/admin/review/bulk-approve/99999",
                     "/v1/admin/catalog/planet", "/v1/admin/catalog/raga/no-such-raga", "/v1/admin/catalog/history?after=-5&limit=x",
                     "/v1/admin/export?batch=99999&format=csv", "/v1/admin/export?format=xlsx", "/v1/admin/krithis?after=x", "/v1/admin/krithis/0",
                 })
            await Expect(Request("GET", path, null), f.Client(Role.Admin), "malformed query");
        seen.Count.ShouldBeGreaterThan(100);
    }
}
