namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Ids as 18-digit decimal numbers that grow with time: 10^17 plus the milliseconds since 2024
/// shifted left by 16 bits, whose low 16 bits are a counter for ids made in the same millisecond
/// (high byte) and the instance's number (low byte). Lock-free and strictly increasing within the
/// process; instances sharing a database have different numbers (<see cref="UseInstanceNumber"/>),
/// so their ids never meet. Enough room for four centuries.
/// </summary>
public sealed class IdGenerator(TimeProvider time)
{
    /// <summary>Instances one database tells apart.</summary>
    public const int Instances = 256;

    private const long Base = 100_000_000_000_000_000;
    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _last;
    private long _instance;

    /// <summary>This instance's number among those sharing the database (0 when it is alone), as <see cref="UseInstanceNumber"/> set it.</summary>
    public int InstanceNumber => (int)Interlocked.Read(ref _instance);

    /// <summary>This instance's number among those sharing the database; 0 when it is alone.</summary>
    public void UseInstanceNumber(long number) => Interlocked.Exchange(ref _instance, number % Instances);

    public long Next()
    {
        // Per millisecond, 256 ids before the counter borrows from the next millisecond.
        var fromClock = (long)(time.GetUtcNow() - Epoch).TotalMilliseconds << 8;
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(last + 1, fromClock);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return Base + (next << 8) + Interlocked.Read(ref _instance);
            }
        }
    }
}
