using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

[Collection(ApiCollection.Name)]
public sealed class AddOtpEmailApiTests(ApiFixture fixture)
{
    private readonly ApiClient _api = fixture.Api;

    [Fact]
    public async Task SendCodeModeEmailsTheRenderedTemplateLink()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var reply = await _api.AddOtpEmailAsync(userId, $$$"""
            {"address":"{{{address}}}","sendCode":{"urlTemplate":"https://example.com/verify?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}"}}
            """);

        Assert.Equal(200, reply.Status);
        Assert.Null(reply.Json["verificationCode"]);
        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        Assert.Equal("Verify your email address", mail.Subject);
        var link = System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"https://example\.com/verify\?\S+").Value;
        Assert.StartsWith($"https://example.com/verify?userID={userId}&code=", link);
        Assert.EndsWith($"&orgID={ApiClient.AcmeId}", link);
        var code = link.Split("code=")[1].Split('&')[0];
        Assert.Matches("^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$", code);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(link), mail.HtmlBody);
        Assert.False(await _api.IsVerifiedAsync(userId, reply.Json["otpEmailId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task SendCodeWithoutTemplateLinksToTheAppsOwnVerificationPage()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var reply = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{address}}}","sendCode":{}}""");

        Assert.Equal(200, reply.Status);
        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        Assert.Matches($@"{fixture.App.PublicBaseUrl.AbsoluteUri}otp-email/verify\?userID={userId}&code=[A-Z2-9]{{8}}&orgID={ApiClient.AcmeId}", mail.TextBody);
    }

    [Fact]
    public async Task NoVerificationMemberBehavesAsSendCode()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var reply = await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{address}}"}""");

        Assert.Equal(200, reply.Status);
        Assert.Null(reply.Json["verificationCode"]);
        var mail = await fixture.Smtp.WaitForMailToAsync(address);
        Assert.Contains("/otp-email/verify?userID=", mail.TextBody);
    }

    [Fact]
    public async Task ReturnCodeModeReturnsTheCodeOnceAndSendsNoMail()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var reply = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{address}}}","returnCode":{}}""");

        Assert.Equal(200, reply.Status);
        Assert.Matches("^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$", reply.Json["verificationCode"]!.GetValue<string>());
        Assert.False(await _api.IsVerifiedAsync(userId, reply.Json["otpEmailId"]!.GetValue<string>()));
        var user = (await _api.GetAsync($"/v3alpha/users/{userId}")).Body;
        Assert.DoesNotContain(reply.Json["verificationCode"]!.GetValue<string>(), user);
        await using var db = fixture.App.CreateDbContext();
        Assert.False(await db.OutboxMails.AnyAsync(m => m.To == address));
    }

    [Fact]
    public async Task AlreadyVerifiedModeIsReadyAtOnceWithoutCodeOrMail()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var reply = await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{address}}","isVerified":true}""");

        Assert.Equal(200, reply.Status);
        Assert.Null(reply.Json["verificationCode"]);
        Assert.True(await _api.IsVerifiedAsync(userId, reply.Json["otpEmailId"]!.GetValue<string>()));
        await using var db = fixture.App.CreateDbContext();
        var stored = await db.OtpEmails.SingleAsync(a => a.UserId == long.Parse(userId));
        Assert.Null(stored.CodeHash);
        Assert.False(await db.OutboxMails.AnyAsync(m => m.To == address));
    }

    [Fact]
    public async Task ResponseCarriesDetailsOfTheLastEventAndAnEighteenDigitId()
    {
        var userId = await _api.CreateUserAsync();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var first = await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{ApiClient.NewAddress()}}","isVerified":true}""");
        var second = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{ApiClient.NewAddress()}}}","returnCode":{}}""");

        // Creating the user was event 1.
        Assert.Equal("2", first.Json["details"]!["sequence"]!.GetValue<string>());
        Assert.Equal("3", second.Json["details"]!["sequence"]!.GetValue<string>());
        Assert.Equal(ApiClient.AcmeId, second.Json["details"]!["resourceOwner"]!.GetValue<string>());
        var changeDate = second.Json["details"]!["changeDate"]!.GetValue<string>();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", changeDate);
        Assert.True(DateTimeOffset.Parse(changeDate, System.Globalization.CultureInfo.InvariantCulture) >= before);
        var firstId = first.Json["otpEmailId"]!.GetValue<string>();
        var secondId = second.Json["otpEmailId"]!.GetValue<string>();
        Assert.Matches("^[1-9][0-9]{17}$", firstId);
        Assert.True(string.CompareOrdinal(firstId, secondId) < 0, "ids grow with time");
    }

    [Fact]
    public async Task EventsRecordTheActorAndNeverTheCode()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var reply = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{address}}}","returnCode":{}}""");

        var code = reply.Json["verificationCode"]!.GetValue<string>();
        await using var db = fixture.App.CreateDbContext();
        var added = await db.UserEvents.SingleAsync(e => e.UserId == long.Parse(userId) && e.Sequence == 2);
        Assert.Equal("otp_email.added", added.Type);
        Assert.Equal(ApiClient.Admin, added.ActorSubject);
        Assert.Equal(ApiClient.Admin, added.ActorClient);
        Assert.Contains(address, added.Payload);
        Assert.Contains("return_code", added.Payload);
        Assert.DoesNotContain(code, added.Payload, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{"address":"a@example.com","sendCode":{},"returnCode":{}}""")]
    [InlineData("""{"address":"a@example.com","returnCode":{},"isVerified":true}""")]
    [InlineData("""{"address":"a@example.com","sendCode":{},"isVerified":true}""")]
    [InlineData("""{"address":"a@example.com","isVerified":false}""")]
    [InlineData("""{"sendCode":{}}""")]
    [InlineData("""{"address":""}""")]
    public async Task InvalidVerificationChoicesAreRejected(string email)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.AddOtpEmailAsync(userId, email);

        Assert.Equal(400, reply.Status);
        Assert.Equal(3, reply.ErrorCode());
        await AssertNothingWrittenAsync(userId);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("@example.com")]
    [InlineData("name@")]
    [InlineData("Mini <mini@mouse.com>")]
    [InlineData("mini@mouse.com\r\nBcc: x@evil.com")]
    [InlineData("mini\n@mouse.com")]
    [InlineData("mi ni@mouse.com")]
    [InlineData(".mini@mouse.com")]
    [InlineData("mi..ni@mouse.com")]
    [InlineData("\"mini\"@mouse.com")]
    [InlineData("mini@mouse..com")]
    [InlineData("mini@-mouse.com")]
    [InlineData("mini@mouse_house.com")]
    [InlineData("mini@mäuse.com")]
    public async Task AddressesThatAreNotPlainAreRejected(string address)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.AddOtpEmailAsync(userId, $$"""{"address":{{JsonText.Quote(address)}},"isVerified":true}""");

        Assert.Equal(400, reply.Status);
        Assert.Equal(3, reply.ErrorCode());
    }

    [Fact]
    public async Task AddressLengthLimitsAreEnforced()
    {
        var userId = await _api.CreateUserAsync();
        var longLocal = new string('a', 65) + "@example.com";
        var longLabel = "a@" + new string('b', 64) + ".com";
        var tooLong = "a@" + string.Join('.', Enumerable.Repeat(new string('c', 60), 4));
        var longest = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('d', 44), 3)); // 64 + 1 + 134 = 199

        foreach (var bad in new[] { longLocal, longLabel, tooLong })
        {
            var reply = await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{bad}}","isVerified":true}""");
            Assert.Equal(400, reply.Status);
        }

        Assert.Equal(200, (await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{longest}}","isVerified":true}""")).Status);
    }

    [Theory]
    [InlineData("mini@mouse.com")]
    [InlineData("Mini.Mouse+otp@Sub.Mouse-House.example")]
    [InlineData("o'brien@example.com")]
    [InlineData("x@localhost")]
    public async Task PlainAddressesAreAccepted(string address)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.AddOtpEmailAsync(userId, $$"""{"address":{{JsonText.Quote(address)}},"isVerified":true}""");

        Assert.Equal(200, reply.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://example.com/{{.Email}}")]
    [InlineData("https://example.com/{{ .Code }}")]
    [InlineData("https://example.com/{{.Code}")]
    [InlineData("https://example.com/{{.Code}}}}")]
    [InlineData("https://example.com/.Code}}")]
    [InlineData("https://example.com/{{.Code")]
    [InlineData("http://example.com/verify?code={{.Code}}")]
    [InlineData("/verify?code={{.Code}}")]
    [InlineData("javascript:alert({{.Code}})")]
    [InlineData("ftp://example.com/{{.Code}}")]
    [InlineData("https://user:pass@example.com/{{.Code}}")]
    public async Task BadUrlTemplatesAreRejectedAndNothingIsWritten(string template)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.AddOtpEmailAsync(userId, JsonSerializer.Serialize(new { address = ApiClient.NewAddress(), sendCode = new { urlTemplate = template } }));

        Assert.Equal(400, reply.Status);
        Assert.Equal(3, reply.ErrorCode());
        await AssertNothingWrittenAsync(userId);
    }

    [Fact]
    public async Task UrlTemplateLongerThan200CharactersIsRejected()
    {
        var userId = await _api.CreateUserAsync();
        var template = "https://example.com/" + new string('a', 181);
        Assert.Equal(201, template.Length);

        var reply = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{ApiClient.NewAddress()}}}","sendCode":{"urlTemplate":"{{{template}}}"}}""");

        Assert.Equal(400, reply.Status);
    }

    [Theory]
    [InlineData("http://localhost:8080/verify/{{.Code}}")]
    [InlineData("http://127.0.0.1/verify/{{.Code}}")]
    [InlineData("http://[::1]/verify/{{.Code}}")]
    [InlineData("https://example.com/static-link")]
    public async Task LoopbackHttpAndPlainHttpsTemplatesAreAccepted(string template)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.AddOtpEmailAsync(userId, JsonSerializer.Serialize(new { address = ApiClient.NewAddress(), sendCode = new { urlTemplate = template } }));

        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task SnakeCaseNamesAreAccepted()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var sent = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{address}}}","send_code":{"url_template":"https://snake.example/{{.Code}}"}}""");
        var returned = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{ApiClient.NewAddress()}}}","return_code":{}}""");
        var verified = await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{ApiClient.NewAddress()}}","is_verified":true}""");

        Assert.Equal(200, sent.Status);
        Assert.Contains("https://snake.example/", (await fixture.Smtp.WaitForMailToAsync(address)).TextBody);
        Assert.NotNull(returned.Json["verificationCode"]);
        Assert.True(await _api.IsVerifiedAsync(userId, verified.Json["otpEmailId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UnknownFieldsAreIgnored()
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.PostAsync($"/v3alpha/users/{userId}/otp_email",
            $$$$"""{"userId":"ignored","extra":[1,2],"email":{"address":"{{{{ApiClient.NewAddress()}}}}","isVerified":true,"future":{"x":1}}}""");

        Assert.Equal(200, reply.Status);
    }

    [Theory]
    [InlineData("""{"email":{"address":"a@example.com","isVerified":"yes"}}""")]
    [InlineData("""{"email":{"address":42,"isVerified":true}}""")]
    [InlineData("""{"email":"a@example.com"}""")]
    [InlineData("""{"email":{"address":"a@example.com","returnCode":true}}""")]
    [InlineData("{\"email\":{\"address\":\"a@example.com\"")]
    [InlineData("""[]""")]
    [InlineData("")]
    public async Task MalformedOrWronglyTypedBodiesAreInvalidArgument(string body)
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.PostAsync($"/v3alpha/users/{userId}/otp_email", body);

        Assert.Equal(400, reply.Status);
        Assert.Equal(3, reply.ErrorCode());
        await AssertNothingWrittenAsync(userId);
    }

    [Fact]
    public async Task SameAddressTwiceIsAlreadyExistsWhateverItsCase()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        Assert.Equal(200, (await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{address}}}","returnCode":{}}""")).Status);

        var again = await _api.AddOtpEmailAsync(userId, $$"""{"address":"{{address.ToUpperInvariant()}}","isVerified":true}""");

        Assert.Equal(409, again.Status);
        Assert.Equal(6, again.ErrorCode());
    }

    [Fact]
    public async Task SameAddressOnAnotherUserIsAllowed()
    {
        var address = ApiClient.NewAddress();
        var first = await _api.CreateUserAsync();
        var second = await _api.CreateUserAsync();

        Assert.Equal(200, (await _api.AddOtpEmailAsync(first, $$"""{"address":"{{address}}","isVerified":true}""")).Status);
        Assert.Equal(200, (await _api.AddOtpEmailAsync(second, $$"""{"address":"{{address}}","isVerified":true}""")).Status);
    }

    [Fact]
    public async Task ConcurrentAddsOfOneAddressHaveExactlyOneWinner()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        await _api.TokenAsync(ApiClient.Admin);

        var replies = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ =>
            _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{address}}}","returnCode":{}}""")));

        Assert.Single(replies, r => r.Status == 200);
        Assert.All(replies.Where(r => r.Status != 200), r => Assert.Equal(6, r.ErrorCode()));
        await using var db = fixture.App.CreateDbContext();
        Assert.Equal(1, await db.OtpEmails.CountAsync(a => a.UserId == long.Parse(userId)));
        Assert.Equal(2, await db.UserEvents.CountAsync(e => e.UserId == long.Parse(userId)));
    }

    [Fact]
    public async Task ConcurrentAddsOfDifferentAddressesGetConsecutiveSequences()
    {
        var userId = await _api.CreateUserAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            _api.AddOtpEmailAsync(userId, $$"""{"address":"{{ApiClient.NewAddress()}}","isVerified":true}""")));

        Assert.All(replies, r => Assert.Equal(200, r.Status));
        var sequences = replies.Select(r => int.Parse(r.Json["details"]!["sequence"]!.GetValue<string>())).Order();
        Assert.Equal(Enumerable.Range(2, 16), sequences);
    }

    [Fact]
    public async Task CodesAreStoredOnlyAsKeyedHashesAndNeverLogged()
    {
        var userId = await _api.CreateUserAsync();
        var mailed = ApiClient.NewAddress();

        var returned = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{ApiClient.NewAddress()}}}","returnCode":{}}""");
        Assert.Equal(200, (await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{mailed}}}","sendCode":{}}""")).Status);
        var mail = await fixture.Smtp.WaitForMailToAsync(mailed);
        var codes = new[]
        {
            returned.Json["verificationCode"]!.GetValue<string>(),
            System.Text.RegularExpressions.Regex.Match(mail.TextBody!, "code=([A-Z2-9]{8})").Groups[1].Value,
        };

        await using var db = fixture.App.CreateDbContext();
        var stored = await db.OtpEmails.Where(a => a.UserId == long.Parse(userId)).ToListAsync();
        Assert.All(stored, a => Assert.Equal(32, a.CodeHash!.Length));
        await Eventually.TrueAsync(async () =>
            await db.OutboxMails.AnyAsync(m => m.To == mailed && m.Status == OutboxMailStatus.Sent && m.ProtectedBody == null),
            "the sent mail's body to be cleared");

        var everything = await DumpDatabaseAsync(db);
        var logs = string.Join('\n', fixture.App.Logs.Lines);
        foreach (var code in codes)
        {
            Assert.Matches("^[A-Z2-9]{8}$", code);
            Assert.DoesNotContain(code, everything, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(code, logs, StringComparison.OrdinalIgnoreCase);
        }

        var codeHasher = fixture.App.Services.GetService(typeof(VerificationCodes)) as VerificationCodes;
        Assert.Contains(stored, a => codeHasher!.Matches(codes[0].ToLowerInvariant(), a.CodeHash));
        Assert.Contains(stored, a => codeHasher!.Matches(codes[1], a.CodeHash));
    }

    [Fact]
    public async Task QueuedMailBodyIsEncryptedAtRest()
    {
        var userId = await _api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        await using var db = fixture.App.CreateDbContext();
        var outbox = (MailOutbox)fixture.App.Services.GetService(typeof(MailOutbox))!;
        var body = new MailBody("code ZZZZ9999 here", "<p>ZZZZ9999</p>");

        var mail = outbox.Enqueue(db, address, "subject", body, DateTimeOffset.UtcNow.AddMinutes(-1), long.Parse(userId), null);

        Assert.DoesNotContain("ZZZZ9999", mail.ProtectedBody);
        Assert.Equal(body, outbox.Unprotect(mail.ProtectedBody!));
    }

    private async Task AssertNothingWrittenAsync(string userId)
    {
        var id = long.Parse(userId);
        await using var db = fixture.App.CreateDbContext();
        Assert.False(await db.OtpEmails.AnyAsync(a => a.UserId == id));
        Assert.False(await db.OutboxMails.AnyAsync(m => m.UserId == id));
        Assert.Equal(1, await db.UserEvents.CountAsync(e => e.UserId == id));
    }

    // Every text and blob cell of every table, so a test can look for a secret anywhere.
    private static async Task<string> DumpDatabaseAsync(AppDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'UserSearch_%' AND name NOT LIKE 'sqlite_%'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? System.Text.Encoding.Latin1.GetString(bytes) : value?.ToString()).Append('|');
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }

}
