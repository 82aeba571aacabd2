using Microsoft.Extensions.Time.Testing;
using OtpEmail.Admin.Features.Bulk;

namespace OtpEmail.Admin.Tests.Features.Bulk;

public sealed class BulkCodesTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-26T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void AFinishedJobsCodesAreTakenOnceWithinTenMinutes()
    {
        var codes = new BulkCodes(_time);
        codes.Keep(1, 1, "AAAAAAAA");
        codes.Keep(1, 3, "BBBBBBBB");
        codes.Finished(1);
        _time.Advance(TimeSpan.FromMinutes(9));

        var first = codes.Take(1);
        var second = codes.Take(1);

        Assert.Equal(new Dictionary<int, string> { [1] = "AAAAAAAA", [3] = "BBBBBBBB" }, first);
        Assert.Empty(second);
    }

    [Fact]
    public void CodesNotTakenWithinTenMinutesOfTheEndAreForgotten()
    {
        var codes = new BulkCodes(_time);
        codes.Keep(2, 1, "CCCCCCCC");
        codes.Keep(3, 1, "DDDDDDDD"); // still running: its codes stay
        codes.Finished(2);
        _time.Advance(BulkCodes.Lifetime + TimeSpan.FromSeconds(1));

        codes.ForgetExpired();

        Assert.Empty(codes.Take(2));
        Assert.Equal("DDDDDDDD", codes.Take(3)[1]);
    }
}
