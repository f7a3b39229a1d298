using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Grantha.Api;
using Grantha.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace Grantha.Tests.Api;

/// <summary>
/// The event log as server-sent events, both stores: live events arrive within a second, a resumed stream gets
/// what it missed and nothing twice, many streams cost the database no more reads than one, and on PostgreSQL
/// an event committed after a later-numbered one is not skipped.
/// </summary>
public class EventStreamTests
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Reads one stream's events (id, kind, batch) as they come; a pump reads the body, since a cancelled read would end the stream.</summary>
    sealed class Reader : IAsyncDisposable
    {
        readonly HttpResponseMessage _response;
        readonly System.Threading.Channels.Channel<(long Id, string Kind, long? BatchId)> _events = System.Threading.Channels.Channel.CreateUnbounded<(long, string, long?)>();
        readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        readonly Task _pump;

        Reader(HttpResponseMessage response, Stream body)
        {
            _response = response;
            _pump = PumpAsync(new StreamReader(body));
        }

        public static async Task<Reader> OpenAsync(HttpClient client, string path, long? lastEventId = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (lastEventId is { } id) request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            response.EnsureSuccessStatusCode();
            response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
            return new Reader(response, await response.Content.ReadAsStreamAsync(Ct));
        }

        async Task PumpAsync(StreamReader lines)
        {
            long? id = null;
            string? kind = null;
            try
            {
                while (await lines.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
                    else if (line.StartsWith("event: ", StringComparison.Ordinal)) kind = line[7..];
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        using var doc = JsonDocument.Parse(line[6..]);
                        doc.RootElement.GetProperty("id").GetInt64().ShouldBe(id!.Value);
                        var batch = doc.RootElement.GetProperty("batchId");
                        _events.Writer.TryWrite((id.Value, kind!, batch.ValueKind == JsonValueKind.Null ? null : batch.GetInt64()));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException) { }
            finally { _events.Writer.TryComplete(); lines.Dispose(); }
        }

        /// <summary>The next event, or null when none comes within <paramref name="within"/>.</summary>
        public async Task<(long Id, string Kind, long? BatchId)?> NextAsync(TimeSpan within)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(within);
            try
            {
                return await _events.Reader.WaitToReadAsync(timeout.Token) && _events.Reader.TryRead(out var e) ? e : null;
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested) { return null; }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _response.Dispose();
            await _pump;
        }
    }

    /// <summary>The stream's path starting after everything logged so far (the feed may not have caught up with the batch's own events yet).</summary>
    static async Task<string> FromNowAsync(Db db, string path) =>
        path + (path.Contains('?') ? "&" : "?") + "after=" + await db.ReadAsync(c => c.ExecuteScalarAsync<long>("SELECT COALESCE(MAX(id), 0) FROM event"));

    static async Task<long> BatchAsync(Db db, string name) =>
        await Batches.CreateAsync(db, name, new BatchOptions(), "test", ["FETCH"], (_, _, _) => Task.CompletedTask);

    static Task<long> AppendAsync(Db db, long batch, string kind, long? task = null) =>
        db.WriteAsync(async (c, tx) =>
        {
            await Events.AppendAsync(c, tx, new Event(batch, null, task, kind, "test", Db.NowMs()));
            return await c.ExecuteScalarAsync<long>("SELECT MAX(id) FROM event", transaction: tx);
        });

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Live_events_arrive_within_a_second_and_a_resumed_stream_misses_nothing_and_repeats_nothing(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var batch = await BatchAsync(f.Store.Db, "streamed");
        var other = await BatchAsync(f.Store.Db, "other");
        var viewer = f.Client(Role.Viewer);
        var seen = new List<long>();
        await using (var stream = await Reader.OpenAsync(viewer, await FromNowAsync(f.Store.Db, $"/v1/admin/stream?batch={batch}")))
        {
            for (var i = 0; i < 3; i++)
            {
                await AppendAsync(f.Store.Db, other, "elsewhere");
                var sw = Stopwatch.StartNew();
                var id = await AppendAsync(f.Store.Db, batch, $"step_{i}", task: i);
                var e = await stream.NextAsync(TimeSpan.FromSeconds(5));
                e.ShouldNotBeNull($"event {i} did not arrive");
                sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), $"event {i} took {sw.ElapsedMilliseconds} ms");
                e.Value.Id.ShouldBe(id);
                e.Value.Kind.ShouldBe($"step_{i}");
                e.Value.BatchId.ShouldBe(batch, "a batch's stream carries that batch's events only");
                seen.Add(id);
            }
        }
        // Gone after the first; meanwhile two more. Resumed from the first: the second and third from the log,
        // then the two written while away, then a live one; each once.
        var missed = new[] { await AppendAsync(f.Store.Db, batch, "while_away_1"), await AppendAsync(f.Store.Db, batch, "while_away_2") };
        await using (var resumed = await Reader.OpenAsync(viewer, $"/v1/admin/stream?batch={batch}", lastEventId: seen[0]))
        {
            var live = await AppendAsync(f.Store.Db, batch, "live");
            var got = new List<long>();
            while (await resumed.NextAsync(TimeSpan.FromSeconds(2)) is { } e) got.Add(e.Id);
            got.ShouldBe([seen[1], seen[2], .. missed, live]);
        }

        // The overview: batch- and job-level events of every batch, no task events.
        await using (var overview = await Reader.OpenAsync(viewer, await FromNowAsync(f.Store.Db, "/v1/admin/stream")))
        {
            await AppendAsync(f.Store.Db, batch, "task_level", task: 7);
            var batchLevel = await AppendAsync(f.Store.Db, other, "batch_level");
            var e = await overview.NextAsync(TimeSpan.FromSeconds(5));
            e.ShouldNotBeNull();
            e.Value.Id.ShouldBe(batchLevel);
        }
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task Many_streams_cost_the_database_what_one_does_and_bad_requests_are_4xx(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var batch = await BatchAsync(f.Store.Db, "busy");
        var feed = f.App.Services.GetRequiredService<EventFeed>();
        var streams = new List<Reader>();
        for (var i = 0; i < 20; i++) streams.Add(await Reader.OpenAsync(f.Client(Role.Viewer), await FromNowAsync(f.Store.Db, $"/v1/admin/stream?batch={batch}")));
        var before = feed.Reads;
        var id = await AppendAsync(f.Store.Db, batch, "for_everyone");
        foreach (var s in streams) (await s.NextAsync(TimeSpan.FromSeconds(5)))?.Id.ShouldBe(id);
        (feed.Reads - before).ShouldBeLessThanOrEqualTo(2, "one read of the log serves every open stream");
        foreach (var s in streams) await s.DisposeAsync();

        var viewer = f.Client(Role.Viewer);
        (await viewer.GetAsync("/v1/admin/stream?batch=999999", Ct)).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        var bad = new HttpRequestMessage(HttpMethod.Get, $"/v1/admin/stream?batch={batch}");
        bad.Headers.Add("Last-Event-ID", "yesterday");
        (await viewer.SendAsync(bad, Ct)).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await f.Client(null).GetAsync("/v1/admin/stream", Ct)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task On_PostgreSQL_an_event_committed_after_a_later_numbered_one_is_not_skipped()
    {
        await using var f = await ApiFixture.StartAsync("postgres");
        var batch = await BatchAsync(f.Store.Db, "interleaved");
        await using var stream = await Reader.OpenAsync(f.Client(Role.Viewer), await FromNowAsync(f.Store.Db, $"/v1/admin/stream?batch={batch}"));

        // A takes the lower id and stays open; B takes the higher one and commits first.
        await using var a = await f.Store.Db.OpenAsync(Ct);
        await using var txA = await a.BeginTransactionAsync(Ct);
        await Events.AppendAsync(a, txA, new Event(batch, null, null, "first_taken", "test", Db.NowMs()));
        var idA = await a.ExecuteScalarAsync<long>("SELECT MAX(id) FROM event", transaction: txA);
        var idB = await AppendAsync(f.Store.Db, batch, "committed_first");
        idB.ShouldBeGreaterThan(idA);
        (await stream.NextAsync(TimeSpan.FromMilliseconds(700))).ShouldBeNull("the later id must wait while a lower one may still commit");
        await txA.CommitAsync(Ct);
        (await stream.NextAsync(TimeSpan.FromSeconds(5)))?.Id.ShouldBe(idA);
        (await stream.NextAsync(TimeSpan.FromSeconds(5)))?.Id.ShouldBe(idB);
    }

    [Theory, MemberData(nameof(TestDb.Stores), MemberType = typeof(TestDb))]
    public async Task An_id_left_by_a_rolled_back_event_holds_the_stream_at_most_the_grace(string store)
    {
        await using var f = await ApiFixture.StartAsync(store);
        var batch = await BatchAsync(f.Store.Db, "rolled back");
        await using var stream = await Reader.OpenAsync(f.Client(Role.Viewer), await FromNowAsync(f.Store.Db, $"/v1/admin/stream?batch={batch}"));
        await using (var c = await f.Store.Db.OpenAsync(Ct))
        await using (var tx = await c.BeginTransactionAsync(Ct))
        {
            await Events.AppendAsync(c, tx, new Event(batch, null, null, "never", "test", Db.NowMs()));
            await tx.RollbackAsync(Ct);
        }
        var after = await AppendAsync(f.Store.Db, batch, "after_the_gap");
        var e = await stream.NextAsync(EventFeed.GapGrace + TimeSpan.FromSeconds(5));
        e.ShouldNotBeNull("a rolled-back id must not stop the stream for good");
        e.Value.Id.ShouldBe(after);
    }
}
