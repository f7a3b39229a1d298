using System.Net;
using Grantha.Fetch;

namespace Grantha.Tests.Fetch;

public class AddressGuardTests
{
    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("142.250.80.33")]
    [InlineData("8.8.8.8")]
    [InlineData("2607:f8b0:4004:c07::64")]
    [InlineData("2a00:1450:4001:82a::2004")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2002:0808:0808::1")]       // 6to4 around a public v4
    [InlineData("64:ff9b::808:808")]        // NAT64 around a public v4
    public void Public_addresses_are_permitted(string address) =>
        AddressGuard.Permits(IPAddress.Parse(address), allowLoopback: false).ShouldBeTrue();

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.1.2.3")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]         // cloud metadata
    [InlineData("100.64.0.1")]              // carrier-grade NAT
    [InlineData("100.127.255.255")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]               // multicast
    [InlineData("255.255.255.255")]
    [InlineData("240.0.0.1")]
    [InlineData("198.18.0.1")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]        // IPv4-mapped loopback
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::127.0.0.1")]             // IPv4-compatible
    [InlineData("2002:7f00:0001::1")]       // 6to4 around 127.0.0.1
    [InlineData("64:ff9b::a00:1")]          // NAT64 around 10.0.0.1
    [InlineData("2001:db8::1")]
    public void Private_loopback_link_local_cgnat_multicast_and_unspecified_are_refused(string address) =>
        AddressGuard.Permits(IPAddress.Parse(address), allowLoopback: false).ShouldBeFalse();

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("8.8.8.8", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("192.168.0.10", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("fd00::1", false)]
    public void The_offline_site_opens_loopback_and_nothing_else(string address, bool permitted) =>
        AddressGuard.Permits(IPAddress.Parse(address), allowLoopback: true).ShouldBe(permitted);

    [Fact]
    public async Task The_connect_callback_refuses_a_name_that_resolves_to_loopback()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var e = await Should.ThrowAsync<AddressRefusedException>(async () => await FetchClient.ConnectAsync(new DnsEndPoint("localhost", port), allowLoopback: false, ct));
        e.Addresses.ShouldAllBe(a => IPAddress.IsLoopback(a));
        await using var stream = await FetchClient.ConnectAsync(new DnsEndPoint("127.0.0.1", port), allowLoopback: true, ct);
        stream.CanWrite.ShouldBeTrue();
    }
}
