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

    [Fact]
    public void InstancesWithDifferentNumbersNeverMakeTheSameIdOnTheSameClock()
    {
        var clock = new SettableClock { Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var first = new IdGenerator(clock);
        var second = new IdGenerator(clock);
        first.UseInstanceNumber(1);
        second.UseInstanceNumber(IdGenerator.Instances + 2); // numbers wrap: this one is 2

        var fromFirst = Enumerable.Range(0, 10_000).Select(_ => first.Next()).ToList();
        var fromSecond = Enumerable.Range(0, 10_000).Select(_ => second.Next()).ToList();

        Assert.Empty(fromFirst.Intersect(fromSecond));
        Assert.All(fromFirst, id => Assert.Equal(1, id % IdGenerator.Instances));
        Assert.All(fromSecond, id => Assert.Equal(2, id % IdGenerator.Instances));
        Assert.Equal(fromFirst.Order(), fromFirst); // still strictly increasing within an instance
        Assert.Equal(10_000, fromFirst.Distinct().Count());
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
