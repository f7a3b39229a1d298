using System.Net.Http.Headers;
using Grantha.Engine;
using Grantha.Fetch;

namespace Grantha.Tests.Fetch;

public class FetchErrorsTests
{
    [Theory]
    [InlineData(200, null, null)]
    [InlineData(404, ErrorKind.Permanent, "not_found")]
    [InlineData(410, ErrorKind.Permanent, "not_found")]
    [InlineData(401, ErrorKind.Permanent, "http_401")]
    [InlineData(451, ErrorKind.Permanent, "http_451")]
    [InlineData(408, ErrorKind.Transient, "timeout")]
    [InlineData(429, ErrorKind.Transient, "rate_limited")]
    [InlineData(500, ErrorKind.Transient, "server_error")]
    [InlineData(504, ErrorKind.Transient, "server_error")]
    public void Statuses_map_to_one_kind_and_code(int status, ErrorKind? kind, string? code)
    {
        var e = FetchErrors.ForStatus(status, "http://x.test/");
        e?.Kind.ShouldBe(kind!.Value);
        e?.Code.ShouldBe(code);
        e?.HttpStatus.ShouldBe(status);
        (e is null).ShouldBe(code is null);
    }

    [Fact]
    public void Retry_After_is_read_as_seconds_or_as_a_date()
    {
        var now = new DateTimeOffset(2024, 1, 1, 12, 0, 0, TimeSpan.Zero);
        FetchErrors.RetryAfter(RetryConditionHeaderValue.Parse("120"), now).ShouldBe(TimeSpan.FromSeconds(120));
        FetchErrors.RetryAfter(RetryConditionHeaderValue.Parse("Mon, 01 Jan 2024 12:00:30 GMT"), now).ShouldBe(TimeSpan.FromSeconds(30));
        FetchErrors.RetryAfter(RetryConditionHeaderValue.Parse("Mon, 01 Jan 2024 11:00:00 GMT"), now).ShouldBe(TimeSpan.Zero);
        FetchErrors.RetryAfter(null, now).ShouldBeNull();
        FetchErrors.ForStatus(429, "http://x.test/", TimeSpan.FromSeconds(30))!.RetryAfter.ShouldBe(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_refused_connection_is_transient_connection_failed()
    {
        // A port nobody listens on: bind one, then close it.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new FetchClient(new FetchOptions());

        var e = await Should.ThrowAsync<StageException>(() => client.SendAsync(new Uri($"http://127.0.0.1:{port}/"), offline: true, null,
            new BodyRule(1000, HtmlOnly: true), TestContext.Current.CancellationToken));

        (e.Kind, e.Code, e.HttpStatus).ShouldBe((ErrorKind.Transient, "connection_failed", null));
    }
}
