using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>The rule behind the public verification page: anonymous, non-revealing, limited per client.</summary>
[Collection(HandlerCollection.Name)]
public sealed class VerifyLinkTests(HandlerFixture fixture)
{
    private static readonly string Acme = DecimalId.Format(Callers.Acme);
    private static readonly string Globex = DecimalId.Format(Callers.Globex);

    private VerifyLinkHandler Links => fixture.Get<VerifyLinkHandler>();

    [Fact]
    public async Task TheRightCodeVerifiesOnceAndRecordsTheLinkAsActor()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();
        var client = NewClient();

        var first = await Links.VerifyAsync(userId, Acme, code.ToLowerInvariant(), client, CancellationToken.None);
        var again = await Links.VerifyAsync(userId, Acme, code, client, CancellationToken.None);

        Assert.Equal(3, first.Value.Sequence);
        Assert.Equal(OtpEmailErrors.LinkFailed, again.Error);
        await using var db = fixture.Db();
        Assert.Equal(OtpEmailState.Ready, (await db.OtpEmails.SingleAsync(a => a.Id == long.Parse(otpId))).State);
        Assert.Equal(VerifyLinkHandler.LinkVisitor.Subject, db.UserEvents.Single(e => e.UserId == long.Parse(userId) && e.Type == OtpEmailEvents.Verified).ActorSubject);
    }

    [Fact]
    public async Task ThePreviewShowsThePendingAddressesMaskedOnlyForAMatchingUserAndOrganization()
    {
        var (userId, otpId, _) = await fixture.AddReturningCodeAsync("minnie@mouse.example");
        await fixture.Get<AddOtpEmailHandler>().HandleAsync(Callers.Admin, userId,
            new AddOtpEmailRequest { Email = SetEmail.For("daisy@duck.example", VerificationMode.ReturnCode) }, CancellationToken.None);

        Assert.Equal(["m•••@mouse.example", "d•••@duck.example"], (await Links.PreviewAsync(userId, Acme, NewClient(), CancellationToken.None)).Value);
        Assert.Empty((await Links.PreviewAsync(userId, Globex, NewClient(), CancellationToken.None)).Value);
        Assert.Empty((await Links.PreviewAsync("999999999999999999", Acme, NewClient(), CancellationToken.None)).Value);

        await fixture.Get<RemoveOtpEmailHandler>().HandleAsync(Callers.Admin, userId, otpId, CancellationToken.None);
        Assert.Equal(["d•••@duck.example"], (await Links.PreviewAsync(userId, Acme, NewClient(), CancellationToken.None)).Value);
    }

    [Fact]
    public async Task EveryFailureLooksTheSame()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync();
        var client = NewClient();

        var failures = new[]
        {
            await Links.VerifyAsync(userId, Acme, "WRONG234", client, CancellationToken.None),
            await Links.VerifyAsync(userId, Globex, code, client, CancellationToken.None),
            await Links.VerifyAsync("999999999999999999", Acme, code, client, CancellationToken.None),
            await Links.VerifyAsync("junk", null, null, client, CancellationToken.None),
        };

        Assert.All(failures, failure => Assert.Equal(OtpEmailErrors.LinkFailed, failure.Error));
    }

    [Fact]
    public async Task WrongCodesOnThePageNeverSpendTheTriesOfACodeStaffWillUse()
    {
        var (userId, otpId, code) = await fixture.AddReturningCodeAsync();

        await TryWrongCodesAsync(userId, times: 9);

        await using (var db = fixture.Db())
        {
            var stored = await db.OtpEmails.SingleAsync(a => a.Id == long.Parse(otpId));
            Assert.Equal(0, stored.FailedAttempts);
            Assert.NotNull(stored.CodeHash);
        }

        var viaStaff = await fixture.Get<VerifyOtpEmailHandler>().HandleAsync(Callers.Admin, userId, otpId, new VerifyOtpEmailRequest { Code = code }, CancellationToken.None);
        Assert.True(viaStaff.IsSuccess);
    }

    [Fact]
    public async Task MoreThanFiftyWrongCodesAnHourFromAllNetworksWarnButLockNobodyOut()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync();
        var meters = fixture.Get<IMeterFactory>();
        var underAttack = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "otpemail.link.users_under_attack")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref underAttack, value));
        listener.Start();

        await TryWrongCodesAsync(userId, times: 50);
        var warningsAtFifty = Warnings(userId);
        await TryWrongCodesAsync(userId, times: 2);

        Assert.Empty(warningsAtFifty);
        var warning = Assert.Single(Warnings(userId)); // once an hour, not at every wrong code after the 50th
        Assert.DoesNotContain("WRONG234", warning, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1L, Interlocked.Read(ref underAttack));
        Assert.True((await Links.VerifyAsync(userId, Acme, code, NewClient(), CancellationToken.None)).IsSuccess);
    }

    [Fact]
    public async Task AnIpv6ClientIsCountedByItsSlash64()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync();
        var prefix = $"2001:db8:{Random.Shared.Next(0x1000, 0xffff):x}:{Random.Shared.Next(0x1000, 0xffff):x}";

        for (var i = 1; i <= 10; i++)
        {
            await Links.PreviewAsync("1", "1", IPAddress.Parse($"{prefix}::{i:x}"), CancellationToken.None); // ten hosts of one /64
        }

        var sameNetwork = await Links.VerifyAsync(userId, Acme, code, IPAddress.Parse($"{prefix}:ffff:ffff:ffff:ffff"), CancellationToken.None);
        var otherNetwork = await Links.VerifyAsync(userId, Acme, code, NewClient(), CancellationToken.None);

        Assert.Equal(ErrorCode.ResourceExhausted, sameNetwork.Error?.Code);
        Assert.True(otherNetwork.IsSuccess);
    }

    [Fact]
    public async Task OneClientGetsTenAttemptsAMinute()
    {
        var (userId, _, code) = await fixture.AddReturningCodeAsync();
        var client = NewClient();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(OtpEmailErrors.LinkFailed, (await Links.VerifyAsync("1", "1", "x", client, CancellationToken.None)).Error);
        }

        var limited = await Links.VerifyAsync(userId, Acme, code, client, CancellationToken.None);
        var otherClient = await Links.VerifyAsync(userId, Acme, code, NewClient(), CancellationToken.None);

        Assert.Equal(ErrorCode.ResourceExhausted, limited.Error!.Code);
        Assert.NotNull(limited.Error.RetryAfter);
        Assert.True(otherClient.IsSuccess);
    }

    /// <summary>Wrong codes on the page for the user, each from a client of its own; each answered as a failure.</summary>
    private async Task TryWrongCodesAsync(string userId, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Equal(OtpEmailErrors.LinkFailed, (await Links.VerifyAsync(userId, Acme, "WRONG234", NewClient(), CancellationToken.None)).Error);
        }
    }

    /// <summary>The warnings logged about wrong codes on the page for the user.</summary>
    private List<string> Warnings(string userId) =>
        fixture.App.Logs.Lines.Where(line => line.StartsWith($"Warning {typeof(VerifyLinkHandler).FullName}:", StringComparison.Ordinal) && line.Contains($"UserId={userId}", StringComparison.Ordinal)).ToList();

    /// <summary>A client of its own: an address in a /64 no other test uses.</summary>
    private static IPAddress NewClient()
    {
        Span<byte> bytes = stackalloc byte[16];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        return new IPAddress(bytes);
    }
}
