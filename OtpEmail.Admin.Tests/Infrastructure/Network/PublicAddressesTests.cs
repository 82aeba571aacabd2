using System.Net;
using OtpEmail.Admin.Infrastructure.Network;

namespace OtpEmail.Admin.Tests.Infrastructure.Network;

public sealed class PublicAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.5")]
    [InlineData("172.16.3.4")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:10.0.0.5")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("64:ff9b::a00:5")]
    [InlineData("::7f00:1")]
    [InlineData("::ffff:0:a00:5")]
    [InlineData("64:ff9b:1::a00:5")]
    [InlineData("2001:0:4136:e378::1")]
    [InlineData("2002:a00:5::1")]
    public void InternalAddressesAreRefused(string address) => Assert.False(PublicAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void PublicAddressesAreAllowed(string address) => Assert.True(PublicAddresses.IsPublic(IPAddress.Parse(address)));
}
