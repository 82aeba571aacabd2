namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Ids as 18-digit decimal numbers that grow with time: 10^17 plus the milliseconds since 2024
/// shifted left by 16 bits, plus a counter for ids made in the same millisecond. Lock-free and
/// strictly increasing within the process; enough room for four centuries.
/// </summary>
public sealed class IdGenerator(TimeProvider time)
{
    private const long Base = 100_000_000_000_000_000;
    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _last;

    public long Next()
    {
        var fromClock = (long)(time.GetUtcNow() - Epoch).TotalMilliseconds << 16;
        while (true)
        {
            var last = Interlocked.Read(ref _last);
            var next = Math.Max(last + 1, fromClock);
            if (Interlocked.CompareExchange(ref _last, next, last) == last)
            {
                return Base + next;
            }
        }
    }
}
