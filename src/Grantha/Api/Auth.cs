using Grantha.Engine;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Grantha.Api;

/// <summary>Endpoint filter: 401 without a valid key, 403 when the key's role is too weak.</summary>
public static class Auth
{
    const string ActorItem = "grantha.actor";

    public static TBuilder RequireRole<TBuilder>(this TBuilder builder, Role role) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (ctx, next) =>
        {
            var http = ctx.HttpContext;
            var key = http.Request.Headers[ApiKeys.Header].FirstOrDefault()
                      ?? (http.Request.Headers.Authorization.FirstOrDefault() is { } a && a.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? a[7..].Trim() : null);
            if (string.IsNullOrEmpty(key))
                return TypedResults.Problem(title: "API key required", detail: $"Send your key in the {ApiKeys.Header} header (or Authorization: Bearer).", statusCode: 401);
            var db = http.RequestServices.GetRequiredService<Db>();
            var found = await ApiKeys.FindAsync(db, key, http.RequestAborted);
            if (found is not { } k)
                return TypedResults.Problem(title: "Unknown API key", detail: "The key is not known or was revoked.", statusCode: 401);
            if (k.Role < role)
                return TypedResults.Problem(title: "Not allowed", detail: $"This needs the {role.ToString().ToLowerInvariant()} role; the key '{k.Name}' is {k.Role.ToString().ToLowerInvariant()}.", statusCode: 403);
            http.Items[ActorItem] = $"api:{k.Name}";
            return await next(ctx);
        });

    /// <summary>Who acts, for the event log.</summary>
    public static string Actor(this HttpContext http) => http.Items[ActorItem] as string ?? "api:anonymous";
}
