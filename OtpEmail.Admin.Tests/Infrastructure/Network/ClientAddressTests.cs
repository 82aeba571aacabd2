using System.Net;
using OtpEmail.Admin.Infrastructure.Network;

namespace OtpEmail.Admin.Tests.Infrastructure.Network;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void AnIpv4ClientIsItsAddressAndAnIpv6ClientItsSlash64(string address, string partition) =>
        Assert.Equal(partition, ClientAddress.Partition(IPAddress.Parse(address)));

    [Fact]
    public void AnUnknownClientSharesOneBucket() => Assert.Equal("unknown", ClientAddress.Partition(null));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("203.0.113.7", false)]
    [InlineData("::ffff:203.0.113.7", false)]
    [InlineData("2001:db8::1", false)]
    public void OnlyAddressesOfThisMachineAreLoopback(string address, bool loopback) =>
        Assert.Equal(loopback, ClientAddress.IsLoopback(IPAddress.Parse(address)));

    [Fact]
    public void AnUnknownClientIsNotLoopback() => Assert.False(ClientAddress.IsLoopback(null));
}
