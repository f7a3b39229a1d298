using Grantha.Engine;

namespace Grantha.Api;

/// <summary>The role a route needs (endpoint metadata; the strictest wins when groups nest).</summary>
public sealed record RequiredRole(Role Role);

/// <summary>
/// API keys and roles: 401 without a valid key, 403 when the key's role is too weak. Checked by a middleware
/// after routing and before the endpoint runs, so a request that may not act is refused before its body is
/// read or bound (a malformed body from a viewer is a 403, and an unauthenticated upload is never parsed).
/// </summary>
public static class Auth
{
    const string ActorItem = "grantha.actor";

    const string CheckedItem = "grantha.role-checked";

    const string RoleItem = "grantha.role";

    /// <summary>
    /// The route needs <paramref name="role"/>. The check runs in <see cref="UseApiKeys"/> before the body is read; the
    /// endpoint filter added here repeats it when a host has no such middleware, so a route is never open by omission.
    /// </summary>
    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, Role role) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredRole(role)).AddEndpointFilter(async (ctx, next) =>
            ctx.HttpContext.Items.ContainsKey(CheckedItem) ? await next(ctx)
                : await RefuseAsync(ctx.HttpContext) is { } refused ? refused : await next(ctx));

    /// <summary>The middleware: place it after routing (WebApplication routes first) and before the endpoints.</summary>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (await RefuseAsync(http) is { } refused) { await refused.ExecuteAsync(http); return; }
        await next(http);
    });

    /// <summary>Null when the request may go on (its actor recorded), else the 401 or 403 to answer.</summary>
    static async Task<IResult?> RefuseAsync(HttpContext http)
    {
        var roles = http.GetEndpoint()?.Metadata.GetOrderedMetadata<RequiredRole>();
        if (roles is not { Count: > 0 }) return null;
        var role = roles.Max(r => r.Role);
        var key = http.Request.Headers[ApiKeys.Header].FirstOrDefault()
                  ?? (http.Request.Headers.Authorization.FirstOrDefault() is { } a && a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? a[7..].Trim() : null);
        if (string.IsNullOrEmpty(key))
            return Results.Problem(title: "API key required", detail: $"Send your key in the {ApiKeys.Header} header (or Authorization: Bearer).", statusCode: 401);
        var db = http.RequestServices.GetRequiredService<Db>();
        if (await ApiKeys.FindAsync(db, key, http.RequestAborted) is not { } k)
            return Results.Problem(title: "Unknown API key", detail: "The key is not known or was revoked.", statusCode: 401);
        if (k.Role < role)
            // The key's role, never its name: a response or a log of it must not tell who holds which key.
            return Results.Problem(title: "Not allowed", detail: $"This needs the {role.ToString().ToLowerInvariant()} role; this key is {k.Role.ToString().ToLowerInvariant()}.", statusCode: 403);
        http.Items[ActorItem] = $"api:{k.Name}";
        http.Items[RoleItem] = k.Role;
        http.Items[CheckedItem] = true;
        return null;
    }

    /// <summary>The role of the request's key, once checked; null before (or on a route that needs none).</summary>
    public static Role? KeyRole(this HttpContext http) => http.Items[RoleItem] as Role?;

    /// <summary>Who acts, for the event log.</summary>
    public static string Actor(this HttpContext http) => http.Items[ActorItem] as string ?? "api:anonymous";
}
