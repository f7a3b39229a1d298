using System.Text;
using System.Text.Json;
using Grantha.Engine;

namespace Grantha.Api;

/// <summary>
/// The event log as server-sent events (docs/dashboard.md, docs/api.http): <c>GET /v1/admin/stream?batch=N</c> for one batch's events,
/// without <c>batch</c> for the overview (every batch's batch- and job-level events). Each event carries its id;
/// a client that reconnects sends <c>Last-Event-ID</c> (or <c>?after=</c>) and gets what it missed from the log,
/// then the live tail, nothing lost and nothing twice. All streams of a process share one <see cref="EventFeed"/>.
/// </summary>
public static class EventStreamApi
{
    /// <summary>A comment line this often keeps proxies and browsers from closing an idle stream.</summary>
    static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEventStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/admin/stream", StreamAsync).RequireRole(Role.Viewer).WithTags("Events")
            .WithSummary("Server-sent events: one batch's events (?batch=N) or the overview of batch and job events; resumes from Last-Event-ID or ?after=")
            .Produces(200, contentType: "text/event-stream");
        return app;
    }

    static async Task<IResult> StreamAsync(HttpContext http, Db db, EventFeed feed, long? batch, long? after, CancellationToken ct)
    {
        var lastId = http.Request.Headers["Last-Event-ID"].FirstOrDefault();
        long? resume = after;
        if (!string.IsNullOrWhiteSpace(lastId))
        {
            if (!long.TryParse(lastId.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                return TypedResults.Problem(title: "Bad Last-Event-ID", detail: "Last-Event-ID is the id of the last event received: a whole number.", statusCode: 400);
            resume = id;
        }
        if (resume is < 0)
            return TypedResults.Problem(title: "Bad after", detail: "after is an event id: 0 or more.", statusCode: 400);
        if (batch is { } b && await Batches.GetAsync(db, b, ct) is null) throw new BatchNotFoundException(b);

        using var subscription = await feed.SubscribeAsync(batch, ct);
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var json = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        await response.WriteAsync("retry: 2000\n\n", ct);
        await response.Body.FlushAsync(ct);

        try
        {
            // What the client missed, from the log, up to where the live tail takes over; and nothing it has seen
            // (a client may have read further than the feed has handed out yet).
            var sent = resume ?? subscription.From;
            var from = sent;
            while (from < subscription.From)
            {
                var page = await feed.BacklogAsync(batch, from, subscription.From, 1_000, ct);
                if (page.Count == 0) break;
                foreach (var e in page) await WriteAsync(response, e, json, ct);
                await response.Body.FlushAsync(ct);
                from = page[^1].Id;
            }
            sent = Math.Max(sent, from);
            var reader = subscription.Events;
            while (!ct.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(ct);
                beat.CancelAfter(Heartbeat);
                bool more;
                try { more = await reader.WaitToReadAsync(beat.Token); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await response.WriteAsync(": ping\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    continue;
                }
                if (!more) break; // the feed ended the stream (lagging, or shutting down): the client resumes
                while (reader.TryRead(out var e))
                {
                    if (e.Id <= sent) continue;
                    await WriteAsync(response, e, json, ct);
                    sent = e.Id;
                }
                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e) when (e is SubscriberLaggedException or System.Threading.Channels.ChannelClosedException) { }
        return Results.Empty;
    }

    static Task WriteAsync(HttpResponse response, Event e, JsonSerializerOptions json, CancellationToken ct)
    {
        var text = new StringBuilder(256)
            .Append("id: ").Append(e.Id).Append('\n')
            .Append("event: ").Append(e.Kind).Append('\n')
            .Append("data: ").Append(JsonSerializer.Serialize(e, json)).Append("\n\n");
        return response.WriteAsync(text.ToString(), ct);
    }
}
