using System.Text;
using Microsoft.Net.Http.Headers;

namespace Grantha.Api;

/// <summary>
/// A body whose Content-Type names a charset no decoder knows (`application/json; charset=bogus`) is answered
/// 415 before any route reads it: the framework's JSON binding throws on it, which surfaced as a 500.
/// </summary>
public static class RequestCharset
{
    public static IApplicationBuilder UseKnownCharsets(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.ContentType is { Length: > 0 } type && MediaTypeHeaderValue.TryParse(type, out var media)
            && media.Charset.HasValue && !Known(media.Charset.Value.Trim('"')))
        {
            await Results.Problem(title: "Unsupported charset",
                detail: "The request's Content-Type names a charset this server cannot decode; send UTF-8 (charset=utf-8) or no charset.",
                statusCode: StatusCodes.Status415UnsupportedMediaType).ExecuteAsync(http);
            return;
        }
        await next(http);
    });

    static bool Known(string charset)
    {
        try { _ = Encoding.GetEncoding(charset); return true; }
        catch (ArgumentException) { return false; }
    }
}
