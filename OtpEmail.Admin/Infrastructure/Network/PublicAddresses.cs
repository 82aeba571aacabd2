using System.Net;
using System.Net.Sockets;

namespace OtpEmail.Admin.Infrastructure.Network;

/// <summary>
/// Which addresses the app may call on someone else's behalf (webhook receivers): only public ones, so
/// that a URL someone saves cannot reach the app's own host or network (request forgery). Refuses
/// unspecified, loopback, private, link-local, carrier-grade NAT, multicast, reserved and
/// unique-local ranges, IPv4 and IPv6 (IPv4 mapped or translated into IPv6 is judged as IPv4).
/// </summary>
public static class PublicAddresses
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"),        // "this network"
        IPNetwork.Parse("10.0.0.0/8"),       // private
        IPNetwork.Parse("100.64.0.0/10"),    // carrier-grade NAT
        IPNetwork.Parse("127.0.0.0/8"),      // loopback
        IPNetwork.Parse("169.254.0.0/16"),   // link-local (cloud metadata lives here)
        IPNetwork.Parse("172.16.0.0/12"),    // private
        IPNetwork.Parse("192.0.0.0/24"),     // protocol assignments
        IPNetwork.Parse("192.0.2.0/24"),     // documentation
        IPNetwork.Parse("192.168.0.0/16"),   // private
        IPNetwork.Parse("198.18.0.0/15"),    // benchmarking
        IPNetwork.Parse("198.51.100.0/24"),  // documentation
        IPNetwork.Parse("203.0.113.0/24"),   // documentation
        IPNetwork.Parse("224.0.0.0/4"),      // multicast
        IPNetwork.Parse("240.0.0.0/4"),      // reserved, and broadcast
        IPNetwork.Parse("::/128"),           // unspecified
        IPNetwork.Parse("::1/128"),          // loopback
        IPNetwork.Parse("::/96"),            // IPv4-compatible (deprecated): an IPv4 address inside
        IPNetwork.Parse("::ffff:0:0:0/96"),  // IPv4-translated (SIIT)
        IPNetwork.Parse("64:ff9b:1::/48"),   // local-use NAT64
        IPNetwork.Parse("2001::/32"),        // Teredo: tunnels to an IPv4 address
        IPNetwork.Parse("2002::/16"),        // 6to4: an IPv4 address inside
        IPNetwork.Parse("100::/64"),         // discard
        IPNetwork.Parse("2001:db8::/32"),    // documentation
        IPNetwork.Parse("fc00::/7"),         // unique-local
        IPNetwork.Parse("fe80::/10"),        // link-local
        IPNetwork.Parse("fec0::/10"),        // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),         // multicast
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return IsPublic(address.MapToIPv4());
            }

            if (Nat64.Contains(address))
            {
                return IsPublic(new IPAddress(address.GetAddressBytes()[12..]));
            }
        }

        return !Refused.Any(network => network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address));
    }
}
