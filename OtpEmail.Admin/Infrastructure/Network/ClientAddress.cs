using System.Net;
using System.Net.Sockets;

namespace OtpEmail.Admin.Infrastructure.Network;

/// <summary>Who a request comes from, as limits count it.</summary>
public static class ClientAddress
{
    /// <summary>The longest <see cref="Partition"/> can be (an IPv6 /64 takes 24 characters), with room to spare.</summary>
    public const int MaxPartitionLength = 64;

    /// <summary>
    /// Whether the client is on this machine (127.0.0.0/8, ::1, or IPv4 loopback mapped to IPv6). An
    /// unknown address (null, as in-memory test servers and some transports give) is not.
    /// </summary>
    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>
    /// The bucket a client's requests count in: its IPv4 address, or its IPv6 /64 (a host or a home
    /// is given a whole /64, so counting single IPv6 addresses would give one client 2^64 buckets).
    /// </summary>
    public static string Partition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }
}
