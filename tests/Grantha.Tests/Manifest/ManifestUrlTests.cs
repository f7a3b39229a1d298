using System.Net;
using Grantha.Manifest;
using static Grantha.Manifest.ManifestErrorCode;

namespace Grantha.Tests.Manifest;

public class ManifestUrlTests
{
    [Theory]
    [InlineData("http://guru-guha.blogspot.com/2007/07/x.html", "http://guru-guha.blogspot.com/2007/07/x.html")]
    [InlineData("  HTTP://Guru-Guha.BlogSpot.COM/2007/07/X.html  ", "http://guru-guha.blogspot.com/2007/07/X.html")]
    [InlineData("http://guru-guha.blogspot.com:80/a", "http://guru-guha.blogspot.com/a")]
    [InlineData("https://guru-guha.blogspot.com:443/a", "https://guru-guha.blogspot.com/a")]
    [InlineData("http://guru-guha.blogspot.com:8080/a", "http://guru-guha.blogspot.com:8080/a")]
    [InlineData("https://guru-guha.blogspot.com:80/a", "https://guru-guha.blogspot.com:80/a")]
    [InlineData("http://guru-guha.blogspot.com/a.html#comments", "http://guru-guha.blogspot.com/a.html")]
    [InlineData("http://guru-guha.blogspot.com/2007/./07/../08/x.html", "http://guru-guha.blogspot.com/2007/08/x.html")]
    [InlineData("http://guru-guha.blogspot.com/a?b=2&a=1", "http://guru-guha.blogspot.com/a?b=2&a=1")]
    [InlineData("http://guru-guha.blogspot.com", "http://guru-guha.blogspot.com/")]
    [InlineData("http://guru-guha.blogspot.com/a?", "http://guru-guha.blogspot.com/a")]
    [InlineData("http://guru-guha.blogspot.com?m=1", "http://guru-guha.blogspot.com/?m=1")]
    [InlineData("http://guru-guha.blogspot.com/%2e%2e/x", "http://guru-guha.blogspot.com/x")]
    [InlineData("http://guru-guha.blogspot.com./a", "http://guru-guha.blogspot.com/a")]
    [InlineData("http://bücher.example/ä", "http://xn--bcher-kva.example/%C3%A4")]
    [InlineData("http://a.example/%7euser/%c3%a4", "http://a.example/~user/%C3%A4")]
    [InlineData("http://[2001:4860:4860:0:0:0:0:8888]/", "http://[2001:4860:4860::8888]/")]
    public void Normalizes(string url, string expected) => ManifestUrl.Normalize(url).ShouldBe(expected);

    [Fact]
    public void Reports_the_host_without_port()
    {
        var check = ManifestUrl.Check("http://Bücher.Example:8080/x");
        check.IsAccepted.ShouldBeTrue();
        check.Host.ShouldBe("xn--bcher-kva.example");
    }

    [Theory]
    [InlineData("", MissingUrl)]
    [InlineData("javascript:alert(1)", UnsupportedScheme)]
    [InlineData("file:///etc/passwd", UnsupportedScheme)]
    [InlineData("data:text/html,x", UnsupportedScheme)]
    [InlineData("ftp://guru-guha.blogspot.com/", UnsupportedScheme)]
    [InlineData("mailto:a@b.example", UnsupportedScheme)]
    [InlineData("/etc/passwd", BadUrl)]
    [InlineData("guru-guha.blogspot.com/x", BadUrl)]
    [InlineData("http:\\\\guru-guha.blogspot.com\\x", BadUrl)]
    [InlineData("http://guru-guha.blogspot.com/a b", BadUrl)]
    [InlineData("http://guru-guha.blogspot.com/a\u0001", BadUrl)]
    [InlineData("http://1.2.3.256/", BadUrl)]
    [InlineData("http://user:pw@guru-guha.blogspot.com/", UserinfoInUrl)]
    [InlineData("http://guru-guha.blogspot.com@evil.example/", UserinfoInUrl)]
    [InlineData("http://localhost/", PrivateAddress)]
    [InlineData("http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/", PrivateAddress)]
    [InlineData("http://0x7f000001/", PrivateAddress)]
    [InlineData("http://127.000.000.001/", PrivateAddress)]
    [InlineData("http://loc%61lhost/", BadUrl)]
    [InlineData("http://example.com\\@127.0.0.1/", BadUrl)]
    [InlineData("http://127.1/", PrivateAddress)]
    [InlineData("http://0x7f.1/", PrivateAddress)]
    [InlineData("http://2130706433/", PrivateAddress)]
    [InlineData("http://[::1]/", PrivateAddress)]
    [InlineData("http://[::ffff:127.0.0.1]/", PrivateAddress)]
    [InlineData("http://[fe80::1%25eth0]/", PrivateAddress)]
    [InlineData("http://169.254.169.254/latest/meta-data/", PrivateAddress)]
    public void Refuses(string url, string code)
    {
        var check = ManifestUrl.Check(url);
        check.ErrorCode.ShouldBe(code, check.ErrorMessage);
        check.ErrorMessage.ShouldNotBeNullOrWhiteSpace();
        check.NormalizedUrl.ShouldBeNull();
        Should.Throw<FormatException>(() => ManifestUrl.Normalize(url)).Message.ShouldStartWith(code + ":");
    }

    [Theory]
    [InlineData("0.1.2.3", "unspecified/this network")]
    [InlineData("10.0.0.1", "private network")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("127.255.0.1", "loopback")]
    [InlineData("169.254.0.1", "link-local")]
    [InlineData("172.16.0.1", "private network")]
    [InlineData("172.31.255.255", "private network")]
    [InlineData("192.168.0.1", "private network")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("255.255.255.255", "reserved/broadcast")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00::1", "unique local (private network)")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:192.168.0.1", "private network (inside an IPv6 address)")]
    [InlineData("64:ff9b::10.0.0.1", "private network (inside an IPv6 address)")]
    [InlineData("2002:7f00:1::", "loopback (inside an IPv6 address)")]
    public void Names_the_blocked_range(string address, string range) =>
        ManifestUrl.BlockedRange(IPAddress.Parse(address)).ShouldBe(range);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("142.250.183.1")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("::ffff:8.8.8.8")]
    public void Lets_public_addresses_through(string address) =>
        ManifestUrl.BlockedRange(IPAddress.Parse(address)).ShouldBeNull();
}
