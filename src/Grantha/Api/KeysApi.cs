using Grantha.Engine;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grantha.Api;

/// <summary>/v1/admin/keys: list, create and revoke API keys (admin only). Secrets are shown once, at creation.</summary>
public static class KeysApi
{
    public sealed record CreateKeyJson(string? Name, string? Role);
    public sealed record KeyCreated(string Name, string Role, string Key);
    public sealed record WhoAmI(string Role);

    /// <summary>
    /// GET /v1/admin/whoami: the role of the key sent, so a screen shows only what the key may do. The role only:
    /// a key's name is never in a response (it would tell who holds which key).
    /// </summary>
    public static IEndpointRouteBuilder MapWhoAmI(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/admin/whoami", (HttpContext http) => TypedResults.Ok(new WhoAmI((http.KeyRole() ?? Role.Viewer).ToString().ToLowerInvariant())))
            .RequireRole(Role.Viewer).WithTags("API keys").WithSummary("The role of the key sent (viewer, curator, operator, admin); never its name");
        return app;
    }

    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin/keys").WithTags("API keys").RequireRole(Role.Admin);
        admin.MapGet("", async (Db db, CancellationToken ct) => TypedResults.Ok(await ApiKeys.ListAsync(db, ct)))
            .WithSummary("Every key with its role, created and revoked times (never a secret)");
        admin.MapPost("", async Task<Results<Created<KeyCreated>, ProblemHttpResult>> (CreateKeyJson body, Db db, HttpContext http, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(body.Name)) return TypedResults.Problem(title: "Bad request", detail: "Give the key a name (who or what uses it).", statusCode: 400);
            var role = ApiKeys.ParseRole(body.Role ?? "viewer");
            var key = await ApiKeys.CreateAsync(db, body.Name, role, http.Actor(), ct);
            return TypedResults.Created("/v1/admin/keys", new KeyCreated(body.Name.Trim(), role.ToString().ToLowerInvariant(), key));
        }).WithSummary("Create a key; the answer holds its secret, shown only this once").ProducesProblem(400);
        admin.MapPost("/{name}/revoke", async Task<Results<Ok<ApiKey>, ProblemHttpResult>> (string name, Db db, HttpContext http, CancellationToken ct) =>
            await ApiKeys.RevokeAsync(db, name, http.Actor(), ct) is { } revoked
                ? TypedResults.Ok(revoked)
                : TypedResults.Problem(title: "Not found", detail: "No key has that name (GET /v1/admin/keys lists them).", statusCode: 404))
            .WithSummary("Revoke a key: requests with it get 401 from the next one on (an event records who revoked it)")
            .ProducesProblem(404).ProducesProblem(409);
        return app;
    }
}
