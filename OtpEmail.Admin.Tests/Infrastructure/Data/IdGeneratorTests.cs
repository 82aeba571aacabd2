using System.Collections.Concurrent;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

public sealed class IdGeneratorTests
{
    [Fact]
    public void IdsAreEighteenDigitsAndUniqueUnderParallelUse()
    {
        var ids = new IdGenerator(TimeProvider.System);
        var seen = new ConcurrentBag<long>();

        Parallel.For(0, 100_000, _ => seen.Add(ids.Next()));

        Assert.Equal(100_000, seen.Distinct().Count());
        Assert.All(seen, id => Assert.Equal(18, id.ToString(System.Globalization.CultureInfo.InvariantCulture).Length));
    }

    [Fact]
    public void IdsFollowTheClockAndNeverGoBack()
    {
        var clock = new SettableClock { Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var ids = new IdGenerator(clock);

        var first = ids.Next();
        clock.Now += TimeSpan.FromSeconds(1);
        var later = ids.Next();
        clock.Now -= TimeSpan.FromMinutes(5); // a clock that steps back
        var afterStepBack = ids.Next();

        Assert.True(later - first >= 1000L << 16);
        Assert.True(afterStepBack > later);
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
